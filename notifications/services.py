"""Every change to the outbox: queue, deliver, sweep, fan out, unsubscribe.

Other apps call, inside their own transaction (outbox pattern):

- `messages_enqueue(messages=[MessageSpec, ...]) -> list[int]` for a few messages;
- `fan_out_start(key=..., source="app.module.function", kwargs={...}) -> FanOut` for an
  audience of any size (see `notifications.specs` for the source protocol);
- `suppression_create(recipient=..., scope=...)` to unsubscribe someone;
- `messages_redact(recipients=[...])` when their contact details are purged.

Delivery tasks are enqueued only after the caller's transaction commits. If the broker is
unreachable then, nothing fails: the rows wait in the outbox and `messages_sweep` hands
them to the workers later.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache, partial
from itertools import batched

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from notifications.channels import PermanentError, TransientError, channel_open, sms_fit
from notifications.models import SCOPE_ALL, Channel, FanOut, Message, State, Suppression
from notifications.specs import MessageSpec, resolve_source
from notifications.unsubscribe import unsubscribe_urls

logger = logging.getLogger(__name__)

# What an unreachable broker raises when a task is published.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
# Publishing retries briefly, then gives up: a citizen's request must not wait on Redis.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# Queueing


@lru_cache(maxsize=256)
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def message_render(spec: MessageSpec) -> tuple[str, str, str]:
    """Subject, text and HTML of a message in the recipient's language, unsubscribe link included."""
    page_url, _one_click = unsubscribe_urls(
        recipient=spec.recipient, scope=spec.subject_key, language=spec.language
    )
    with translation.override(spec.language):
        subject, text, html = spec.subject, spec.text, spec.html
        if spec.template:
            context = {**spec.context, "unsubscribe_url": page_url, "language": spec.language}
            text = render_to_string(f"{spec.template}.txt", context).strip()
            if spec.channel == Channel.EMAIL:
                subject = " ".join(
                    render_to_string(f"{spec.template}_subject.txt", context).split()
                )
                if _template_exists(f"{spec.template}.html"):
                    html = render_to_string(f"{spec.template}.html", context)
        if spec.channel == Channel.SMS:
            return "", sms_fit(text), ""
        frame = {
            "subject": subject,
            "text": text,
            # The caller's HTML part comes from its own (autoescaping) template.
            "body": mark_safe(html) if html else None,  # noqa: S308  # nosec B308 B703 - rendered by an autoescaping template
            "unsubscribe_url": page_url,
            "language": spec.language,
            "bidi": translation.get_language_bidi(),
        }
        text = render_to_string("notifications/email/message.txt", frame).strip() + "\n"
        html = render_to_string("notifications/email/message.html", frame)
    return subject[:255], text, html


_COLUMNS = (
    "recipient",
    "channel",
    "address",
    "purpose",
    "subject_key",
    "language",
    "subject",
    "text",
    "html",
    "state",
    "attempts",
    "last_error",
    "provider_id",
    "queued_at",
    "due_at",
)


def _insert_new(rows: list[tuple]) -> list[tuple[int, str]]:
    """Insert rows, skipping any already in the outbox; (id, channel) of those inserted.

    Raw SQL because Django's bulk_create(ignore_conflicts=True) cannot say which rows it
    inserted; PostgreSQL and SQLite both speak ON CONFLICT DO NOTHING RETURNING.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    values = ", ".join([row] * len(rows))
    table = quote(Message._meta.db_table)
    # Names come from the model and values are parameters: nothing here is user input.
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id, channel"  # noqa: S608  # nosec B608 - model metadata only
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in rows for value in values])
        return [(pk, channel) for pk, channel in cursor.fetchall()]


def _suppressed(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (recipient, scope) pairs, or their recipient's "all", are unsubscribed."""
    pairs = list(pairs)
    if not pairs:
        return set()
    recipients = {recipient for recipient, _scope in pairs}
    scopes = {scope for _recipient, scope in pairs} | {SCOPE_ALL}
    found = set(
        Suppression.objects.filter(recipient__in=recipients, scope__in=scopes).values_list(
            "recipient", "scope"
        )
    )
    return {
        (recipient, scope)
        for recipient, scope in pairs
        if (recipient, scope) in found or (recipient, SCOPE_ALL) in found
    }


