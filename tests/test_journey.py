"""The whole journey in a real browser, end to end, on the real stack.

A civil servant creates and schedules a consultation; the real beat task, run on the real
Celery worker, opens it on time; three people take part (Malay keyboard-only at 320 px,
Arabic, no JavaScript) and a facilitator enters a paper response; the beat task closes it
and the closing message arrives; an analyst codes answers and accepts a suggested theme;
the owner writes the outcome and publishes it; the outcome message and the follow-up
survey arrive; the public report shows the figures, small groups suppressed.

Every page visited passes axe-core, the Nu HTML checker and has no CSP violation (the
no-JavaScript pages are Nu- and CSP-checked as seen; axe-core, itself a script, runs on the
same address in a browser with JavaScript). Every citizen-facing page weighs under 100 KB:
the bodies of every response of its navigation (HTML, CSS, JS, images), uncompressed, so an
upper bound of what travels, measured in the browser with the HTTP cache off so that every
page is weighed as a first visit.

Opening: the owner sets the opening time a few seconds ahead on the edit page and schedules.
Closing: no staff page brings a deadline nearer ("extend" only moves it later), so the test
sets closes_at two seconds ahead in the database, waits, and runs the beat task.

Planted data, said plainly: twelve background responses (tests.factories.sent_response)
so that the analysis has the ten answers suggestions need and some figures reach the
suppression threshold (5, unchanged); and four follow-up responses beside the one given
in the browser, so that the report's follow-up figures reach the threshold too.
"""

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from consult.models import Consultation, Question, State
from feedback.models import Submission
from outcomes import messaging
from outcomes.models import Coding, FollowUpResponse, Report, Theme
from tests.conftest import ARTIFACTS, assert_accessible, assert_valid_html, sign_in
from tests.factories import TargetGroupFactory, sent_response

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

BUDGET = 100 * 1024
REFERENCE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


