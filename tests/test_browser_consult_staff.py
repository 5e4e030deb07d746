"""The staff workspace in a real browser: create a consultation in English and Malay, add
questions, and no axe-core violations on any staff page in English or Arabic."""

import datetime as dt

import pytest
from django.utils import timezone

from consult.models import Consultation, Question, State
from tests.conftest import assert_accessible, sign_in
from tests.factories import ConsultationFactory, EventFactory, QuestionFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_staff_creates_a_consultation_with_three_kinds_of_question(page, editor):
    sign_in(page, editor)
    page.goto("/en/staff/consultations/new/")
    page.get_by_role("button", name="Save").click()
    assert_accessible(page, "staff-new-consultation-errors")

    page.locator("#id_title_en").fill("Clean water for every village")
    page.locator("#id_summary_en").fill("How should piped water reach remote villages?")
    page.locator("summary", has_text="Bahasa Melayu").click()
    page.locator("#id_title_ms").fill("Air bersih untuk setiap kampung")
    page.locator("#id_summary_ms").fill("Bagaimana air paip sampai ke kampung terpencil?")
    page.locator("#id_opens_at").fill(local(1))
    page.locator("#id_closes_at").fill(local(30))
    page.locator("#id_outcome_due").fill(
        (timezone.now() + dt.timedelta(days=60)).date().isoformat()
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    consultation = Consultation.objects.get()
    assert_accessible(page, "staff-consultation-detail")

    page.get_by_role("link", name="Add a section").click()
    page.locator("#id_title_en").fill("Your water")
    page.locator("summary", has_text="Bahasa Melayu").click()
    page.locator("#id_title_ms").fill("Air anda")
    assert_accessible(page, "staff-section-form")
    page.get_by_role("button", name="Save").click()

    questions = [
        ("text", "What would change your life most?", "Apa yang paling mengubah hidup anda?", ""),
        ("single", "Where do you get water?", "Dari mana anda mendapat air?", "Tap\nWell\nRiver"),
        ("scale", "How safe is your water?", "Betapa selamat air anda?", "Unsafe\nUnsure\nSafe"),
    ]
    for kind, text_en, text_ms, choices in questions:
        page.get_by_role("link", name="Add a question").first.click()
        page.locator(f"input[name=kind][value={kind}]").check()
        page.locator("#id_text_en").fill(text_en)
        if choices:
            page.locator("#id_choices_en").fill(choices)
        page.locator("summary", has_text="Bahasa Melayu").click()
        page.locator("#id_text_ms").fill(text_ms)
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()

    assert list(
        Question.objects.filter(section__consultation=consultation).values_list("kind", "text_ms")
    ) == [(kind, text_ms) for kind, _en, text_ms, _c in questions]
    assert consultation.title_ms == "Air bersih untuk setiap kampung"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_staff_page_has_no_axe_violations(page, owner, organisation, lang):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    section = SectionFactory(consultation=consultation)
    question = QuestionFactory(section=section)
    event = EventFactory(consultation=consultation)
    sign_in(page, owner, lang)
    base = f"/{lang}/staff/consultations/{consultation.pk}"
    urls = [
        f"/{lang}/staff/",
        f"/{lang}/staff/consultations/",
        f"{base}/",
        f"{base}/edit/",
        f"{base}/audit/",
        f"{base}/extend/",
        f"{base}/do/close/",
        f"{base}/sections/{section.pk}/",
        f"{base}/sections/{section.pk}/questions/{question.pk}/",
        f"{base}/events/{event.pk}/",
        f"{base}/documents/new/",
    ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page, "staff" + url.replace("/", "-").rstrip("-"))