def messages_enqueue(*, messages: Iterable[MessageSpec]) -> list[int]:
    """Queue messages in the caller's transaction; they are delivered after it commits.

    Side effects: one Message row per spec, except for a recipient + purpose + subject +
    channel already in the outbox (so an event handled twice creates nothing) and for
    recipients who unsubscribed; delivery tasks scheduled on commit. Returns the new ids.
    """
    created: list[tuple[int, str]] = []
    # Stay under the database's limit on query parameters (SQLite: 32,766).
    size = min(settings.NOTIFICATIONS_INSERT_BATCH, 30_000 // len(_COLUMNS))
    with transaction.atomic():
        for chunk in batched(messages, size):
            suppressed = _suppressed((spec.recipient, spec.subject_key) for spec in chunk)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            rows = []
            for spec in chunk:
                if (spec.recipient, spec.subject_key) in suppressed:
                    continue
                subject, text, html = message_render(spec)
                rows.append(
                    (
                        spec.recipient,
                        spec.channel,
                        spec.address,
                        spec.purpose,
                        spec.subject_key,
                        spec.language,
                        subject,
                        text,
                        html,
                        State.QUEUED.value,
                        0,
                        "",
                        "",
                        now,
                        now,
                    )
                )
            if rows:
                created += _insert_new(rows)
        by_channel: dict[str, list[int]] = defaultdict(list)
        for pk, channel in created:
            by_channel[channel].append(pk)
        for channel, ids in by_channel.items():
            transaction.on_commit(partial(messages_schedule, message_ids=ids, channel=channel))
    return [pk for pk, _channel in created]


def messages_schedule(*, message_ids: Sequence[int], channel: str, countdown: int = 0) -> bool:
    """Hand messages to the workers in batches; if the broker is down, leave them to the sweep.

    Never raises for an unreachable broker: it logs a warning and returns False.
    """
    from notifications import tasks  # tasks import this module

    task = tasks.DELIVERY_TASKS[channel]
    size = settings.NOTIFICATIONS_CHANNELS[channel]["batch"]
    ids = list(message_ids)
    try:
        for chunk in batched(ids, size):
            task.apply_async(
                kwargs={"message_ids": list(chunk)},
                countdown=countdown or None,
                retry_policy=PUBLISH_RETRY,
            )
    except BROKER_ERRORS as error:
        logger.warning(
            "Broker unreachable; %d %s messages wait in the outbox for the sweep: %s",
            len(ids),
            channel,
            error,
        )
        return False
    return True


# Delivering


@dataclass
class Delivery:
    """What one delivery run did with each message it was given."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    # countdown in seconds -> messages to try again then
    retry: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "failed": len(self.failed),
            "cancelled": len(self.cancelled),
            "retry": sum(len(ids) for ids in self.retry.values()),
        }


def _claim(message_ids: Sequence[int], now: datetime) -> list[Message]:
    """Take messages for sending with a conditional UPDATE; nobody else gets the same ones.

    A message is claimable when it is queued and due, or stuck in `sending` longer than the
    claim timeout (its worker died). The timeout is longer than Celery's hard time limit,
    so a live worker can never still be sending a message taken over this way.
    """
    stale_before = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    max_attempts = settings.NOTIFICATIONS_MAX_ATTEMPTS
    with transaction.atomic():
        rows = list(
            Message.objects.filter(pk__in=message_ids)
            .claimable(now=now, stale_before=stale_before)
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts")
        )
        exhausted = [pk for pk, attempts in rows if attempts >= max_attempts]
        claimed = [pk for pk, attempts in rows if attempts < max_attempts]
        if exhausted:
            Message.objects.filter(pk__in=exhausted).update(
                state=State.FAILED,
                last_error=f"Gave up after {max_attempts} attempts (the worker stopped).",
            )
        if not claimed:
            return []
        Message.objects.filter(pk__in=claimed).claimable(now=now, stale_before=stale_before).update(
            state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        Message.objects.filter(pk__in=claimed, state=State.SENDING, claimed_at=now).order_by("pk")
    )


def _retry_or_fail(message: Message, error: str, delivery: Delivery, now: datetime) -> None:
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(state=State.FAILED, last_error=error)
        delivery.failed.append(message.pk)
        return
    countdown = min(2**message.attempts, 3600)
    Message.objects.filter(pk=message.pk).update(
        state=State.QUEUED,
        due_at=now + timedelta(seconds=countdown),
        claimed_at=None,
        last_error=error,
    )
    delivery.retry[countdown].append(message.pk)


def messages_deliver(*, message_ids: Sequence[int], now: datetime | None = None) -> Delivery:
    """Send the given messages that are still due, each at most once.

    Side effects: each claimed message ends `sent` (with provider id), `queued` again with a
    backoff of 2**attempts seconds after a transient error, `failed` after a permanent error
    or too many attempts, or `cancelled` if its recipient has unsubscribed meanwhile.
    Messages already sent, or being sent by another worker, are left alone.
    """
    now = now or timezone.now()
    delivery = Delivery()
    messages = _claim(message_ids, now)
    if not messages:
        return delivery
    suppressed = _suppressed((m.recipient, m.subject_key) for m in messages)
    if suppressed:
        cancelled = [m.pk for m in messages if (m.recipient, m.subject_key) in suppressed]
        Message.objects.filter(pk__in=cancelled).update(
            state=State.CANCELLED, last_error="Unsubscribed before sending."
        )
        delivery.cancelled += cancelled
        messages = [m for m in messages if m.pk not in set(cancelled)]
    by_channel: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    for channel, batch in by_channel.items():
        try:
            with channel_open(channel) as sender:
                for message in batch:
                    _send_one(sender, message, delivery, now)
        except TransientError as error:  # the connection could not be opened
            for message in batch:
                _retry_or_fail(message, str(error), delivery, now)
        except PermanentError as error:  # the channel is not configured
            Message.objects.filter(pk__in=[m.pk for m in batch]).update(
                state=State.FAILED, last_error=str(error)
            )
            delivery.failed += [m.pk for m in batch]
    return delivery


_MARK_SENT = (
    f"UPDATE {Message._meta.db_table} SET state = '{State.SENT.value}', sent_at = %s,"  # noqa: S608  # nosec B608 - model metadata only
    " provider_id = %s, last_error = '' WHERE id = %s"
)
_MARK_SENT_ASYNC = "SET LOCAL synchronous_commit TO OFF; " + _MARK_SENT


def _send_one(sender, message: Message, delivery: Delivery, now: datetime) -> None:
    try:
        provider_id = sender.send(message)
    except TransientError as error:
        _retry_or_fail(message, str(error), delivery, now)
    except PermanentError as error:
        Message.objects.filter(pk=message.pk).update(state=State.FAILED, last_error=str(error))
        delivery.failed.append(message.pk)
    else:
        # Marked at once, one message at a time: a killed worker repeats one send at most.
        # Plain SQL because this runs once per message, 100,000 times for a large send.
        # On PostgreSQL the mark does not wait for the disk: a committed mark survives any
        # worker crash; only a crash of PostgreSQL itself could lose the last fraction of a
        # second of marks, and those messages would be sent again (same Message-ID).
        sql = _MARK_SENT_ASYNC if connection.vendor == "postgresql" else _MARK_SENT
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [timezone.now(), provider_id[:255], message.pk])
        delivery.sent.append(message.pk)


# Sweeping


def messages_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Hand back to the workers what a dead worker or an unreachable broker left behind.

    Side effects: delivery tasks for messages queued and due for longer than
    NOTIFICATIONS_SWEEP_AFTER seconds, or stuck in `sending` past the claim timeout (their
    `due_at` is moved to now so the next sweep does not hand them out again at once);
    a step task for each fan-out that has not moved for as long.
    """
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER)
    stale_before = now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    rows = list(
        Message.objects.filter(
            Q(state=State.QUEUED, due_at__lt=grace)
            | Q(state=State.SENDING, claimed_at__lt=stale_before)
        )
        .order_by("pk")
        .values_list("pk", "channel")[: settings.NOTIFICATIONS_SWEEP_LIMIT]
    )
    by_channel: dict[str, list[int]] = defaultdict(list)
    for pk, channel in rows:
        by_channel[channel].append(pk)
    Message.objects.filter(pk__in=[pk for pk, _c in rows], state=State.QUEUED).update(due_at=now)
    scheduled = 0
    for channel, ids in by_channel.items():
        if messages_schedule(message_ids=ids, channel=channel):
            scheduled += len(ids)
    stalled = list(
        FanOut.objects.filter(status=FanOut.Status.RUNNING, updated_at__lt=grace).values_list(
            "pk", flat=True
        )
    )
    for fan_out_id in stalled:
        fan_out_schedule(fan_out_id=fan_out_id)
    return {"messages": scheduled, "fan_outs": len(stalled)}


