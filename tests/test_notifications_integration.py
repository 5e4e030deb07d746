"""The outbox with a real Celery worker on real Redis: exactly once, through crashes and outages.

Counted at the backend: Django's locmem mail backend appends to `mail.outbox` in this
process, which the worker thread shares.
"""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail
from django.db import transaction
from django.utils import timezone

from config.celery import app as suara_app
from notifications import queries, services
from notifications.models import Message, State
from notifications.specs import MessageSpec

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def spec(n: int, subject_key: str) -> MessageSpec:
    return MessageSpec(
        recipient=f"participant-{n}",
        channel="email",
        address=f"participant-{n}@example.org",
        purpose="closing",
        subject_key=subject_key,
        language=["en", "ms", "ta", "zh-hans"][n % 4],
        subject="The consultation has closed",
        text=f"Thank you for taking part, participant {n}.",
    )


@pytest.fixture(scope="session")
def ping_keeps_its_result():
    """Let the shared `celery_worker` fixture's ping check see its answer.

    Celery binds a task's options when the app is finalised. If an in-process (eager) test
    finalised the app first, the ping task is bound with task_ignore_result=True and the
    fixture's `ping.delay().get()` gets None.
    """
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task

    suara_app.tasks["celery.ping"].ignore_result = False


@pytest.fixture
def worker(ping_keeps_its_result, celery_worker):
    return celery_worker


def wait_until_sent(subject_key: str, expected: int, timeout: float = 30) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = queries.progress(subject_key)
        if progress["sent"] >= expected and progress["queued"] == 0:
            return progress
        time.sleep(0.1)
    return queries.progress(subject_key)


def delivered_addresses() -> list[str]:
    return [address for email in list(mail.outbox) for address in email.to]


def test_worker_delivers_1000_queued_messages_exactly_once(worker):
    with transaction.atomic():
        created = services.messages_enqueue(
            messages=[spec(n, "consultation:1") for n in range(1000)]
        )

    progress = wait_until_sent("consultation:1", 1000)

    addresses = delivered_addresses()
    assert len(created) == 1000
    assert progress == {"total": 1000, "queued": 0, "sent": 1000, "failed": 0, "cancelled": 0}
    assert len(addresses) == 1000
    assert len(set(addresses)) == 1000


def test_fan_out_through_worker_reaches_every_recipient_once(worker, settings):
    settings.NOTIFICATIONS_FAN_OUT_BATCH = 150

    with transaction.atomic():
        services.fan_out_start(
            key="closing:consultation:2",
            source="notifications.testing.synthetic_recipients",
            kwargs={"count": 1000, "subject_key": "consultation:2"},
        )

    progress = wait_until_sent("consultation:2", 1000)

    addresses = delivered_addresses()
    assert progress["sent"] == 1000
    assert len(addresses) == len(set(addresses)) == 1000


def test_sweep_delivers_messages_of_a_dead_worker_exactly_once(worker):
    # Rows as a worker killed mid-send leaves them: claimed long ago, never marked sent, and
    # no task left in Redis for them.
    long_ago = timezone.now() - dt.timedelta(hours=1)
    rows = [
        Message(
            recipient=f"participant-{n}",
            channel="email",
            address=f"participant-{n}@example.org",
            purpose="closing",
            subject_key="consultation:3",
            language="en",
            subject="The consultation has closed",
            text="Thank you for taking part.",
            state=State.SENDING if n < 50 else State.SENT,
            attempts=1,
            queued_at=long_ago,
            due_at=long_ago,
            claimed_at=long_ago,
            sent_at=None if n < 50 else long_ago,
        )
        for n in range(60)
    ]
    ids = [message.pk for message in Message.objects.bulk_create(rows)]

    services.messages_sweep()
    progress = wait_until_sent("consultation:3", 60)
    services.messages_sweep()  # a second sweep after the fact changes nothing
    time.sleep(0.5)

    addresses = delivered_addresses()
    assert progress["sent"] == 60
    assert len(addresses) == len(set(addresses)) == 50
    assert Message.objects.filter(pk__in=ids[:50], attempts=2).count() == 50


# Redis stopped and restarted mid-send: our own throwaway Redis, never the shared one.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(50):
            if self.ping():
                return
            time.sleep(0.1)
        raise RuntimeError("throwaway Redis did not start")

    def ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
        )
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        for _ in range(50):
            if not self.ping():
                return
            time.sleep(0.1)


@pytest.fixture
def throwaway_redis():
    if not shutil.which("redis-server"):
        message = "redis-server is not installed (Debian package redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"SKIPPING: {message}")
    redis = ThrowawayRedis()
    redis.start()
    yield redis
    redis.stop()


def counted(client) -> tuple[int, int]:
    """(emails counted at the backend, distinct addresses among them)."""
    sent = int(client.get("notifications:count:sent") or 0)
    return sent, client.scard("notifications:count:addresses")


