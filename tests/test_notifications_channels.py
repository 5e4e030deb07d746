"""Channels: the email as sent, SMS length limits, and the HTTP gateway against a fake server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from notifications import services
from notifications.channels import (
    HttpSmsBackend,
    PermanentError,
    TransientError,
    sms_encoding,
    sms_fit,
    sms_segments,
)
from notifications.models import Message, State
from notifications.specs import MessageSpec

MALAY = "Terima kasih kerana mengambil bahagian dalam perundingan tentang bekalan air."
TAMIL = "ஆலோசனையில் பங்கேற்றதற்கு நன்றி. முடிவு மார்ச் மாதம் வெளியிடப்படும்."
CHINESE = "感谢您参与关于供水的公众咨询。结果将于三月公布。"


def spec(n: int = 1, **overrides) -> MessageSpec:
    fields = {
        "recipient": f"participant-{n}",
        "channel": "email",
        "address": f"participant-{n}@example.org",
        "purpose": "closing",
        "subject_key": "consultation:42",
        "language": "en",
        "subject": "The consultation on water has closed",
        "text": "Thank you for taking part.",
        "html": "<p>Thank you for <strong>taking part</strong>.</p>",
    }
    return MessageSpec(**(fields | overrides))


@pytest.fixture
def sent_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_enqueue(messages=[spec()])
    [email] = mail.outbox
    return email


@pytest.mark.django_db
def test_email_has_text_and_html_parts(sent_email):
    [(html, mimetype)] = sent_email.alternatives

    assert mimetype == "text/html"
    assert "<strong>taking part</strong>" in html
    assert sent_email.body.startswith("Thank you for taking part.")
    assert sent_email.subject == "The consultation on water has closed"
    assert sent_email.to == ["participant-1@example.org"]


@pytest.mark.django_db
def test_email_has_list_unsubscribe_headers(sent_email):
    headers = sent_email.message()

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/en/messages/unsubscribe/")
    assert headers["List-Unsubscribe"].endswith("/one-click/>")
    assert headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_email_list_unsubscribe_adds_mailto_when_configured(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_UNSUBSCRIBE_MAILTO = "unsubscribe@suara.example"

    with django_capture_on_commit_callbacks(execute=True):
        services.messages_enqueue(messages=[spec()])

    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    assert header.endswith(", <mailto:unsubscribe@suara.example?subject=unsubscribe>")


@pytest.mark.django_db
def test_email_body_without_html_gets_html_part_from_text(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_enqueue(messages=[spec(html="", text="Line one\n\nLine <two>")])

    [(html, _mimetype)] = mail.outbox[0].alternatives
    assert "<p>Line one</p>" in html
    assert "Line &lt;two&gt;" in html


# SMS length limits


def test_sms_plain_text_fits_160_characters_in_one_segment():
    text = "a" * 160

    assert sms_encoding(text) == "gsm7"
    assert sms_segments(text) == [text]
    assert len(sms_segments(text + "a")) == 2


def test_sms_malay_text_uses_gsm7_and_long_text_splits_in_153():
    text = (MALAY + " ") * 5

    segments = sms_segments(text)

    assert sms_encoding(MALAY) == "gsm7"
    assert [len(s) for s in segments[:-1]] == [153] * (len(segments) - 1)
    assert "".join(segments) == text


def test_sms_gsm7_extension_characters_count_twice():
    text = "€" * 80

    assert sms_encoding(text) == "gsm7"
    assert len(sms_segments(text)) == 1
    assert len(sms_segments(text + "€")) == 2


def test_sms_tamil_text_uses_ucs2_segments_of_70_then_67():
    assert sms_encoding(TAMIL) == "ucs2"
    assert len(TAMIL) <= 70
    assert sms_segments(TAMIL) == [TAMIL]

    long = TAMIL * 3
    segments = sms_segments(long)
    assert [len(s) for s in segments[:-1]] == [67] * (len(segments) - 1)
    assert "".join(segments) == long


def test_sms_chinese_long_text_is_cut_to_three_segments_with_ellipsis():
    text = CHINESE * 20

    fitted = sms_fit(text, max_segments=3)

    assert sms_encoding(fitted) == "ucs2"
    assert len(sms_segments(fitted)) == 3
    assert fitted.endswith("…")
    assert len(fitted) == 67 * 3


def test_sms_one_latin_accent_outside_gsm_switches_to_ucs2():
    text = "Merci de votre participation — à bientôt"  # the dash and ô are not GSM-7

    assert sms_encoding(text) == "ucs2"


def test_sms_emoji_counts_two_units_and_is_never_split():
    text = "🙂" * 40

    segments = sms_segments(text)

    assert [len(s) for s in segments] == [33, 7]


def test_sms_short_text_is_left_as_it_is():
    assert sms_fit(MALAY, max_segments=3) == MALAY


def test_sms_long_malay_text_is_cut_at_a_word_with_gsm_ellipsis():
    fitted = sms_fit(MALAY * 10, max_segments=2)

    assert len(sms_segments(fitted)) <= 2
    assert fitted.endswith("...")
    assert sms_encoding(fitted) == "gsm7"


# The HTTP gateway, against a fake gateway on 127.0.0.1


class FakeGateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {"headers": dict(self.headers), "json": json.loads(body), "path": self.path}
                )
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                answer = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.SMS_BACKEND = "notifications.channels.HttpSmsBackend"
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_TOKEN = "gateway-secret"
        yield fake


def sms(n: int = 1, **overrides) -> MessageSpec:
    fields = {
        "channel": "sms",
        "address": f"+6012345{n:04d}",
        "subject": "",
        "html": "",
        "language": "ta",
        "text": TAMIL * 5,
    }
    return spec(n, **(fields | overrides))


def test_sms_gateway_receives_json_with_bearer_token(gateway):
    provider_id = HttpSmsBackend().send(to="+60123456789", text=MALAY, reference="suara-1")

    [request] = gateway.requests
    assert provider_id == "gw-1"
    assert request["path"] == "/v1/messages"
    assert request["json"] == {"to": "+60123456789", "text": MALAY, "reference": "suara-1"}
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert request["headers"]["Idempotency-Key"] == "suara-1"


def test_sms_gateway_busy_is_transient_and_rejection_permanent(gateway):
    gateway.statuses = [503, 429, 400]
    backend = HttpSmsBackend()

    with pytest.raises(TransientError, match="503"):
        backend.send(to="+60123456789", text="a", reference="r")
    with pytest.raises(TransientError, match="429"):
        backend.send(to="+60123456789", text="a", reference="r")
    with pytest.raises(PermanentError, match="400"):
        backend.send(to="+60123456789", text="a", reference="r")


def test_sms_gateway_unreachable_is_transient():
    backend = HttpSmsBackend(url="http://127.0.0.1:1/", token="x", timeout=2)

    with pytest.raises(TransientError, match="unreachable"):
        backend.send(to="+60123456789", text="a", reference="r")


@pytest.mark.django_db
def test_sms_delivery_sends_fitted_text_in_recipient_language(
    gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [pk] = services.messages_enqueue(messages=[sms()])

    message = Message.objects.get()
    [request] = gateway.requests
    assert message.state == State.SENT
    assert message.provider_id == "gw-1"
    assert request["json"]["text"] == message.text
    assert len(sms_segments(message.text)) == 3
    assert request["json"]["reference"] == f"suara-{pk}"


@pytest.mark.django_db
def test_sms_delivery_retries_after_gateway_error_then_sends_once(gateway):
    gateway.statuses = [503]
    [pk] = services.messages_enqueue(messages=[sms()])

    first = services.messages_deliver(message_ids=[pk])
    due = Message.objects.get().due_at
    second = services.messages_deliver(message_ids=[pk], now=due)
    third = services.messages_deliver(message_ids=[pk], now=due)

    message = Message.objects.get()
    assert first.counts()["retry"] == 1
    assert second.sent == [pk]
    assert third.sent == []
    assert len(gateway.requests) == 2
    assert message.state == State.SENT
    assert message.attempts == 2


@pytest.mark.django_db
def test_sms_delivery_rejected_by_gateway_fails_at_once(gateway):
    gateway.statuses = [400]
    [pk] = services.messages_enqueue(messages=[sms()])

    delivery = services.messages_deliver(message_ids=[pk])

    message = Message.objects.get()
    assert delivery.failed == [pk]
    assert message.state == State.FAILED
    assert message.last_error == "gateway answered 400"
