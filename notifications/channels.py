"""Channels: how a rendered message leaves the platform (email, SMS).

Email goes through Django's mail API, so SMTP or any django-anymail provider is a matter of
settings (MAILERS). SMS goes through a small gateway interface chosen by SMS_BACKEND.
A channel raises `TransientError` for what may work later (the delivery is retried with
backoff) and `PermanentError` for what never will (the message is marked failed).
"""

import json
import logging
import smtplib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from notifications.models import Message
from notifications.unsubscribe import unsubscribe_urls

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """The send may work if tried again later (network, gateway busy, 5xx)."""


class PermanentError(Exception):
    """The send will never work (address refused, gateway rejected the message)."""


# Email


def email_build(message: Message) -> EmailMultiAlternatives:
    """The email for a message: text and HTML parts, RFC 8058 one-click unsubscribe headers."""
    _page, one_click = unsubscribe_urls(
        recipient=message.recipient, scope=message.subject_key, language=message.language
    )
    unsubscribe = f"<{one_click}>"
    if settings.NOTIFICATIONS_UNSUBSCRIBE_MAILTO:
        unsubscribe += f", <mailto:{settings.NOTIFICATIONS_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>"
    headers = {
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # A stable Message-ID lets mail systems drop a copy if a crash ever made us resend.
        "Message-ID": f"<suara.{message.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>",
        "Content-Language": message.language,
        "Auto-Submitted": "auto-generated",
    }
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=[message.address], headers=headers
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


class EmailChannel:
    """Sends emails over one mail connection, opened once per batch."""

    def __init__(self, connection: BaseEmailBackend):
        self.connection = connection

    def send(self, message: Message) -> str:
        email = email_build(message)
        try:
            self.connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError(str(error)) from error
        except (ValueError, TypeError) as error:  # a malformed address or header
            raise PermanentError(str(error)) from error
        except SoftTimeLimitExceeded:
            raise  # the task is out of time: stop the batch, the sweep takes the rest
        except Exception as error:
            # Connection refused, timeouts, provider API errors: worth another try.
            raise TransientError(f"{type(error).__name__}: {error}") from error
        status = getattr(email, "anymail_status", None)
        return str(getattr(status, "message_id", None) or email.extra_headers["Message-ID"])


# SMS length limits

# GSM 03.38: the basic set costs one septet a character, the extension set two.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}  # (one segment, each part of a long one)


def sms_encoding(text: str) -> str:
    """ "gsm7" if every character is in the GSM alphabet, else "ucs2" (Tamil, Chinese, …)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return "gsm7"
    return "ucs2"


def _units(char: str, encoding: str) -> int:
    if encoding == "gsm7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # UTF-16: characters outside the BMP take two


def sms_segments(text: str) -> list[str]:
    """Split text as a phone would into segments, never splitting an escape or surrogate pair."""
    encoding = sms_encoding(text)
    single, part = LIMITS[encoding]
    if sum(_units(c, encoding) for c in text) <= single:
        return [text] if text else []
    segments, current, used = [], [], 0
    for char in text:
        units = _units(char, encoding)
        if used + units > part:
            segments.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += units
    if current:
        segments.append("".join(current))
    return segments


def sms_fit(text: str, *, max_segments: int | None = None) -> str:
    """The text cut to at most `max_segments` segments, ending with an ellipsis if cut."""
    max_segments = max_segments or settings.NOTIFICATIONS_SMS_MAX_SEGMENTS
    text = text.strip()
    if len(sms_segments(text)) <= max_segments:
        return text
    encoding = sms_encoding(text)
    ellipsis = "..." if encoding == "gsm7" else "…"
    budget = LIMITS[encoding][1] * max_segments - sum(_units(c, encoding) for c in ellipsis)
    kept, used = [], 0
    for char in text:
        used += _units(char, encoding)
        if used > budget:
            break
        kept.append(char)
    cut = "".join(kept)
    # Prefer ending at a word boundary when one is near (scripts with spaces only).
    space = cut.rfind(" ")
    if space > len(cut) - 20:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


# SMS gateways


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Hand one text to the gateway; return the gateway's id for it."""
        ...


class ConsoleSmsBackend:
    """Writes texts to the log: for the demo and development."""

    def send(self, *, to: str, text: str, reference: str) -> str:
        logger.info("SMS to %s (%s): %s", to, reference, text)
        return f"console-{reference}"


class MemorySmsBackend:
    """Keeps texts in a list in this process: for tests."""

    outbox: list[dict[str, str]] = []
    _lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str) -> str:
        with self._lock:
            self.outbox.append({"to": to, "text": text, "reference": reference})
            return f"memory-{len(self.outbox)}"


class HttpSmsBackend:
    """Posts JSON to an HTTP gateway: {"to", "text", "reference"} with a bearer token.

    The gateway answers 2xx with {"id": ...}. 429 and 5xx (and no answer) are transient;
    other 4xx are permanent. `reference` is also sent as Idempotency-Key, so a gateway that
    honours it drops a resend after a crash.
    """

    def __init__(self, url: str | None = None, token: str | None = None, timeout: int = 10):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout
        if not self.url:
            raise PermanentError("SMS_GATEWAY_URL is not set.")

    def send(self, *, to: str, text: str, reference: str) -> str:
        body = json.dumps({"to": to, "text": text, "reference": reference}).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310 - the operator-configured SMS_GATEWAY_URL, not user input
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = f"gateway answered {error.code}"
            if error.code == 429 or error.code >= 500:
                raise TransientError(detail) from error
            raise PermanentError(detail) from error
        except (OSError, ValueError) as error:  # refused, timed out, not JSON
            raise TransientError(f"gateway unreachable: {error}") from error
        return str(answer.get("id") or answer.get("message_id") or "")


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


class SmsChannel:
    def __init__(self, backend: SmsBackend):
        self.backend = backend

    def send(self, message: Message) -> str:
        text = sms_fit(message.text)
        return self.backend.send(to=message.address, text=text, reference=f"suara-{message.pk}")


@contextmanager
def channel_open(channel: str) -> Iterator[EmailChannel | SmsChannel]:
    """A channel ready to send a batch; an email connection is opened once and closed after."""
    if channel == "sms":
        yield SmsChannel(sms_backend())
        return
    connection = mail.mailers.default
    try:
        connection.open()
    except Exception as error:
        raise TransientError(f"mail server unreachable: {error}") from error
    try:
        yield EmailChannel(connection)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide what happened
            logger.warning("Could not close the mail connection", exc_info=True)
