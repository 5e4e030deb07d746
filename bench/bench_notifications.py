"""Fan-out of a consultation closing to 100,000 participants, with two worker processes.

Starts `celery -A config worker --concurrency=2 --pool=prefork` against Redis (db 7) and its
own PostgreSQL database, starts one fan-out of BENCH_RECIPIENTS synthetic recipients, and
waits until the counting mail backend (notifications.testing.RedisCountingEmailBackend,
which serialises every email and counts it in Redis) has seen every one. Prints messages
delivered per second, whether each recipient got exactly one email, and each worker
process's peak memory (VmHWM). Target: >= 1,000 messages/s and < 300 MB per worker.

    python bench/bench_notifications.py          # 100,000 recipients
    BENCH_RECIPIENTS=20000 python bench/bench_notifications.py
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "suara_bench_notify"
RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "100000"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "600"))
ENV = {
    **os.environ,
    "DEBUG": "false",
    "HTTPS": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
    "DATABASE_URL": os.environ.get(
        "BENCH_NOTIFY_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    ),
    "REDIS_URL": os.environ.get("BENCH_NOTIFY_REDIS_URL", "redis://127.0.0.1:6379/7"),
    # BENCH_MIME=1 builds every MIME message too, as Django's SMTP and locmem backends do.
    "EMAIL_BACKEND": "notifications.testing.RedisCountingMimeEmailBackend"
    if os.environ.get("BENCH_MIME") == "1"
    else "notifications.testing.RedisCountingEmailBackend",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))


def prepare_database() -> None:
    created = subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise SystemExit(f"createdb failed: {created.stderr.strip()}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=ENV, check=True
    )


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> int:
    prepare_database()
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection, transaction

    from config.celery import app
    from notifications import queries, services

    counter = redis.Redis.from_url(settings.REDIS_URL)
    counter.flushdb()  # db 7 belongs to this benchmark
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_message, notifications_fanout, notifications_suppression"
        )

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
            f"--hostname=bench-notify-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    peaks: dict[int, float] = {}
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the worker did not start")
        pool = children(worker.pid)
        print(f"worker up: main pid {worker.pid}, pool processes {pool}", flush=True)

        subject = f"consultation:bench-{uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        with transaction.atomic():
            services.fan_out_start(
                key=f"closing:{subject}",
                source="notifications.testing.synthetic_recipients",
                kwargs={"count": RECIPIENTS, "subject_key": subject},
            )
        mark, marked = started, 0
        deadline = started + TIMEOUT
        while time.monotonic() < deadline:
            delivered = int(counter.get("notifications:count:sent") or 0)
            if time.monotonic() - mark >= 10:
                rate = (delivered - marked) / (time.monotonic() - mark)
                print(f"  {delivered:>7,} delivered, {rate:,.0f}/s over the last 10 s", flush=True)
                mark, marked = time.monotonic(), delivered
            for pid in children(worker.pid):
                peaks[pid] = max(peaks.get(pid, 0), peak_rss_mb(pid) or 0)
            if delivered >= RECIPIENTS:
                break
            time.sleep(0.2)
        finished = time.monotonic()

        delivered = int(counter.get("notifications:count:sent") or 0)
        distinct = counter.scard("notifications:count:addresses")
        progress = queries.progress(subject)
        elapsed = finished - started
        print(f"email backend:             {ENV['EMAIL_BACKEND']}")
        print(f"recipients:                {RECIPIENTS:,}")
        print(f"delivered (at backend):    {delivered:,} to {distinct:,} distinct addresses")
        print(f"outbox:                    {progress}")
        print(f"time, close to last email: {elapsed:.1f} s")
        print(f"messages delivered per s:  {delivered / elapsed:,.0f}  (target >= 1,000)")
        for pid, peak in sorted(peaks.items()):
            print(f"worker process {pid} peak RSS (VmHWM): {peak:.0f} MB  (target < 300 MB)")
        main_peak = peak_rss_mb(worker.pid)
        if main_peak:
            print(f"worker main process {worker.pid} peak RSS: {main_peak:.0f} MB")
        ok = (
            delivered == distinct == RECIPIENTS
            and delivered / elapsed >= 1000
            and all(peak < 300 for peak in peaks.values())
        )
        print("RESULT:", "ok" if ok else "below target")
        return 0 if delivered == distinct == RECIPIENTS else 1
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


if __name__ == "__main__":
    raise SystemExit(main())
