"""The citizen form in a real browser: keyboard only at 320 px, Arabic, no JavaScript, axe-core."""

import re
import uuid

import pytest
from django.core.cache import cache

from consult.models import Consultation, Question, State
from feedback.models import Submission
from tests.conftest import assert_accessible, sign_in
from tests.factories import ConsultationFactory, TargetGroupFactory, consultation_with_every_kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def consultation(organisation):
    consultation = consultation_with_every_kind(
        organisation=organisation,
        slug="air-bersih",
        title_ms="Air bersih untuk setiap kampung",
        title_ar="مياه نظيفة لكل قرية",
    )
    consultation.target_groups.add(TargetGroupFactory(name_en="Older persons"))
    return consultation


def question_id(consultation: Consultation, text: str) -> int:
    return Question.objects.get(section__consultation=consultation, text_en=text).pk


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _n in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def press_enter_on(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_malay_keyboard_only_at_320px_with_an_error_corrected(page, consultation):
    text = question_id(consultation, "What matters most to you?")
    travel = question_id(consultation, "How do you travel?")
    ranking = question_id(consultation, "Rank these priorities")
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/ms/take-part/air-bersih/")
    assert page.locator("html").get_attribute("lang") == "ms"
    assert_accessible(page, "feedback-ms-start")

    press_enter_on(page, "main button[type=submit]")
    assert re.search(r"/ms/take-part/air-bersih/r/[^/]+/section/1/$", page.url)
    assert_accessible(page, "feedback-ms-section-1")
    title = page.title()
    press_enter_on(page, "main form button[type=submit]")

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.locator("a").count() == 2
    assert page.title().endswith(title) and page.title() != title  # "Error: " first
    assert_accessible(page, "feedback-ms-section-1-errors")
    tab_to(page, f"#id_q{text}")
    page.keyboard.type("Air bersih untuk semua")
    tab_to(page, f"#id_q{travel}_0")
    page.keyboard.press("Space")
    press_enter_on(page, "main form button[type=submit]")

    assert page.url.endswith("/section/2/")
    assert_accessible(page, "feedback-ms-section-2")
    # Typing a letter picks the first option starting with it: "Kedua" (2nd), "Pertama" (1st).
    tab_to(page, f"#id_q{ranking}_0")
    page.keyboard.type("k")
    tab_to(page, f"#id_q{ranking}_1")
    page.keyboard.type("k")
    press_enter_on(page, "main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "feedback-ms-section-2-errors")
    tab_to(page, f"#id_q{ranking}_1")
    page.keyboard.type("p")
    press_enter_on(page, "main form button[type=submit]")

    assert page.url.endswith("/about-you/")
    assert_accessible(page, "feedback-ms-about-you")
    press_enter_on(page, "main form button[type=submit]")
    assert page.url.endswith("/contact/")
    assert_accessible(page, "feedback-ms-contact")
    press_enter_on(page, "main form button[type=submit]")
    assert page.url.endswith("/check/")
    assert "Air bersih untuk semua" in page.locator("main").inner_text()
    assert_accessible(page, "feedback-ms-check")
    press_enter_on(page, "main form button[type=submit]")

    assert page.url.endswith("/done/")
    reference = page.locator("[data-reference]").inner_text()
    assert REFERENCE.match(reference)
    assert Submission.objects.get().reference == reference
    assert Submission.objects.get().language == "ms"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "feedback-ms-done")


def test_arabic_response_right_to_left(page, consultation):
    text = question_id(consultation, "What matters most to you?")
    page.goto("/ar/take-part/air-bersih/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page, "feedback-ar-start")

    page.locator("main button[type=submit]").click()
    page.locator(f"#id_q{text}").fill("مياه نظيفة")
    page.locator(".choices input[type=radio]").first.check()
    page.locator("main form button[type=submit]").click()
    page.locator("main form button[type=submit]").click()
    page.get_by_label("Older persons").check()
    page.locator("#id_consent").check()
    page.locator("main form button[type=submit]").click()
    page.locator("#id_email").fill("not-an-email")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "feedback-ar-contact-errors")
    page.locator("#id_email").fill("amal@example.org")
    page.locator("#id_outcome_news").check()
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "feedback-ar-check")
    page.locator("main form button[type=submit]").click()

    assert REFERENCE.match(page.locator("[data-reference]").inner_text())
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page, "feedback-ar-done")
    page.goto(page.locator(".private-link a").get_attribute("href").split("8000", 1)[-1])
    assert_accessible(page, "feedback-ar-resume")
    page.locator("main a.button--warning").click()
    assert_accessible(page, "feedback-ar-withdraw")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "feedback-ar-withdraw-errors")
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").click()
    assert Submission.objects.get().state == Submission.State.WITHDRAWN


def test_whole_form_works_without_javascript(chromium, live_server, consultation):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    text = question_id(consultation, "What matters most to you?")
    page.goto("/en/take-part/air-bersih/")

    page.get_by_role("button", name="Start now").click()
    page.locator(f"#id_q{text}").fill("Water for everyone")
    page.get_by_label("Train").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Clinics").select_option(label="1st")
    page.get_by_label("Schools").select_option(label="2nd")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("How many people live in your home?").fill("3")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send my response").click()

    assert REFERENCE.match(page.locator("[data-reference]").inner_text())
    submission = Submission.objects.get()
    assert submission.state == Submission.State.SUBMITTED
    assert submission.answers.count() == 5
    context.close()


def test_other_pages_have_no_axe_violations(page, consultation):
    closed = ConsultationFactory(slug="closed-one", state=State.CLOSED)
    assisted = ConsultationFactory(slug="assisted-one", mode=Consultation.Mode.ASSISTED_ONLY)
    for slug in (closed.slug, assisted.slug):
        page.goto(f"/en/take-part/{slug}/")
        assert_accessible(page, f"feedback-{slug}")
    page.goto("/en/take-part/air-bersih/")
    page.locator("main button[type=submit]").click()
    token = page.url.split("/r/")[1].split("/")[0]
    page.goto(f"/en/take-part/air-bersih/r/{token}/check/")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary a").count() == 2
    assert_accessible(page, "feedback-check-errors")
    page.goto(f"/en/take-part/air-bersih/r/{token}/")
    assert_accessible(page, "feedback-resume-draft")
    page.goto(f"/en/take-part/air-bersih/r/{token}/confirm/{uuid.uuid4()}/")
    assert_accessible(page, "feedback-confirm")


def test_staff_pages_have_no_axe_violations(page, consultation, facilitator):
    sign_in(page, facilitator)
    for path, name in [
        ("", "overview"),
        ("new/", "assist"),
        ("preview/", "preview"),
        ("import/", "import"),
    ]:
        page.goto(f"/en/staff/responses/{consultation.pk}/{path}")
        assert_accessible(page, f"feedback-staff-{name}")
    page.goto(f"/en/staff/responses/{consultation.pk}/new/")
    page.get_by_role("button", name="Save this response").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "feedback-staff-assist-errors")