@pytest.fixture
def counter(settings):
    """The counting mail backend's tallies, kept in the shared test Redis (not the throwaway)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("notifications:count:sent", "notifications:count:addresses")
    yield client
    client.delete("notifications:count:sent", "notifications:count:addresses")


def worker_process(redis_url: str, counter_url: str, **extra: str) -> subprocess.Popen:
    """A Celery worker process on the given Redis and the test database.

    It sends through the counting backend, 10 emails a task, at most 10 tasks a second, so
    a send of a few hundred is still going when a test breaks something.
    """
    from django.db import connection

    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "NOTIFICATIONS_COUNT_REDIS_URL": counter_url,
        "EMAIL_BACKEND": "notifications.testing.RedisCountingEmailBackend",
        "NOTIFICATIONS_EMAIL_BATCH": "10",
        "NOTIFICATIONS_EMAIL_RATE_LIMIT": "10/s",
        **extra,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            f"--hostname=notify-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def enqueue_to(settings):
    """Send this thread's enqueues to another Redis, through a second Celery app."""
    settings.NOTIFICATIONS_CHANNELS = {
        **settings.NOTIFICATIONS_CHANNELS,
        "email": {"batch": 10, "rate_limit": ""},
    }

    def point_at(redis_url: str) -> None:
        app = Celery("suara-elsewhere", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.broker_url = redis_url
        app.conf.result_backend = None
        app.conf.task_always_eager = False
        app.set_current()

    yield point_at
    suara_app.set_current()


def test_redis_stopped_and_restarted_mid_send_delivers_every_message_once(
    throwaway_redis, enqueue_to, counter, settings, request
):
    subject = "consultation:4"
    enqueue_to(throwaway_redis.url)
    worker = worker_process(throwaway_redis.url, settings.REDIS_URL)
    request.addfinalizer(lambda: stop(worker))
    with transaction.atomic():
        first = services.messages_enqueue(messages=[spec(n, subject) for n in range(300)])
    deadline = time.monotonic() + 20
    while queries.progress(subject)["sent"] < 50 and time.monotonic() < deadline:
        time.sleep(0.02)

    throwaway_redis.stop()  # mid-send: the tasks still in Redis vanish with it
    with transaction.atomic():  # a citizen's request while Redis is down does not fail
        later = services.messages_enqueue(messages=[spec(n, subject) for n in range(300, 400)])
    during = queries.progress(subject)
    waiting = Message.objects.filter(pk__in=later, state=State.QUEUED).count()

    throwaway_redis.start()
    settings.NOTIFICATIONS_SWEEP_AFTER = 0
    deadline = time.monotonic() + 40
    while queries.progress(subject)["sent"] < 400 and time.monotonic() < deadline:
        services.messages_sweep()  # what beat does every 30 seconds
        time.sleep(1)

    assert len(first) == 300
    assert len(later) == 100
    assert 50 <= during["sent"] < 300
    assert waiting == 100
    assert queries.progress(subject) == {
        "total": 400,
        "queued": 0,
        "sent": 400,
        "failed": 0,
        "cancelled": 0,
    }
    assert counted(counter) == (400, 400)


def test_worker_killed_mid_send_leaves_nothing_undelivered_or_doubled(
    throwaway_redis, enqueue_to, counter, settings, request
):
    subject = "consultation:5"
    enqueue_to(throwaway_redis.url)
    worker = worker_process(throwaway_redis.url, settings.REDIS_URL)
    request.addfinalizer(lambda: stop(worker))
    with transaction.atomic():
        services.messages_enqueue(messages=[spec(n, subject) for n in range(300)])
    deadline = time.monotonic() + 20
    while queries.progress(subject)["sent"] < 50 and time.monotonic() < deadline:
        time.sleep(0.02)

    worker.send_signal(signal.SIGKILL)  # no warm shutdown: the send in hand is cut off
    worker.wait()
    killed_at = queries.progress(subject)

    # A new worker; its claim timeout is short so it takes over the dead worker's claims.
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 1
    settings.NOTIFICATIONS_SWEEP_AFTER = 0
    replacement = worker_process(
        throwaway_redis.url, settings.REDIS_URL, NOTIFICATIONS_CLAIM_TIMEOUT="1"
    )
    request.addfinalizer(lambda: stop(replacement))
    deadline = time.monotonic() + 40
    while queries.progress(subject)["sent"] < 300 and time.monotonic() < deadline:
        time.sleep(1.1)
        services.messages_sweep()  # what beat does every 30 seconds

    sent, distinct = counted(counter)
    assert killed_at["sent"] < 300
    assert queries.progress(subject) == {
        "total": 300,
        "queued": 0,
        "sent": 300,
        "failed": 0,
        "cancelled": 0,
    }
    assert distinct == 300
    # Exactly once, except that a kill landing between the provider's acceptance and the
    # row's update repeats that one message (with the same Message-ID, so mail systems
    # can drop the copy). Nothing is ever lost.
    assert sent - distinct <= 1