# Fanning out


def fan_out_start(*, key: str, source: str, kwargs: dict | None = None) -> FanOut:
    """Start queueing messages for a large audience, one page per task, after commit.

    `key` names the send (e.g. "closing:consultation:42"): starting the same key again does
    nothing. `source` is the dotted path of a function marked `@fan_out_source`; `kwargs`
    must be JSON. Side effects: FanOut row; its first step scheduled on commit.
    """
    resolve_source(source)  # fail in the caller, not later in a worker
    fan_out, created = FanOut.objects.get_or_create(
        key=key, defaults={"source": source, "kwargs": kwargs or {}}
    )
    if created:
        transaction.on_commit(partial(fan_out_schedule, fan_out_id=fan_out.pk))
    return fan_out


def fan_out_schedule(*, fan_out_id: int) -> bool:
    """Enqueue the next step of a fan-out; if the broker is down, the sweep resumes it."""
    from notifications import tasks  # tasks import this module

    try:
        tasks.fan_out_step.apply_async(
            kwargs={"fan_out_id": fan_out_id}, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        logger.warning("Broker unreachable; fan-out %s waits for the sweep: %s", fan_out_id, error)
        return False
    return True


def fan_out_step(*, fan_out_id: int) -> bool:
    """Queue the messages of the next page of a fan-out; True if more pages remain.

    The page is queued and the cursor moved in one transaction, holding the fan-out's row
    lock, so a duplicate step waits or skips instead of doing the same page twice.
    Side effects: Message rows (delivered after commit); the next step scheduled on commit.
    """
    with transaction.atomic():
        fan_out = (
            FanOut.objects.select_for_update(skip_locked=True)
            .filter(pk=fan_out_id, status=FanOut.Status.RUNNING)
            .first()
        )
        if fan_out is None:
            return False
        source = resolve_source(fan_out.source)
        page = source(
            after=fan_out.cursor, limit=settings.NOTIFICATIONS_FAN_OUT_BATCH, **fan_out.kwargs
        )
        if page.next_after is None:
            fan_out.status = FanOut.Status.DONE
        else:
            fan_out.cursor = page.next_after
            # Registered before the deliveries, so the next page is prepared by one worker
            # while the others deliver this one.
            transaction.on_commit(partial(fan_out_schedule, fan_out_id=fan_out.pk))
        created = messages_enqueue(messages=page.messages)
        fan_out.steps += 1
        fan_out.enqueued += len(created)
        fan_out.updated_at = timezone.now()
        fan_out.save()
    return fan_out.status == FanOut.Status.RUNNING


# Unsubscribing and forgetting


def suppression_create(*, recipient: str, scope: str) -> Suppression:
    """Unsubscribe a recipient from one subject key, or from everything with scope "all".

    Side effects: Suppression row (once); their queued messages in that scope cancelled.
    """
    with transaction.atomic():
        suppression, _created = Suppression.objects.get_or_create(recipient=recipient, scope=scope)
        pending = Message.objects.filter(recipient=recipient, state=State.QUEUED)
        if scope != SCOPE_ALL:
            pending = pending.filter(subject_key=scope)
        pending.update(state=State.CANCELLED, last_error="Unsubscribed before sending.")
    return suppression


def messages_redact(*, recipients: Iterable[str]) -> int:
    """Blank the copied address and body of finished messages to these recipients.

    For the purge of contact details: pending messages keep their copy until they are
    sent, so a purge never breaks a send already promised. Returns the rows changed.
    """
    return (
        Message.objects.filter(recipient__in=list(recipients))
        .exclude(state__in=[State.QUEUED, State.SENDING])
        .exclude(address="")
        .update(address="", text="", html="")
    )
