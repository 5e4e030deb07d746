"""The outbox: queueing once, unsubscribes, delivering once, retries, the sweep, fan-out."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications import queries, services
from notifications.models import FanOut, Message, State, Suppression
from notifications.specs import MessageSpec

SUBJECT = "consultation:42"


def spec(n: int, **overrides) -> MessageSpec:
    fields = {
        "recipient": f"participant-{n}",
        "channel": "email",
        "address": f"participant-{n}@example.org",
        "purpose": "closing",
        "subject_key": SUBJECT,
        "language": "en",
        "subject": "The consultation on water has closed",
        "text": f"Thank you for taking part, participant {n}.",
    }
    return MessageSpec(**(fields | overrides))


@pytest.fixture
def deliver_on_commit(django_capture_on_commit_callbacks):
    """Run what would run after commit (delivery tasks, in-process), as a real commit would."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.mark.django_db
def test_enqueue_twice_creates_nothing_new():
    specs = [spec(n) for n in range(5)]

    first = services.messages_enqueue(messages=specs)
    second = services.messages_enqueue(messages=specs)

    assert len(first) == 5
    assert second == []
    assert Message.objects.count() == 5


@pytest.mark.django_db
def test_enqueue_same_recipient_other_purpose_or_channel_is_a_new_message():
    services.messages_enqueue(messages=[spec(1)])

    created = services.messages_enqueue(
        messages=[spec(1, purpose="outcome"), spec(1, channel="sms", address="+60123456789")]
    )

    assert len(created) == 2


@pytest.mark.django_db
def test_enqueue_renders_in_recipient_language_with_unsubscribe_link():
    services.messages_enqueue(messages=[spec(1, language="ms"), spec(2, language="ar")])

    malay = Message.objects.get(recipient="participant-1")
    arabic = Message.objects.get(recipient="participant-2")
    assert malay.language == "ms"
    assert '<html lang="ms" dir="ltr">' in malay.html
    assert '<html lang="ar" dir="rtl">' in arabic.html
    assert "/ms/messages/unsubscribe/" in malay.text
    assert "/ms/messages/unsubscribe/" in malay.html
    assert malay.text.startswith("Thank you for taking part, participant 1.")


@pytest.mark.django_db
def test_enqueue_skips_recipient_unsubscribed_from_the_subject():
    Suppression.objects.create(recipient="participant-1", scope=SUBJECT)

    created = services.messages_enqueue(
        messages=[spec(1), spec(2), spec(1, subject_key="consultation:43")]
    )

    assert len(created) == 2
    assert set(Message.objects.values_list("recipient", "subject_key")) == {
        ("participant-2", SUBJECT),
        ("participant-1", "consultation:43"),
    }


@pytest.mark.django_db
def test_enqueue_skips_recipient_unsubscribed_from_everything():
    Suppression.objects.create(recipient="participant-1", scope="all")

    created = services.messages_enqueue(
        messages=[spec(1), spec(2), spec(1, subject_key="commitment:7", purpose="commitment")]
    )

    assert len(created) == 1
    assert list(Message.objects.values_list("recipient", flat=True)) == ["participant-2"]


@pytest.mark.django_db
def test_enqueue_delivers_after_commit(deliver_on_commit):
    deliver_on_commit(services.messages_enqueue, messages=[spec(n) for n in range(3)])

    assert sorted(email.to[0] for email in mail.outbox) == [
        "participant-0@example.org",
        "participant-1@example.org",
        "participant-2@example.org",
    ]
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}


@pytest.mark.django_db
def test_enqueue_delivers_nothing_before_commit():
    services.messages_enqueue(messages=[spec(1)])

    assert mail.outbox == []
    assert Message.objects.get().state == State.QUEUED


@pytest.mark.django_db
def test_deliver_marks_sent_once_and_never_resends(deliver_on_commit):
    [pk] = services.messages_enqueue(messages=[spec(1)])

    first = services.messages_deliver(message_ids=[pk])
    second = services.messages_deliver(message_ids=[pk])
    far_later = services.messages_deliver(
        message_ids=[pk], now=timezone.now() + dt.timedelta(days=1)
    )
    services.messages_sweep(now=timezone.now() + dt.timedelta(days=1))

    message = Message.objects.get()
    assert first.sent == [pk]
    assert second.sent == far_later.sent == []
    assert len(mail.outbox) == 1
    assert message.state == State.SENT
    assert message.attempts == 1
    assert message.provider_id == f"<suara.{pk}@127.0.0.1>"
    assert message.sent_at is not None


@pytest.mark.django_db
def test_deliver_skips_message_another_worker_is_sending():
    [pk] = services.messages_enqueue(messages=[spec(1)])
    Message.objects.filter(pk=pk).update(state=State.SENDING, claimed_at=timezone.now())

    delivery = services.messages_deliver(message_ids=[pk])

    assert delivery.sent == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_deliver_cancels_message_of_recipient_who_unsubscribed_after_queueing():
    [pk] = services.messages_enqueue(messages=[spec(1)])
    Suppression.objects.create(recipient="participant-1", scope="all")

    delivery = services.messages_deliver(message_ids=[pk])

    assert delivery.cancelled == [pk]
    assert mail.outbox == []
    assert Message.objects.get().state == State.CANCELLED


