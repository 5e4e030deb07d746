"""Stand-ins for what lies outside notifications, for tests and benchmarks only.

`synthetic_recipients` is a fan-out source that invents recipients instead of reading
participants; `RedisCountingEmailBackend` counts emails in Redis instead of sending them,
so a benchmark can count deliveries made by several worker processes.
"""

import os

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from notifications.specs import FanOutPage, MessageSpec, fan_out_source

LANGUAGES = ["en", "ms", "zh-hans", "ta", "ar", "fr", "es"]


@fan_out_source
def synthetic_recipients(
    *, after: int, limit: int, count: int, subject_key: str, purpose: str = "closing"
) -> FanOutPage:
    """Recipients number 1 to `count`, each with an email address and a language."""
    numbers = range(after + 1, min(after + limit, count) + 1)
    messages = [
        MessageSpec(
            recipient=f"participant-{n}",
            channel="email",
            address=f"participant-{n}@example.org",
            purpose=purpose,
            subject_key=subject_key,
            language=LANGUAGES[n % len(LANGUAGES)],
            subject=f"Consultation {subject_key} has closed",
            text=f"Thank you for taking part, participant {n}. The outcome is due in March.",
        )
        for n in numbers
    ]
    last = numbers[-1] if numbers else count
    return FanOutPage(messages=messages, next_after=last if last < count else None)


class RedisCountingEmailBackend(BaseEmailBackend):
    """Counts emails in Redis instead of sending them, as an HTTP API provider would take them.

    Counts go to `notifications:count:sent`; addresses to the set
    `notifications:count:addresses`, so exactly-once is checked across processes. The
    counts live in NOTIFICATIONS_COUNT_REDIS_URL if set (a test that stops the broker's
    Redis must not lose them), else in REDIS_URL. Like django-anymail's API backends, it
    reads the email's fields and does not build a MIME message.
    """

    _client = None
    build_mime = False

    def send_messages(self, email_messages) -> int:
        import redis

        if RedisCountingEmailBackend._client is None:
            url = os.environ.get("NOTIFICATIONS_COUNT_REDIS_URL") or settings.REDIS_URL
            RedisCountingEmailBackend._client = redis.Redis.from_url(url)
        pipe = RedisCountingEmailBackend._client.pipeline(transaction=False)
        for email in email_messages:
            if self.build_mime:
                email.message()
            pipe.incr("notifications:count:sent")
            pipe.sadd("notifications:count:addresses", *email.to)
        pipe.execute()
        return len(email_messages)


class RedisCountingMimeEmailBackend(RedisCountingEmailBackend):
    """As above, but builds each MIME message first, as Django's locmem and SMTP backends do."""

    build_mime = True
