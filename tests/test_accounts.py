"""Staff accounts: email sign-in, sign-out, password reset, argon2, organisation scoping."""

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail

from accounts import permissions
from accounts.models import Organisation, Role, User
from tests.conftest import PASSWORD, make_member


def test_sign_in_with_email_reaches_the_workspace(client, editor):
    response = client.post(
        "/en/staff/sign-in/", {"username": editor.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/staff/"
    assert client.get("/en/staff/").status_code == 200


def test_sign_in_with_wrong_password_shows_the_error_summary(client, owner):
    response = client.post("/en/staff/sign-in/", {"username": owner.email, "password": "nope"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "<title>Error: Staff sign in – Suara</title>" in html
    assert f'value="{owner.email}"' in html


def test_sign_in_with_empty_fields_links_each_error_to_its_field(client, db):
    response = client.post("/en/staff/sign-in/", {"username": "", "password": ""})

    html = response.content.decode()
    assert '<a href="#id_username">' in html
    assert '<a href="#id_password">' in html
    assert 'aria-describedby="id_username-error"' in html


def test_sign_out_is_a_post(client, owner):
    client.force_login(owner)

    response = client.post("/en/staff/sign-out/")

    assert response.status_code == 302
    assert client.get("/en/staff/").status_code == 302


def test_workspace_needs_sign_in(client, db):
    response = client.get("/en/staff/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/sign-in/")


def test_password_reset_by_email_sets_a_new_password(client, owner):
    client.post("/en/staff/password-reset/", {"email": owner.email})
    link = re.search(r"http://testserver(/en/staff/password-reset/\S+/)", mail.outbox[0].body)
    form_url = client.get(link.group(1))["Location"]

    response = client.post(
        form_url,
        {"new_password1": "a brand new phrase 42", "new_password2": "a brand new phrase 42"},
    )

    owner.refresh_from_db()
    assert len(mail.outbox) == 1
    assert response["Location"] == "/en/staff/password-reset/done/"
    assert owner.check_password("a brand new phrase 42")


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = User.objects.create_user("hash@example.org", "some long password")

    assert identify_hasher(user.password).algorithm == "argon2"


def test_email_is_unique_ignoring_case(db):
    User.objects.create_user("Someone@Example.org", "pw-1234567")

    with pytest.raises(Exception, match="unique"):
        User.objects.create_user("someone@example.org", "pw-1234567")


@pytest.mark.parametrize(
    ("role", "group", "allowed"),
    [
        (Role.OWNER, permissions.MANAGE, True),
        (Role.EDITOR, permissions.MANAGE, False),
        (Role.EDITOR, permissions.EDIT, True),
        (Role.ANALYST, permissions.EDIT, False),
        (Role.ANALYST, permissions.ANALYSE, True),
        (Role.FACILITATOR, permissions.ANALYSE, False),
        (Role.FACILITATOR, permissions.ASSIST, True),
        (None, permissions.ANY_ROLE, False),
    ],
)
def test_has_role_matrix(organisation, other_organisation, role, group, allowed):
    user = (
        make_member(organisation, role)
        if role
        else make_member(other_organisation, Role.OWNER, "outsider@example.org")
    )

    assert permissions.has_role(user, organisation, group) is allowed


def test_scope_returns_only_the_users_organisations(organisation, other_organisation, editor):
    scoped = permissions.scope(Organisation.objects.all(), editor, via="pk")

    assert list(scoped) == [organisation]


def test_scope_gives_anonymous_users_nothing(organisation):
    from django.contrib.auth.models import AnonymousUser

    assert list(permissions.organisations(AnonymousUser())) == []


def test_get_scoped_or_404_hides_other_organisations(other_organisation, editor):
    from django.http import Http404

    with pytest.raises(Http404):
        permissions.get_scoped_or_404(
            Organisation.objects.all(), editor, via="pk", pk=other_organisation.pk
        )
