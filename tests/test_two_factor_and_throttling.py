"""Staff sign-in security: throttling after failures, two-factor required for owners."""

import re

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry
from tests.conftest import PASSWORD, verified_device


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/en/staff/sign-in/", {"username": email, "password": password})


def current_code(device: TOTPDevice) -> str:
    return (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    )


def test_sign_in_is_locked_after_five_failures(client, editor):
    for _ in range(5):
        sign_in(client, editor.email, "wrong password")

    response = sign_in(client, editor.email)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_lockout_is_per_email_and_address(client, editor, analyst):
    for _ in range(5):
        sign_in(client, editor.email, "wrong password")

    response = sign_in(client, analyst.email)

    assert response.status_code == 302


def test_owner_without_a_device_must_set_up_two_factor(client, owner):
    sign_in(client, owner.email)

    response = client.get("/en/staff/consultations/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/two-factor/set-up/")


def test_owner_sets_up_an_authenticator_and_reaches_the_workspace(client, owner):
    sign_in(client, owner.email)
    page = client.get("/en/staff/two-factor/set-up/?next=/en/staff/consultations/")
    device = TOTPDevice.objects.get(user=owner, confirmed=False)

    right = client.post(
        "/en/staff/two-factor/set-up/",
        {"token": current_code(device), "next": "/en/staff/consultations/"},
    )

    assert "<svg" in page.content.decode()
    assert re.search(r"<code>[A-Z2-7 ]{16,}</code>", page.content.decode())
    assert right["Location"] == (
        "/en/staff/two-factor/recovery-codes/?next=%2Fen%2Fstaff%2Fconsultations%2F"
    )
    assert client.get("/en/staff/consultations/").status_code == 200
    assert TOTPDevice.objects.get(user=owner).confirmed is True


def test_staff_with_a_device_must_give_a_code_after_the_password(client, editor):
    device = verified_device(editor)
    sign_in(client, editor.email)

    asked = client.get("/en/staff/")
    client.post("/en/staff/two-factor/", {"token": current_code(device), "next": "/en/staff/"})
    after = client.get("/en/staff/")

    assert asked["Location"].startswith("/en/staff/two-factor/")
    assert after.status_code == 200


def test_editor_without_a_device_is_not_forced(client, editor):
    sign_in(client, editor.email)

    assert client.get("/en/staff/").status_code == 200


def test_two_factor_next_parameter_cannot_leave_the_site(client, editor):
    device = verified_device(editor)
    sign_in(client, editor.email)

    response = client.post(
        "/en/staff/two-factor/", {"token": current_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/en/staff/"


def test_wrong_code_is_refused_with_a_clear_error(client, owner):
    sign_in(client, owner.email)
    client.get("/en/staff/two-factor/set-up/")

    response = client.post("/en/staff/two-factor/set-up/", {"token": "000000"})

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert TOTPDevice.objects.get(user=owner).confirmed is False


def set_up(client: Client, user) -> list[str]:
    """Sign in, set up an authenticator app; the recovery codes shown once afterwards."""
    sign_in(client, user.email)
    client.get("/en/staff/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = client.post(
        "/en/staff/two-factor/set-up/",
        {"token": current_code(device), "next": "/en/staff/consultations/"},
        follow=True,
    )
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())


def test_set_up_shows_ten_recovery_codes_once(client, owner):
    codes = set_up(client, owner)

    again = client.get("/en/staff/two-factor/recovery-codes/").content.decode()

    assert len(set(codes)) == 10
    assert not any(code in again for code in codes)
    assert "Recovery codes left: 10." in again


def test_a_recovery_code_signs_in_once_instead_of_the_app(client, owner):
    codes = set_up(client, owner)
    client.post("/en/staff/sign-out/")
    sign_in(client, owner.email)
    asked = client.get("/en/staff/two-factor/")

    used = client.post(
        "/en/staff/two-factor/", {"token": codes[0].upper(), "next": "/en/staff/consultations/"}
    )
    left = client.get(used["Location"]).content.decode()
    workspace = client.get("/en/staff/consultations/")
    client.post("/en/staff/sign-out/")
    sign_in(client, owner.email)
    reused = client.post("/en/staff/two-factor/", {"token": codes[0]})

    assert "Lost your phone? Type one of your recovery codes instead." in asked.content.decode()
    assert used["Location"].startswith("/en/staff/two-factor/recovery-codes/")
    assert "Recovery codes left: 9." in left
    assert workspace.status_code == 200
    assert reused.status_code == 200
    assert "The code is not right" in reused.content.decode()
    assert (
        AuditEntry.objects.filter(actor=owner, action="two_factor.recovery_code_used").count() == 1
    )


def test_new_recovery_codes_stop_the_old_ones(client, owner):
    old = set_up(client, owner)

    new = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>",
        client.post("/en/staff/two-factor/recovery-codes/", follow=True).content.decode(),
    )
    client.post("/en/staff/sign-out/")
    sign_in(client, owner.email)
    accepted = client.post("/en/staff/two-factor/", {"token": new[1]})
    client.post("/en/staff/sign-out/")
    sign_in(client, owner.email)
    refused = client.post("/en/staff/two-factor/", {"token": old[1]})

    assert len(new) == 10
    assert not set(old) & set(new)
    assert refused.status_code == 200
    assert accepted.status_code == 302


def test_recovery_codes_need_the_second_factor_first(client, editor):
    verified_device(editor)
    sign_in(client, editor.email)

    response = client.post("/en/staff/two-factor/recovery-codes/")

    assert response["Location"].startswith("/en/staff/two-factor/?next=")
    assert not StaticDevice.objects.filter(user=editor).exists()
