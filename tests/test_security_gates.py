"""Security gates: CSRF on every form, inert XSS payloads everywhere, secure cookies, bandit.

- CSRF: every URL of the URL configuration (bar the token-authenticated API and the
  documented one-click unsubscribe, which mail clients post to without a session) refuses a
  POST without a token, signed in or not, with the CSRF middleware as the reason.
- XSS: script, attribute-breaking and `javascript:` payloads in every free-text field that
  reaches a page (in every language) come out escaped on the public pages, the staff pages,
  the report, the tracker, the open data and the API; CSV cells that a spreadsheet would run
  as formulas are neutralised.
- Cookies: production settings mark session and CSRF cookies secure (and the session cookie
  HTTP-only).
- bandit: no medium or high finding in the application code.

`pip-audit` needs a vulnerability database online (PyPI's JSON API or OSV): `make audit`
checks `requirements.lock` where one is reachable; it is not a test here.
"""

import csv
import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils import timezone, translation

from consult.models import Question, State
from outcomes import services as outcome_services
from outcomes.models import Theme, ThemeResponse
from tests.factories import (
    ConsultationFactory,
    EventFactory,
    QuestionFactory,
    SectionFactory,
    question_with_choices,
    sent_response,
)
from tests.test_access_matrix import staff_patterns

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LANGS = [code for code, _name in django_settings.LANGUAGES]


# CSRF ----------------------------------------------------------------------------------

# Not protected by the CSRF middleware, on purpose (docs/security.md):
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail providers POST without a session or token.
    "notifications:unsubscribe_one_click",
}
TOKEN_API_PREFIX = "api/"  # token-authenticated API: no cookies, so no CSRF


