"""The public consultation pages in a real browser: axe-core, Arabic, no JavaScript needed."""

import datetime as dt

import pytest
from django.utils import timezone

from consult.models import Consultation, State
from tests.conftest import assert_accessible
from tests.factories import (
    AttachmentFactory,
    ConsultationFactory,
    EventFactory,
    RegionFactory,
    TargetGroupFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consultations():
    """Enough consultations for two pages, one of them complete, in several languages."""
    water = TopicFactory(slug="pub-water", name_en="Water", name_ar="المياه")
    north = RegionFactory(slug="pub-north", name_en="North", name_ar="الشمال")
    older = TargetGroupFactory(slug="pub-older", name_en="Older persons", name_ar="كبار السن")
    complete = ConsultationFactory(
        slug="clean-water",
        title_en="Clean water for every village",
        title_ar="مياه نظيفة لكل قرية",
        summary_en="We plan to bring piped water to 120 remote villages.",
        summary_ar="نخطط لإيصال المياه إلى 120 قرية نائية.",
        body_en="The plan.\n\nIt has three parts.",
        easy_read_en="We want to bring clean water to your village.",
        easy_read_ar="نريد أن نوصل المياه النظيفة إلى قريتك.",
        topic=water,
        region=north,
        time_zone="Asia/Kuala_Lumpur",
        contact_name="Aminah",
        contact_email="aminah@example.org",
        contact_phone="+60 3 1234 5678",
    )
    complete.target_groups.add(older)
    AttachmentFactory(consultation=complete, title_en="Full plan", title_ar="الخطة الكاملة")
    EventFactory(
        consultation=complete,
        title_en="Village meeting",
        accessibility_en="Step-free entrance, hearing loop.",
        languages="Malay, Tamil",
    )
    for n in range(22):
        ConsultationFactory(
            title_en=f"Road plan {n}",
            state=State.CLOSED,
            closes_at=timezone.now() - dt.timedelta(days=n + 1),
            opens_at=timezone.now() - dt.timedelta(days=60),
        )
    ConsultationFactory(
        slug="assisted", title_en="Assisted only", mode=Consultation.Mode.ASSISTED_ONLY
    )
    return complete


PAGES = [
    "/{lang}/consultations/",
    "/{lang}/consultations/?topic=pub-water&region=pub-north&target_group=pub-older",
    "/{lang}/consultations/?page=2",
    "/{lang}/consultations/?q=nothing-matches-this",
    "/{lang}/consultations/?topic=no-such-topic",
    "/{lang}/consultations/clean-water/",
    "/{lang}/consultations/clean-water/easy-read/",
    "/{lang}/consultations/assisted/",
    "/{lang}/",
]


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_axe_violations(page, consultations, lang, path):
    url = path.format(lang=lang)

    page.goto(url)

    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    name = url.replace("/", "-").replace("?", "-").replace("&", "-").replace("=", "-")
    assert_accessible(page, "public" + name.rstrip("-"))


def test_api_docs_page_has_no_axe_violations(page):
    page.goto("/api/docs/")

    assert page.get_by_role("heading", level=1).inner_text() == "API documentation"
    assert_accessible(page, "public-api-docs")


def test_filters_work_without_javascript(chromium, live_server, consultations):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/en/consultations/")

    page.get_by_label("Topic").select_option(label="Water")
    page.get_by_role("button", name="Show consultations").click()

    assert "topic=pub-water" in page.url
    assert page.get_by_role("heading", level=3).all_inner_texts() == [
        "Clean water for every village"
    ]
    context.close()


def test_search_then_open_a_consultation_with_the_keyboard(page, consultations):
    page.goto("/en/consultations/")

    page.get_by_label("Search").fill("villages")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/consultations/?q=villages*")
    page.get_by_role("link", name="Clean water for every village").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/consultations/clean-water/")

    assert page.get_by_role("heading", level=1).inner_text() == "Clean water for every village"


def test_pagination_moves_to_the_next_page(page, consultations):
    page.goto("/en/consultations/")

    page.get_by_role("navigation", name="Pages of results").get_by_role(
        "link", name="Next page"
    ).click()

    page.wait_for_url("**/en/consultations/?page=2")
    assert page.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"


def test_list_reflows_at_320_pixels(page, consultations):
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto("/ar/consultations/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_text_alternative_opens_with_the_keyboard(page, consultations):
    page.goto("/en/consultations/clean-water/")

    page.locator("details summary").first.focus()
    page.keyboard.press("Enter")

    assert page.locator("details").first.get_attribute("open") is not None
