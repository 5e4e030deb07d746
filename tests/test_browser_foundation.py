"""Pages in a real browser: right-to-left Arabic, and zero axe-core violations."""

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/{lang}/",
    "/{lang}/accessibility/",
    "/{lang}/staff/sign-in/",
    "/{lang}/staff/password-reset/",
]


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(page, lang, path):
    url = path.format(lang=lang)
    page.goto(url)

    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert_accessible(page, "foundation" + url.replace("/", "-").rstrip("-"))


def test_arabic_home_is_right_to_left(page):
    page.goto("/ar/")

    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_sign_in_errors_are_accessible(page):
    page.goto("/en/staff/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert_accessible(page, "foundation-en-sign-in-errors")


def test_language_switcher_changes_language_on_the_same_page(page):
    page.goto("/en/accessibility/")
    page.get_by_role("link", name="العربية").click()

    assert page.url.endswith("/ar/accessibility/")


def test_home_reflows_at_320_pixels_without_horizontal_scrolling(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/en/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_two_factor_set_up_recovery_codes_and_code_page_are_accessible(page, owner, lang):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    def password_step():
        page.goto(f"/{lang}/staff/sign-in/")
        page.locator("#id_username").fill(owner.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()

    password_step()  # an owner without an app is sent to set one up
    assert_accessible(page, f"foundation-{lang}-two-factor-set-up")
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.locator("#id_token").fill(f"{token:06d}")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, f"foundation-{lang}-recovery-codes")

    page.context.clear_cookies()
    password_step()
    assert page.url.split("?")[0].endswith(f"/{lang}/staff/two-factor/")
    assert_accessible(page, f"foundation-{lang}-two-factor-code")
    page.locator("#id_token").fill(codes[0])
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    assert "/staff/two-factor/recovery-codes/" in page.url
    assert page.locator(".recovery-codes").count() == 0
    assert_accessible(page, f"foundation-{lang}-recovery-codes-left")
