"""Every staff URL, generated from the URL configuration: an editor of another organisation
and an anonymous visitor never see another organisation's data.

A new staff URL is covered automatically; a new URL parameter name needs one line in
`PARAMETERS` below (the test fails and says so).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from consult.models import Question, State
from tests.factories import (
    ConsultationFactory,
    EventFactory,
    QuestionFactory,
    SectionFactory,
    question_with_choices,
)

STAFF_PREFIX = "staff/"
# Pages every signed-in person may reach whatever their organisation.
OPEN_TO_ANY_STAFF = {
    "accounts:login",
    "accounts:logout",
    "accounts:dashboard",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:recovery_codes",
    "consult_staff:list",
    "consult_staff:create",
}


def staff_patterns(resolver=None, prefix="", namespace=""):
    """(name, route) for every URL under /<lang>/staff/."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from staff_patterns(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and STAFF_PREFIX in route and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern)


def all_staff_url_names() -> list[str]:
    return sorted({name for name, _pattern in staff_patterns()} - OPEN_TO_ANY_STAFF)


@pytest.fixture
def world(organisation):
    """One consultation of `organisation` with something of every kind to point URLs at."""
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    section = SectionFactory(consultation=consultation)
    question = question_with_choices(section, Question.Kind.SINGLE, ["a", "b"])
    QuestionFactory(section=section)
    event = EventFactory(consultation=consultation)
    return {
        "pk": consultation.pk,
        "consultation_pk": consultation.pk,
        "slug": consultation.slug,
        "section_pk": section.pk,
        "question_pk": question.pk,
        "event_pk": event.pk,
        "item_pk": question.pk,
        "kind": "question",
        "direction": "up",
        "action": "close",
        "baseline_pk": 1,
        "commitment_pk": 1,
        "job_pk": 1,
        "theme_pk": 1,
        "campaign_pk": 1,
        "suggestion_pk": 1,
    }


def build_url(name: str, world: dict[str, object]) -> str:
    from django.urls import reverse
    from django.utils import translation

    pattern = dict(staff_patterns())[name]
    params = list(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else []
    missing = [p for p in params if p not in world]
    assert missing == [], f"add a value for {missing} to the `world` fixture to cover {name}"
    with translation.override("en"):
        return reverse(name, kwargs={p: world[p] for p in params})


@pytest.mark.parametrize("name", all_staff_url_names())
def test_outsider_gets_404_or_403_on_every_staff_url(client_for, outsider, world, name):
    url = build_url(name, world)
    client = client_for(outsider)

    get = client.get(url)
    post = client.post(url, {})

    assert get.status_code in (403, 404, 405), f"GET {url} → {get.status_code}"
    assert post.status_code in (403, 404, 405), f"POST {url} → {post.status_code}"


@pytest.mark.parametrize("name", all_staff_url_names())
def test_anonymous_visitor_is_sent_to_sign_in_on_every_staff_url(client, world, name):
    url = build_url(name, world)

    get = client.get(url)
    post = client.post(url, {})

    assert get.status_code in (302, 403, 404), f"GET {url} → {get.status_code}"
    if get.status_code == 302:
        assert get["Location"].startswith("/en/staff/sign-in/")
    assert post.status_code in (302, 403, 404, 405), f"POST {url} → {post.status_code}"


def test_the_matrix_covers_staff_urls():
    assert len(all_staff_url_names()) >= 10