def all_patterns(resolver=None, prefix="", namespace=""):
    """(name, route, pattern) for every named URL of the configuration."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from all_patterns(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route, pattern


def _sample(converter) -> object:
    """A value the converter accepts: the CSRF check runs before the view looks it up."""
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


# Regex routes of the admin: a value for each named group.
ADMIN_GROUPS = {"app_label": "accounts", "object_id": "1", "content_type_id": "1"}


def csrf_urls() -> list[tuple[str, str]]:
    urls = {}
    with translation.override("en"):
        for name, route, pattern in all_patterns():
            if name in CSRF_EXEMPT or route.startswith(TOKEN_API_PREFIX):
                continue
            converters = getattr(pattern.pattern, "converters", {})
            groups = pattern.pattern.regex.groupindex
            kwargs = {
                group: _sample(converters[group]) if group in converters else ADMIN_GROUPS[group]
                for group in groups
            }
            urls[name] = reverse(name, kwargs=kwargs)
    return sorted(urls.items())


CSRF_URLS = csrf_urls()


@pytest.fixture
def strict_clients(client_for, owner):
    """An anonymous visitor and a signed-in owner (second factor given), CSRF enforced."""
    cache.clear()
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.cookies = client_for(owner).cookies
    return {"anonymous": Client(enforce_csrf_checks=True), "owner": signed_in}


@pytest.mark.parametrize(("name", "url"), CSRF_URLS, ids=[name for name, _url in CSRF_URLS])
def test_post_without_csrf_token_is_refused(strict_clients, caplog, name, url):
    for who, client in strict_clients.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = client.post(url, {"anything": "1"})

        assert response.status_code == 403, f"{who}: POST {url} → {response.status_code}"
        assert any(r.name == "django.security.csrf" for r in caplog.records), (
            f"{who}: POST {url} was refused, but not by the CSRF check"
        )


def test_csrf_matrix_covers_the_forms():
    names = {name for name, _url in CSRF_URLS}
    assert len(names) >= 60
    assert {"feedback:start", "feedback:check", "accounts:login", "outcomes:follow_up"} <= names
    print(f"\n[security] CSRF: {len(names)} URL patterns refuse a POST without a token")


def test_the_one_click_unsubscribe_is_the_only_exempt_page():
    """The exemption list holds what the code exempts, and nothing else."""
    exempt = {
        name
        for name, route, pattern in all_patterns()
        if getattr(pattern.callback, "csrf_exempt", False)
        and not route.startswith(TOKEN_API_PREFIX)
    }
    assert exempt == CSRF_EXEMPT


# XSS -----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOAD = f"{SCRIPT}{ATTRIBUTE} {JS_URL}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def translated(field: str, value: str = PAYLOAD) -> dict[str, str]:
    """The same value in every language of the field (title → title_en, title_ms, ...)."""
    return {f"{field}_{code.replace('-', '_')}": value for code in LANGS}


def _fill_questions(consultation):
    section = SectionFactory(
        consultation=consultation, position=0, **translated("title"), **translated("intro")
    )
    text = QuestionFactory(
        section=section,
        kind=Question.Kind.TEXT,
        position=0,
        **translated("text"),
        **translated("help_text"),
    )
    single = question_with_choices(
        section, Question.Kind.SINGLE, [PAYLOAD, "Plain"], position=1, **translated("text")
    )
    for choice in single.choices.all():
        for field, value in translated("label", choice.label_en).items():
            setattr(choice, field, value)
        choice.save()
    EventFactory(
        consultation=consultation,
        place=PAYLOAD,
        address=PAYLOAD,
        languages=PAYLOAD,
        **translated("title"),
        **translated("accessibility"),
    )
    return text, single


@pytest.fixture
def planted(organisation, owner, editor):
    """An open and a published consultation with a payload in every free-text field."""
    cache.clear()
    fields = {
        **translated("title"),
        **translated("summary"),
        **translated("body"),
        **translated("easy_read"),
    }
    live = ConsultationFactory(organisation=organisation, slug="live", state=State.OPEN, **fields)
    live_text, live_single = _fill_questions(live)
    sent_response(live, {live_text: PAYLOAD, live_single: list(live_single.choices.all())[:1]})

    done = ConsultationFactory(
        organisation=organisation,
        slug="done",
        state=State.CLOSED,
        opens_at=timezone.now() - dt.timedelta(days=60),
        closes_at=timezone.now() - dt.timedelta(days=1),
        **fields,
    )
    done_text, _single = _fill_questions(done)
    formula_question = QuestionFactory(
        section=done_text.section, kind=Question.Kind.TEXT, position=5, text_en=FORMULAS[0]
    )
    for text in [PAYLOAD, *FORMULAS]:
        sent_response(done, {done_text: text, formula_question: text}, publish=True)
    theme = Theme.objects.create(
        consultation=done, created_by=owner, **translated("name"), **translated("description")
    )
    outcome_services.report_save(consultation=done, actor=owner, fields=translated("summary"))
    report = outcome_services.report_publish(consultation=done, actor=owner)
    ThemeResponse.objects.create(
        report=report, theme=theme, **translated("what_we_heard"), **translated("response")
    )
    commitment = outcome_services.commitment_save(
        consultation=done,
        actor=editor,
        fields={**translated("action"), **translated("reason"), "responsible_body": PAYLOAD},
    )
    return {"live": live, "done": done, "theme": theme, "commitment": commitment}


JS_IN_ATTRIBUTE = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_inert(body: str, where: str) -> None:
    assert SCRIPT not in body, f"unescaped <script> on {where}"
    assert "<img src=x" not in body, f"unescaped <img onerror> on {where}"
    for match in re.finditer(r"onerror=", body):
        before = body[max(0, match.start() - 40) : match.start()]
        assert "&lt;img" in before or "\\u003c" in before.lower(), f"live onerror= on {where}"
    assert not JS_IN_ATTRIBUTE.search(body), f"javascript: URL in an attribute on {where}"


def test_payloads_are_inert_on_public_pages(client, planted):
    pages = []
    for lang in LANGS:
        pages += [
            f"/{lang}/consultations/",
            f"/{lang}/consultations/live/",
            f"/{lang}/consultations/live/easy-read/",
            f"/{lang}/consultations/done/",
            f"/{lang}/consultations/done/outcome/",
            f"/{lang}/commitments/",
            f"/{lang}/take-part/live/",
        ]
    shown = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} → {response.status_code}"
        body = response.content.decode()
        assert_inert(body, url)
        shown += ESCAPED_SCRIPT in body
    assert shown == len(pages), "every page shows the planted text, escaped"

    # The citizen form: questions, help, choices and the person's own answer.
    start = client.post("/ms/take-part/live/", {"idempotency_key": str(uuid.uuid4())})
    private = start["Location"]
    form = client.get(private)
    assert_inert(form.content.decode(), private)
    assert ESCAPED_SCRIPT in form.content.decode()
    text = Question.objects.filter(section__consultation=planted["live"]).get(kind="text")
    client.post(private, {f"q{text.pk}": PAYLOAD})
    check = client.get(private.replace("section/1/", "check/"))
    assert_inert(check.content.decode(), "the check page")
    assert ESCAPED_SCRIPT in check.content.decode()
    print(f"\n[security] XSS: {len(pages) + 2} public pages checked")


def _staff_world(planted) -> list[dict]:
    live, done = planted["live"], planted["done"]
    worlds = []
    for consultation in (live, done):
        section = consultation.sections.first()
        question = section.questions.filter(kind=Question.Kind.SINGLE).first()
        event = consultation.events.first()
        worlds.append(
            {
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
                "theme_pk": planted["theme"].pk,
                "commitment_pk": planted["commitment"].pk,
                "baseline_pk": 1,
                "job_pk": 1,
                "campaign_pk": 1,
                "suggestion_pk": 1,
                "uidb64": "x",
                "token": "x",
            }
        )
    return worlds


def test_payloads_are_inert_on_staff_pages(client_for, owner, planted):
    client = client_for(owner)
    checked = 0
    shown = 0
    for name, pattern in staff_patterns():
        params = list(pattern.pattern.converters)
        for world in _staff_world(planted):
            with translation.override("en"):
                url = reverse(name, kwargs={p: world[p] for p in params})
            response = client.get(url)
            if response.status_code != 200 or response.get("Content-Type", "").startswith(
                "text/csv"
            ):
                continue
            body = response.content.decode()
            assert_inert(body, url)
            checked += 1
            shown += ESCAPED_SCRIPT in body
            if not params:
                break
    print(f"\n[security] XSS: {checked} staff pages checked, {shown} show a payload")
    assert checked >= 30
    assert shown >= 20


def test_payloads_stay_data_in_open_data_and_the_api(client, planted):
    csv_response = client.get("/en/consultations/done/outcome/data.csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(PAYLOAD in cell for cell in cells), "the payload is published as data"
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == [], f"formula cells not neutralised: {dangerous[:5]}"
    for formula in FORMULAS:
        assert f"'{formula}" in cells

    for url in [
        "/en/consultations/done/outcome/data.json",
        "/api/v1/consultations/",
        "/api/v1/consultations/live/",
        "/api/v1/events/",
        "/api/v1/outcomes/done/",
        "/api/v1/outcomes/done/answers/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} → {response.status_code}"
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        as_json = json.dumps(json.loads(body), ensure_ascii=False)
        assert json.dumps(PAYLOAD, ensure_ascii=False)[1:-1] in as_json, url


# Cookies ---------------------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "x7#kq!v2$wz9@m4p&r8t^y1u*i6o(e3a)s5d-f0g+h=j_l%c~b`n",
    "ALLOWED_HOSTS": "suara.example.org",
}


def test_production_cookies_are_secure_and_http_only():
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True] * 5


# bandit ----------------------------------------------------------------------------------


def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-c",
            "pyproject.toml",
            "-r",
            *["accounts", "config", "consult", "feedback", "outcomes", "notifications"],
            "-ll",
            "-f",
            "json",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: "
        f"{r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert findings == [], "\n".join(findings)
    scanned = report["metrics"]["_totals"]["loc"]
    print(f"\n[security] bandit: {scanned} lines scanned, no medium or high finding")
    assert scanned > 5000