class Journey:
    """Opens browser pages and keeps the tallies: pages checked, citizen page weights."""

    def __init__(self, chromium, live_server, validator):
        self.chromium = chromium
        self.base_url = live_server.url
        self.validator = validator
        self.contexts = []
        self.checked = 0
        self.weights: dict[str, int] = {}
        self.mirror = None

    def page(self, **context_options):
        context = self.chromium.new_context(base_url=self.base_url, **context_options)
        self.contexts.append(context)
        page = context.new_page()
        page.html_validator = self.validator
        page.csp_violations = []
        page.on(
            "console",
            lambda msg: (
                page.csp_violations.append(msg.text)
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        # Routing turns the HTTP cache off: every page is weighed as a first visit.
        page.route("**/*", lambda route: route.continue_())
        page.responses = []

        def on_request(request):
            if request.is_navigation_request() and request.frame == page.main_frame:
                page.responses.clear()

        page.on("request", on_request)
        page.on("response", lambda response: page.responses.append(response))
        return page

    def check(self, page, step: str, *, citizen: bool = False) -> None:
        page.wait_for_load_state("load")
        if citizen:
            self.weigh(page, step)
        assert_accessible(page, f"journey-{step}")
        self.checked += 1

    def check_without_js(self, page, step: str) -> None:
        """A page seen without JavaScript: weighed, screenshot, Nu-checked and CSP-checked
        as it is; axe-core (a script, which never finishes where scripts are off) runs on
        the same address in a browser with JavaScript."""
        page.wait_for_load_state("load")
        self.weigh(page, step)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"journey-{step}.png", full_page=True)
        assert_valid_html(self.validator, page.content(), page.url)
        assert page.csp_violations == [], page.csp_violations
        if self.mirror is None:
            self.mirror = self.page()
        response = self.mirror.goto(page.url)
        assert response.status == 200 and self.mirror.url == page.url, page.url
        assert_accessible(self.mirror, f"journey-{step}-axe")
        self.checked += 1

    def weigh(self, page, step: str) -> None:
        total = 0
        for response in list(page.responses):
            if 300 <= response.status < 400:
                continue  # a redirect has no body to read
            total += len(response.body())
        assert total > 0, f"nothing measured on {page.url}"
        assert total < BUDGET, f"{page.url} transfers {total} bytes, over {BUDGET}"
        self.weights[step] = total

    def close(self):
        for context in self.contexts:
            context.close()


def tab_to(page, selector: str, limit: int = 150) -> None:
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


def local(moment: dt.datetime, seconds: bool = False) -> str:
    """A datetime-local value in the site's time zone (UTC, the form's default)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S" if seconds else "%Y-%m-%dT%H:%M")


def wait_until(condition, what: str, timeout: float = 30, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def mails_with(fragment: str) -> list:
    return [message for message in mail.outbox if fragment in message.body]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


QUESTIONS = [
    # kind, English, Malay, choices (English; Malay)
    ("text", "What would change your life most?", "Apa yang paling mengubah hidup anda?", "", ""),
    (
        "single",
        "Where do you get water?",
        "Dari mana anda mendapat air?",
        "Tap\nWell\nRiver",
        "Paip\nPerigi\nSungai",
    ),
    (
        "multiple",
        "What do you use water for?",
        "Untuk apa anda menggunakan air?",
        "Drinking\nCooking\nFarming",
        "Minum\nMemasak\nBertani",
    ),
    ("yes_no", "Is your water safe to drink?", "Adakah air anda selamat diminum?", "", ""),
]


def test_the_whole_journey(
    chromium,
    live_server,
    html_validator,
    celery_worker,
    settings,
    organisation,
    owner,
    analyst,
    facilitator,
):
    started = time.monotonic()
    # As the `page` fixture: the live server serves static files through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()  # rate limits and beat locks from other runs
    older = TargetGroupFactory(slug="elders", name_en="Village elders", name_ms="Warga tua kampung")
    youth = TargetGroupFactory(slug="farmers", name_en="Young farmers", name_ms="Petani muda")
    journey = Journey(chromium, live_server, html_validator)
    try:
        run(journey, organisation, owner, analyst, facilitator, older, youth)
    finally:
        journey.close()
    largest = max(journey.weights, key=journey.weights.get)
    print(
        f"\nJOURNEY: {journey.checked} pages checked (axe-core, Nu HTML checker, CSP), "
        f"{len(journey.weights)} citizen pages weighed, largest {largest} "
        f"{journey.weights[largest] / 1024:.1f} KB, {time.monotonic() - started:.0f} s"
    )
    for step, weight in sorted(journey.weights.items(), key=lambda item: -item[1]):
        print(f"  {weight / 1024:6.1f} KB  {step}")


def run(journey, organisation, owner, analyst, facilitator, older, youth):
    # 1. A civil servant (an owner, with two-factor sign-in) creates the consultation.
    staff = journey.page()
    sign_in(staff, owner)
    journey.check(staff, "staff-dashboard")
    staff.goto("/en/staff/consultations/new/")
    journey.check(staff, "staff-new-consultation")
    staff.locator("#id_title_en").fill("Clean water for every village")
    staff.locator("#id_summary_en").fill("How should piped water reach remote villages?")
    staff.locator("summary", has_text="Bahasa Melayu").click()
    staff.locator("#id_title_ms").fill("Air bersih untuk setiap kampung")
    staff.locator("#id_summary_ms").fill("Bagaimana air paip sampai ke kampung terpencil?")
    staff.locator(f"input[name=target_groups][value='{older.pk}']").check()
    staff.locator(f"input[name=target_groups][value='{youth.pk}']").check()
    staff.locator("#id_opens_at").fill(local(timezone.now() + dt.timedelta(days=1)))
    staff.locator("#id_closes_at").fill(local(timezone.now() + dt.timedelta(days=30)))
    staff.locator("#id_outcome_due").fill(
        (timezone.now() + dt.timedelta(days=60)).date().isoformat()
    )
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_load_state()
    consultation = Consultation.objects.get()
    assert consultation.state == State.DRAFT
    journey.check(staff, "staff-consultation-draft")

    staff.get_by_role("link", name="Add a section").click()
    staff.locator("#id_title_en").fill("Your water")
    staff.locator("summary", has_text="Bahasa Melayu").click()
    staff.locator("#id_title_ms").fill("Air anda")
    journey.check(staff, "staff-section-form")
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_load_state()
    for n, (kind, text_en, text_ms, choices_en, choices_ms) in enumerate(QUESTIONS):
        staff.get_by_role("link", name="Add a question").first.click()
        staff.locator(f"input[name=kind][value={kind}]").check()
        staff.locator("#id_text_en").fill(text_en)
        if choices_en:
            staff.locator("#id_choices_en").fill(choices_en)
        staff.locator("summary", has_text="Bahasa Melayu").click()
        staff.locator("#id_text_ms").fill(text_ms)
        if choices_ms:
            staff.locator("#id_choices_ms").fill(choices_ms)
        if n == 0:
            journey.check(staff, "staff-question-form")
        staff.get_by_role("button", name="Save").click()
        staff.wait_for_load_state()
    questions = {
        q.kind: q
        for q in Question.objects.filter(section__consultation=consultation).order_by("position")
    }
    assert [(q.kind, q.text_ms) for q in questions.values()] == [
        (kind, text_ms) for kind, _en, text_ms, _c, _m in QUESTIONS
    ]
    assert questions["single"].choices.get(position=1).label_ms == "Perigi"

    # 2. Scheduled with an opening time a few seconds ahead (set on the edit page).
    staff.goto(f"/en/staff/consultations/{consultation.pk}/edit/")
    journey.check(staff, "staff-consultation-edit")
    opens_at = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=8)
    staff.locator("#id_opens_at").fill(local(opens_at, seconds=True))
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_load_state()
    consultation.refresh_from_db()
    assert consultation.opens_at == opens_at
    staff.goto(f"/en/staff/consultations/{consultation.pk}/do/schedule/")
    journey.check(staff, "staff-schedule")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_load_state()
    consultation.refresh_from_db()
    assert consultation.state == State.SCHEDULED
    journey.check(staff, "staff-consultation-scheduled")

    # 3. It opens on time: the beat task on the worker, once the time has come.
    from consult.tasks import advance_lifecycle

    assert advance_lifecycle.delay().get(timeout=30)["opened"] == 0  # not yet
    time.sleep(max(0.0, (opens_at - timezone.now()).total_seconds()) + 0.5)
    assert advance_lifecycle.delay().get(timeout=30)["opened"] == 1
    consultation.refresh_from_db()
    assert consultation.state == State.OPEN
    slug = consultation.slug

    public = journey.page()
    public.goto(f"/en/consultations/{slug}/")
    journey.check(public, "public-consultation", citizen=True)

    # 4a. Malay, keyboard only, at 320 px.
    ms = journey.page(viewport={"width": 320, "height": 720})
    ms.goto(f"/ms/take-part/{slug}/")
    assert ms.locator("html").get_attribute("lang") == "ms"
    journey.check(ms, "ms-start", citizen=True)
    press_enter_on(ms, "main button[type=submit]")
    journey.check(ms, "ms-section", citizen=True)
    tab_to(ms, f"#id_q{questions['text'].pk}")
    ms.keyboard.type("Perigi terlalu jauh dari rumah kami")
    tab_to(ms, f"#id_q{questions['single'].pk}_0")  # a radio group is one Tab stop
    ms.keyboard.press("ArrowDown")  # arrows move within it and select: "Perigi"
    assert ms.locator(f"#id_q{questions['single'].pk}_1").is_checked()
    tab_to(ms, f"#id_q{questions['multiple'].pk}_0")
    ms.keyboard.press("Space")
    tab_to(ms, f"#id_q{questions['yes_no'].pk}_0")
    ms.keyboard.press("ArrowDown")
    assert ms.locator(f"#id_q{questions['yes_no'].pk}_1").is_checked()
    press_enter_on(ms, "main form button[type=submit]")
    assert ms.url.endswith("/about-you/"), ms.url
    journey.check(ms, "ms-about-you", citizen=True)
    press_enter_on(ms, "main form button[type=submit]")
    assert ms.url.endswith("/contact/")
    journey.check(ms, "ms-contact", citizen=True)
    tab_to(ms, "#id_email")
    ms.keyboard.type("aminah@example.org")
    tab_to(ms, "#id_outcome_news")
    ms.keyboard.press("Space")
    tab_to(ms, "#id_follow_up")
    ms.keyboard.press("Space")
    press_enter_on(ms, "main form button[type=submit]")
    assert ms.url.endswith("/check/")
    assert "Perigi terlalu jauh" in ms.locator("main").inner_text()
    journey.check(ms, "ms-check", citizen=True)
    press_enter_on(ms, "main form button[type=submit]")
    assert ms.url.endswith("/done/")
    assert REFERENCE.fullmatch(ms.locator("[data-reference]").inner_text())
    assert ms.evaluate("document.documentElement.scrollWidth") <= 320
    journey.check(ms, "ms-done", citizen=True)

    # 4b. Arabic, right to left, ticking a target group (which stays under the threshold).
    ar = journey.page()
    ar.goto(f"/ar/take-part/{slug}/")
    assert ar.locator("html").get_attribute("dir") == "rtl"
    journey.check(ar, "ar-start", citizen=True)
    ar.locator("main button[type=submit]").click()
    ar.wait_for_load_state()
    journey.check(ar, "ar-section", citizen=True)
    ar.locator(f"#id_q{questions['text'].pk}").fill("نحتاج إلى مياه نظيفة قريبة من البيت")
    ar.locator(f"#id_q{questions['single'].pk}_0").check()
    ar.locator(f"#id_q{questions['yes_no'].pk}_0").check()
    ar.locator("main form button[type=submit]").click()
    ar.wait_for_load_state()
    journey.check(ar, "ar-about-you", citizen=True)
    ar.locator(f"input[name=groups][value='{older.pk}']").check()
    ar.locator("#id_consent").check()
    ar.locator("main form button[type=submit]").click()
    ar.wait_for_load_state()
    journey.check(ar, "ar-contact", citizen=True)
    ar.locator("#id_email").fill("amal@example.org")
    ar.locator("#id_outcome_news").check()
    ar.locator("#id_follow_up").check()
    ar.locator("main form button[type=submit]").click()
    ar.wait_for_load_state()
    journey.check(ar, "ar-check", citizen=True)
    ar.locator("main form button[type=submit]").click()
    ar.wait_for_load_state()
    assert REFERENCE.fullmatch(ar.locator("[data-reference]").inner_text())
    assert ar.locator("html").get_attribute("dir") == "rtl"
    journey.check(ar, "ar-done", citizen=True)

    # 4c. English with JavaScript disabled.
    nojs = journey.page(java_script_enabled=False)
    nojs.goto(f"/en/take-part/{slug}/")
    journey.check_without_js(nojs, "nojs-start")
    nojs.get_by_role("button", name="Start now").click()
    journey.check_without_js(nojs, "nojs-section")
    nojs.locator(f"#id_q{questions['text'].pk}").fill("The well is too far from our house")
    nojs.get_by_label("River").check()
    nojs.get_by_label("Cooking").check()
    nojs.get_by_label("No", exact=True).check()
    nojs.get_by_role("button", name="Continue").click()
    journey.check_without_js(nojs, "nojs-about-you")
    nojs.get_by_role("button", name="Continue").click()
    journey.check_without_js(nojs, "nojs-contact")
    nojs.locator("#id_email").fill("ben@example.org")
    nojs.locator("#id_outcome_news").check()
    nojs.locator("#id_follow_up").check()
    nojs.get_by_role("button", name="Continue").click()
    journey.check_without_js(nojs, "nojs-check")
    nojs.get_by_role("button", name="Send my response").click()
    assert REFERENCE.fullmatch(nojs.locator("[data-reference]").inner_text())
    journey.check_without_js(nojs, "nojs-done")

    # 4d. A facilitator enters a paper response.
    desk = journey.page()
    sign_in(desk, facilitator)
    desk.goto(f"/en/staff/responses/{consultation.pk}/new/")
    journey.check(desk, "facilitator-paper-entry")
    desk.locator("input[name=received_via]").first.check()
    desk.locator("#id_received_on").fill(timezone.localdate().isoformat())
    desk.locator("#id_place").fill("Kampung Hulu community hall")
    desk.locator("#id_language").select_option("ms")
    desk.locator(f"#id_q{questions['text'].pk}").fill("Paip air ke kampung kami, tolong")
    desk.locator(f"#id_q{questions['single'].pk}_2").check()
    desk.get_by_role("button", name="Save this response").click()
    desk.wait_for_load_state()
    journey.check(desk, "facilitator-saved")

    submissions = Submission.objects.filter(consultation=consultation, state="submitted")
    assert sorted(submissions.values_list("channel", "language")) == [
        ("assisted", "ms"),
        ("online", "ar"),
        ("online", "en"),
        ("online", "ms"),
    ]

    # Planted background: twelve responses, six of them from young people.
    text_q, single_q = questions["text"], questions["single"]
    tap = single_q.choices.get(position=0)
    for n in range(6):
        sent_response(
            consultation,
            {text_q: f"The well is too far, we walk an hour every day ({n})", single_q: [tap]},
            groups=[youth],
        )
        sent_response(consultation, {text_q: f"Bus fares to the town are too expensive ({n})"})

    # 5. It closes on time: the closing time just ahead, then the beat task on the worker.
    closes_at = timezone.now() + dt.timedelta(seconds=2)
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=closes_at)
    time.sleep(2.5)
    assert advance_lifecycle.delay().get(timeout=30)["closed"] == 1
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED

    closing_link = f"/consultations/{slug}/"
    recipients = {"aminah@example.org", "amal@example.org", "ben@example.org"}

    def closing_mails():
        found = [m for m in mails_with(closing_link) if "/outcome/" not in m.body]
        found = [m for m in found if "/take-part/" not in m.body]
        return found if len(found) >= 3 else None

    closing = wait_until(closing_mails, "the closing messages")
    assert {address for m in closing for address in m.to} == recipients
    assert len(closing) == 3
    malay = next(m for m in closing if m.to == ["aminah@example.org"])
    assert "Air bersih untuk setiap kampung" in malay.subject + malay.body
    link = next(line for line in malay.body.splitlines() if closing_link in line)
    public.goto(path_of(link.strip()))
    assert public.locator("h1").inner_text().strip() == "Air bersih untuk setiap kampung"
    journey.check(public, "closing-link", citizen=True)

    # The form is closed now, and its start page says so.
    public.goto(f"/en/take-part/{slug}/")
    journey.check(public, "take-part-closed", citizen=True)

    # 6. An analyst codes free text into a theme and accepts a suggested theme.
    desk.context.clear_cookies()
    sign_in(desk, analyst)
    base = f"/en/staff/analysis/{consultation.pk}"
    desk.goto(f"{base}/themes/new/")
    journey.check(desk, "analyst-theme-form")
    desk.locator("#id_name_en").fill("Distance to water")
    desk.get_by_role("button", name="Save").click()
    desk.wait_for_load_state()
    theme = Theme.objects.get(consultation=consultation, name_en="Distance to water")
    desk.goto(f"{base}/coding/?q=far")
    journey.check(desk, "analyst-coding")
    boxes = desk.locator("input[name=answer]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    desk.locator("#tag_theme").select_option(str(theme.pk))
    desk.locator("button[name=action][value=add]").click()
    desk.wait_for_load_state()
    assert Coding.objects.filter(theme=theme).count() == 2
    desk.locator("button[name=quote]").first.click()
    desk.wait_for_load_state()
    assert Coding.objects.filter(theme=theme, is_quote=True).count() == 1
    journey.check(desk, "analyst-coded")

    desk.goto(f"{base}/suggestions/")
    journey.check(desk, "analyst-suggestions")
    desk.get_by_role("button", name="Suggest themes").click()
    desk.wait_for_load_state()

    def suggestions_ready():
        desk.goto(f"{base}/suggestions/")
        assert "failed" not in desk.locator("[data-job-state]").first.inner_text().lower()
        return desk.locator("form:has(input[value=accept])").count() > 0

    wait_until(suggestions_ready, "suggested themes", timeout=40, every=1)
    journey.check(desk, "analyst-suggestions-done")
    accept = desk.locator("form:has(input[value=accept])").first
    accept.locator("input[name=name]").fill("Bus fares")
    accept.locator("button").click()
    desk.wait_for_load_state()
    accepted = Theme.objects.get(consultation=consultation, name_en="Bus fares")
    assert Coding.objects.filter(theme=accepted, from_suggestion=True).exists()
    journey.check(desk, "analyst-suggestion-accepted")

    # 7. The owner writes the outcome, a response to each theme and a commitment; publishes.
    base = f"/en/staff/analysis/{consultation.pk}"
    staff.goto(f"{base}/report/")
    journey.check(staff, "owner-report")
    staff.goto(f"{base}/report/summary/")
    staff.locator("#id_summary_en").fill("We will pipe water to every village within a year.")
    journey.check(staff, "owner-summary-form")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_load_state()
    for n, theme_row in enumerate(Theme.objects.filter(consultation=consultation)):
        staff.goto(f"{base}/report/themes/{theme_row.pk}/")
        staff.locator("#id_what_we_heard_en").fill(f"You told us about {theme_row.name_en}.")
        staff.locator("#id_response_en").fill("We will act on it.")
        if n == 0:
            journey.check(staff, "owner-theme-response-form")
        staff.locator("main form button[type=submit]").click()
        staff.wait_for_load_state()
    staff.goto(f"{base}/report/commitments/add/")
    staff.locator("#id_action_en").fill("Dig ten new wells near the villages")
    staff.locator("#id_responsible_body").fill("State water board")
    staff.locator("#id_theme").select_option(str(theme.pk))
    journey.check(staff, "owner-commitment-form")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_load_state()
    assert consultation.commitments.count() == 1
    staff.goto(f"{base}/report/")
    journey.check(staff, "owner-report-ready")
    staff.get_by_role("button", name="Publish the outcome report").click()
    staff.wait_for_load_state()
    journey.check(staff, "owner-report-published")
    consultation.refresh_from_db()
    assert consultation.state == State.OUTCOME_PUBLISHED
    report = Report.objects.get(consultation=consultation)
    assert report.published_at is not None

    # 8. The outcome message arrives; its link opens the public report.
    outcome_link = f"/consultations/{slug}/outcome/"
    outcome = wait_until(
        lambda: (found := mails_with(outcome_link)) and len(found) >= 3 and found,
        "the outcome messages",
    )
    assert {address for m in outcome for address in m.to} == recipients
    assert len(outcome) == 3
    arabic = next(m for m in outcome if m.to == ["amal@example.org"])
    link = next(line for line in arabic.body.splitlines() if outcome_link in line)
    assert "/ar/" in link
    public.goto(f"/en{outcome_link}")
    main = public.locator("main").inner_text()
    journey.check(public, "public-report", citizen=True)
    ar.goto(path_of(link.strip()))
    journey.check(ar, "public-report-ar", citizen=True)

    # 9. The public report: the right figures, groups under the threshold suppressed
    # (below 5: "fewer than 5"; a number that would let a small one be worked out: "not
    # shown"; small target groups folded into "other groups", never named).
    def says(label: str, figure: str) -> bool:
        return re.search(rf"^{re.escape(label)}: {re.escape(figure)}$", main, re.M) is not None

    assert says("People who took part", "16")
    assert says("Through a facilitator", "fewer than 5")
    assert says("Online", "not shown")  # 16 - 15 would reveal the facilitator's figure
    assert says("English", "13 (81.2%)")
    assert says("Bahasa Melayu", "fewer than 5") and says("العربيّة", "fewer than 5")
    assert says("Not stated", "9 (56.2%)")
    assert says("Other groups, each with fewer than 5 people", "not shown")
    assert says("Young farmers", "not shown")  # 16 - 9 - 6 would reveal the village elder
    assert "Village elders" not in main
    assert says("Tap", "7 (70.0%)") and says("Well", "fewer than 5")
    assert "We will pipe water to every village within a year." in main
    assert "Dig ten new wells near the villages" in main
    assert "Distance to water" in main and "Bus fares" in main
    assert "How participants rated the process" not in main  # no follow-up answers yet

    # 10. The follow-up survey, N days after publication: sent, delivered, answered.
    due = report.published_at + dt.timedelta(days=consultation.follow_up_days)
    assert messaging.follow_up_surveys_start(now=due - dt.timedelta(minutes=1)) == 0
    assert messaging.follow_up_surveys_start(now=due) == 1
    survey = wait_until(
        lambda: (found := mails_with("/follow-up/")) and len(found) >= 3 and found,
        "the follow-up survey messages",
    )
    assert {address for m in survey for address in m.to} == recipients
    malay = next(m for m in survey if m.to == ["aminah@example.org"])
    link = next(line for line in malay.body.splitlines() if "/follow-up/" in line)
    assert "/ms/follow-up/" in link
    ms.goto(path_of(link.strip()))
    journey.check(ms, "ms-follow-up", citizen=True)
    ms.locator("input[name=felt_heard][value='4']").check()
    ms.locator("input[name=fair][value='5']").check()
    ms.locator("input[name=reflects][value='4']").check()
    ms.locator("#id_what_should_change").fill("Lebih banyak mesyuarat di kampung")
    ms.locator("main button[type=submit]").click()
    ms.wait_for_load_state()
    journey.check(ms, "ms-follow-up-thanks", citizen=True)
    assert FollowUpResponse.objects.get(consultation=consultation).language == "ms"

    # Planted: four more follow-up answers, so that the figures reach the threshold of 5.
    for _n in range(4):
        FollowUpResponse.objects.create(consultation=consultation, felt_heard=4, language="en")

    # 11. The report then shows the follow-up results.
    public.goto(f"/en{outcome_link}")
    journey.check(public, "public-report-follow-up", citizen=True)
    section = public.locator("section#follow-up, section:has(h2#follow-up)").first
    text = section.inner_text()
    assert re.search(r"Responses to the follow-up survey:\s*5", text), text
    felt_heard = section.locator("tbody tr").first.inner_text()
    assert "4" in felt_heard and "5" in felt_heard, felt_heard
    assert "fewer than 5" in text  # the other statements, answered once: suppressed
