"""Unsubscribe: the link in every email, the confirm page and RFC 8058 one-click."""

import re

import pytest
from django.core import mail
from django.test import Client

from notifications import services
from notifications.models import Suppression
from notifications.specs import MessageSpec
from notifications.unsubscribe import token_make

SUBJECT = "consultation:42"


@pytest.fixture
def email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_enqueue(
            messages=[
                MessageSpec(
                    recipient="participant-1",
                    channel="email",
                    address="participant-1@example.org",
                    purpose="closing",
                    subject_key=SUBJECT,
                    language="ms",
                    subject="Perundingan telah ditutup",
                    text="Terima kasih.",
                )
            ]
        )
    return mail.outbox[0]


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.mark.django_db
def test_unsubscribe_link_in_email_body_opens_confirm_page(client, email):
    [link] = re.findall(r"http://\S+/unsubscribe/\S+/", email.body)

    response = client.get(path_of(link))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ms"' in html
    assert f'value="{SUBJECT}" checked' in html or f'value="{SUBJECT}"' in html
    assert 'value="all"' in html
    assert "<legend" in html
    assert Suppression.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_confirm_post_records_subject_only(email):
    [link] = re.findall(r"http://\S+/unsubscribe/\S+/", email.body)
    client = Client(enforce_csrf_checks=True)
    page = client.get(path_of(link))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]

    response = client.post(path_of(link), {"scope": SUBJECT, "csrfmiddlewaretoken": token})

    assert response.status_code == 200
    assert list(Suppression.objects.values_list("recipient", "scope")) == [
        ("participant-1", SUBJECT)
    ]


@pytest.mark.django_db
def test_unsubscribe_confirm_post_can_stop_everything(client):
    token = token_make(recipient="participant-1", scope=SUBJECT)

    response = client.post(f"/en/messages/unsubscribe/{token}/", {"scope": "all"})

    assert response.status_code == 200
    assert "any more messages" in response.content.decode()
    assert list(Suppression.objects.values_list("scope", flat=True)) == ["all"]


@pytest.mark.django_db
def test_unsubscribe_confirm_post_without_choice_shows_error_summary(client):
    token = token_make(recipient="participant-1", scope=SUBJECT)

    response = client.post(f"/en/messages/unsubscribe/{token}/", {})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "Choose which messages you want to stop." in html
    assert Suppression.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_one_click_post_from_mail_client_needs_no_csrf_token(email):
    header = email.extra_headers["List-Unsubscribe"]
    url = header.strip("<>")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        path_of(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = client.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == again.status_code == 200
    assert list(Suppression.objects.values_list("recipient", "scope")) == [
        ("participant-1", SUBJECT)
    ]


@pytest.mark.django_db
def test_unsubscribe_one_click_get_leads_to_confirm_page(client):
    token = token_make(recipient="participant-1", scope=SUBJECT)

    response = client.get(f"/en/messages/unsubscribe/{token}/one-click/")

    assert response.status_code == 302
    assert response["Location"] == f"/en/messages/unsubscribe/{token}/"
    assert Suppression.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribe_with_forged_token_is_refused(client):
    forged = token_make(recipient="participant-1", scope=SUBJECT)[:-3] + "abc"

    page = client.get(f"/en/messages/unsubscribe/{forged}/")
    one_click = client.post(f"/en/messages/unsubscribe/{forged}/one-click/")

    assert page.status_code == one_click.status_code == 404
    assert Suppression.objects.count() == 0


@pytest.mark.django_db
def test_unsubscribed_recipient_gets_nothing_more_about_the_subject(
    client, email, django_capture_on_commit_callbacks
):
    token = token_make(recipient="participant-1", scope=SUBJECT)
    client.post(f"/en/messages/unsubscribe/{token}/one-click/")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        created = services.messages_enqueue(
            messages=[
                MessageSpec(
                    recipient="participant-1",
                    channel="email",
                    address="participant-1@example.org",
                    purpose="outcome",
                    subject_key=SUBJECT,
                    language="ms",
                    subject="Keputusan",
                    text="Keputusan telah diterbitkan.",
                )
            ]
        )

    assert created == []
    assert mail.outbox == []