@pytest.mark.django_db
def test_deliver_retries_with_backoff_then_fails(settings):
    # A mail server that refuses connections: a transient error every time.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    [pk] = services.messages_enqueue(messages=[spec(1)])
    now = timezone.now()
    backoffs = []

    for _attempt in range(3):
        delivery = services.messages_deliver(message_ids=[pk], now=now)
        message = Message.objects.get()
        if message.state == State.QUEUED:
            backoffs.append((message.due_at - now).total_seconds())
            assert services.messages_deliver(message_ids=[pk], now=now).counts()["retry"] == 0
            now = message.due_at

    assert backoffs == [2.0, 4.0]
    assert delivery.failed == [pk]
    assert message.state == State.FAILED
    assert message.attempts == 3
    assert "unreachable" in message.last_error
    assert queries.progress(SUBJECT)["failed"] == 1


@pytest.mark.django_db
def test_sweep_hands_back_messages_left_by_a_dead_worker():
    ids = services.messages_enqueue(messages=[spec(n) for n in range(4)])
    long_ago = timezone.now() - dt.timedelta(hours=1)
    dead, alive, lost, sent = ids
    Message.objects.filter(pk=dead).update(state=State.SENDING, claimed_at=long_ago, attempts=1)
    Message.objects.filter(pk=alive).update(state=State.SENDING, claimed_at=timezone.now())
    Message.objects.filter(pk=lost).update(due_at=long_ago)  # its task never reached Redis
    Message.objects.filter(pk=sent).update(state=State.SENT, claimed_at=long_ago)

    swept = services.messages_sweep()

    assert swept == {"messages": 2, "fan_outs": 0}
    assert sorted(email.to[0] for email in mail.outbox) == [
        "participant-0@example.org",
        "participant-2@example.org",
    ]
    assert dict(Message.objects.values_list("pk", "state")) == {
        dead: State.SENT,
        alive: State.SENDING,
        lost: State.SENT,
        sent: State.SENT,
    }


@pytest.mark.django_db
def test_claim_gives_up_on_message_whose_worker_died_too_often(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    [pk] = services.messages_enqueue(messages=[spec(1)])
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Message.objects.filter(pk=pk).update(state=State.SENDING, claimed_at=long_ago, attempts=2)

    services.messages_deliver(message_ids=[pk])

    message = Message.objects.get()
    assert message.state == State.FAILED
    assert "Gave up after 2 attempts" in message.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_fan_out_queues_and_delivers_every_recipient_in_steps(settings, deliver_on_commit):
    settings.NOTIFICATIONS_FAN_OUT_BATCH = 10

    fan_out = deliver_on_commit(
        services.fan_out_start,
        key="closing:consultation:42",
        source="notifications.testing.synthetic_recipients",
        kwargs={"count": 35, "subject_key": SUBJECT},
    )

    fan_out.refresh_from_db()
    assert fan_out.status == FanOut.Status.DONE
    assert fan_out.steps == 4
    assert fan_out.enqueued == 35
    assert len({email.to[0] for email in mail.outbox}) == len(mail.outbox) == 35
    assert queries.progress(SUBJECT) == {
        "total": 35,
        "queued": 0,
        "sent": 35,
        "failed": 0,
        "cancelled": 0,
    }


@pytest.mark.django_db
def test_fan_out_started_twice_runs_once(settings, deliver_on_commit):
    arguments = {
        "key": "closing:consultation:42",
        "source": "notifications.testing.synthetic_recipients",
        "kwargs": {"count": 5, "subject_key": SUBJECT},
    }

    first = deliver_on_commit(services.fan_out_start, **arguments)
    second = deliver_on_commit(services.fan_out_start, **arguments)

    assert first.pk == second.pk
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_fan_out_refuses_a_function_not_marked_as_source():
    with pytest.raises(ValueError, match="not marked"):
        services.fan_out_start(key="x", source="os.system", kwargs={"command": "true"})

    assert FanOut.objects.count() == 0


@pytest.mark.django_db
def test_progress_counts_each_state_in_one_query(django_assert_num_queries):
    ids = services.messages_enqueue(messages=[spec(n) for n in range(6)])
    Message.objects.filter(pk__in=ids[:3]).update(state=State.SENT)
    Message.objects.filter(pk=ids[3]).update(state=State.FAILED)
    Message.objects.filter(pk=ids[4]).update(state=State.SENDING)
    services.messages_enqueue(messages=[spec(9, subject_key="consultation:1")])

    with django_assert_num_queries(1):
        progress = queries.progress(SUBJECT)

    assert progress == {"total": 6, "queued": 2, "sent": 3, "failed": 1, "cancelled": 0}


@pytest.mark.django_db
def test_unsubscribe_cancels_queued_messages_in_scope_only():
    services.messages_enqueue(messages=[spec(1), spec(1, subject_key="consultation:43")])

    services.suppression_create(recipient="participant-1", scope=SUBJECT)

    assert dict(Message.objects.values_list("subject_key", "state")) == {
        SUBJECT: State.CANCELLED,
        "consultation:43": State.QUEUED,
    }


@pytest.mark.django_db
def test_redact_blanks_finished_messages_and_keeps_pending_ones():
    sent, pending = services.messages_enqueue(messages=[spec(1), spec(1, purpose="outcome")])
    Message.objects.filter(pk=sent).update(state=State.SENT)

    changed = services.messages_redact(recipients=["participant-1"])

    assert changed == 1
    assert Message.objects.get(pk=sent).address == ""
    assert Message.objects.get(pk=pending).address == "participant-1@example.org"
