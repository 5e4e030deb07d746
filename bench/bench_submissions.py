"""Submissions under load: the API and the form's final POST, on gunicorn and PostgreSQL.

Starts gunicorn (2 workers) on its own PostgreSQL database, drives it with wrk and a Lua
script on the same machine, and prints accepted submissions per second, p50/p95/p99
latency and errors for the submissions API and for the citizen form's final POST; the
SQL queries each takes (measured in-process); and the public consultation page's
requests per second and queries, as visitors without a session get it (rendered once per
version of the consultation, then from Redis) and as a visitor with a session gets it
(rendered every time). Every submission has 10 answers.

Targets (a 2-core machine): API >= 300 accepted submissions/s with p99 < 300 ms and no
errors; <= 10 queries per submission; the public page >= 400 requests/s with <= 8 queries.

    python bench/bench_submissions.py
    BENCH_SECONDS=20 BENCH_CONNECTIONS=64 python bench/bench_submissions.py

The form's rate limit per address is lifted for the run: every request comes from
127.0.0.1 here, where in real life they come from many addresses.

Measured on 2 cores, 2026-12-06. First on a machine that gave 165 accepted/s to the code
of the day before: reusing the checked partner key and the consultation for a few seconds, 223/s;
plain INSERTs for the rows of a response, copied and then shared answer fields and one
Redis round trip fewer in the throttle, 248/s; the throttle in one round trip, the whole
response written in one statement (data-modifying WITH queries) and one input serializer
per process, 276-324/s (gunicorn 3.7-4.3 ms and PostgreSQL 1.3-1.5 ms of CPU per request;
that machine's speed drifted by 20-45 % between runs). Then on a faster machine: the code
before those last three changes 412/s; with them, a median of 477/s (p99 88 ms, gunicorn
2.3 ms and PostgreSQL 1.0 ms of CPU per request), the form's final POST 204/s and the
public page 1073 requests/s (318 rendered for a session). What is left per request
(py-spy, on the first machine): the one statement's execution about 8 %, the throttle 7 %, the form's
validation 4 %, creating model instances 4 %, gunicorn's access log 3 %, the output
serializer 3 %, Django's middleware and DRF's dispatch the rest.
"""

import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "suara_bench_submissions"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
DRAFTS = int(os.environ.get("BENCH_DRAFTS", "15000"))
API_RUNS = int(os.environ.get("BENCH_API_RUNS", "3"))
WRK = os.environ.get("WRK", "/usr/bin/wrk")
ENV = {
    **os.environ,
    "DEBUG": "false",
    "HTTPS": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
    "DATABASE_URL": os.environ.get(
        "BENCH_SUBMISSIONS_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    ),
    "REDIS_URL": os.environ.get("BENCH_SUBMISSIONS_REDIS_URL", "redis://127.0.0.1:6379/4"),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "API_SUBMISSIONS_RATE": "100000000/min",
    "FEEDBACK_RATE_PER_ADDRESS": "100000000",
    "FEEDBACK_RATE_PER_CONSULTATION": "100000000",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
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
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=ENV,
        check=True,
    )


def seed():
    """An open consultation with 10 questions of several kinds, a partner key, drafts."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organisation
    from consult.models import Choice, Consultation, Question, Section, State
    from feedback import services

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE feedback_answerchoice, feedback_answer, feedback_monitoring_groups, "
            "feedback_monitoring, feedback_submission, feedback_consent, "
            "feedback_contactdetails, feedback_participant, feedback_partnertoken CASCADE"
        )
    organisation, _created = Organisation.objects.get_or_create(
        slug="bench-ministry",
        defaults={"name": "Bench ministry", "kind": Organisation.Kind.PUBLIC_INSTITUTION},
    )
    Consultation.objects.filter(slug="bench-water").delete()
    now = timezone.now()
    consultation = Consultation.objects.create(
        organisation=organisation,
        slug="bench-water",
        title_en="Clean water for every village",
        title_ms="Air bersih untuk setiap kampung",
        summary_en="We plan to bring piped water to 120 remote villages.",
        body_en="The plan has three parts.\n\nTell us what you think.",
        state=State.OPEN,
        opens_at=now - timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=30),
        outcome_due=(now + timezone.timedelta(days=90)).date(),
    )
    first = Section.objects.create(consultation=consultation, title_en="Your views", position=0)
    second = Section.objects.create(consultation=consultation, title_en="More", position=1)
    kinds = [
        (first, Question.Kind.TEXT, []),
        (first, Question.Kind.TEXT, []),
        (first, Question.Kind.TEXT, []),
        (first, Question.Kind.SINGLE, ["Bus", "Train", "Walking"]),
        (first, Question.Kind.SINGLE, ["Yes, often", "Sometimes", "Never"]),
        (second, Question.Kind.MULTIPLE, ["Cost", "Safety", "Time"]),
        (second, Question.Kind.SCALE, ["Very poor", "Poor", "Fair", "Good", "Very good"]),
        (second, Question.Kind.RANKING, ["Schools", "Clinics", "Roads"]),
        (second, Question.Kind.YES_NO, []),
        (second, Question.Kind.NUMBER, []),
    ]
    body = []
    for position, (section, kind, labels) in enumerate(kinds):
        question = Question.objects.create(
            section=section,
            kind=kind,
            text_en=f"Question {position + 1}?",
            required=position < 4,
            position=position,
            ask_reason=kind == Question.Kind.YES_NO,
        )
        choices = [
            Choice.objects.create(question=question, label_en=label, position=n)
            for n, label in enumerate(labels)
        ]
        value = {
            Question.Kind.TEXT: "Clean water matters most to our village, every day.",
            Question.Kind.SINGLE: choices[0].pk if choices else None,
            Question.Kind.MULTIPLE: [c.pk for c in choices[:2]],
            Question.Kind.SCALE: choices[-1].pk if choices else None,
            Question.Kind.RANKING: [c.pk for c in reversed(choices)],
            Question.Kind.YES_NO: True,
            Question.Kind.NUMBER: 4,
        }[kind]
        answer = {"question": question.pk, "value": value}
        if kind == Question.Kind.YES_NO:
            answer["reason"] = "It helps everyone."
        body.append(answer)
    key, _token = services.partner_token_create(organisation=organisation, name="bench")
    return consultation, key, {"consultation": consultation.slug, "language": "ms", "answers": body}


def make_drafts(consultation, body: dict, count: int) -> list[str]:
    """`count` drafts with all 10 answers stored, ready for their final POST; their paths."""
    from django.db import transaction

    from consult.models import Question
    from feedback.models import Answer, AnswerChoice, Participant, Submission

    questions = {q.pk: q for q in Question.objects.filter(section__consultation=consultation)}
    with transaction.atomic():
        participants = Participant.objects.bulk_create(
            Participant(language="ms") for _n in range(count)
        )
        submissions = Submission.objects.bulk_create(
            Submission(consultation=consultation, participant=p, language="ms")
            for p in participants
        )
        answers, picks = [], []
        for submission in submissions:
            for item in body["answers"]:
                question, value = questions[item["question"]], item["value"]
                answer = Answer(submission=submission, question=question)
                if question.kind == Question.Kind.TEXT:
                    answer.text = value
                elif question.kind == Question.Kind.YES_NO:
                    answer.yes_no, answer.text = value, item["reason"]
                elif question.kind == Question.Kind.NUMBER:
                    answer.number = value
                answers.append((answer, value if question.has_choices else None, question))
        created = Answer.objects.bulk_create([a for a, _v, _q in answers], batch_size=5000)
        for answer, (_a, value, question) in zip(created, answers, strict=True):
            if value is None:
                continue
            ids = value if isinstance(value, list) else [value]
            ranked = question.kind == Question.Kind.RANKING
            picks.extend(
                AnswerChoice(
                    answer=answer,
                    choice_id=pk,
                    rank=n + 1 if ranked else None,
                    submission=answer.submission,
                    channel=answer.submission.channel,
                    language=answer.submission.language,
                )
                for n, pk in enumerate(ids)
            )
        AnswerChoice.objects.bulk_create(picks, batch_size=5000)
    return [f"/en/take-part/{consultation.slug}/r/{p.token}/check/" for p in participants]


class StatementCounter:
    """Counts SQL statements sent to the database (BEGIN and COMMIT not included)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted(call) -> tuple[int, object]:
    from django.db import connection

    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        result = call()
    return counter.count, result


def queries_per_submission(consultation, key: str, body: dict, draft_path: str) -> dict:
    """SQL statements of one API submission, one final form POST and one public page view."""
    from django.test import Client
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def submit():
        return api.post(
            "/api/v1/submissions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )

    from feedback import queries

    # The first request of a process checks the key and loads the consultation and its
    # questions; the next few seconds' reuse them (feedback.queries.recently).
    queries._RECENT.clear()
    api_cold, response = counted(submit)
    assert response.status_code == 201, response.content
    api_warm, response = counted(submit)
    client = Client()
    form, response = counted(
        lambda: client.post(draft_path, {"idempotency_key": str(uuid.uuid4())})
    )
    assert response.status_code == 302, response.status_code
    visitor, url = Client(), consultation.get_absolute_url()
    visitor.get(url)
    page, response = counted(lambda: visitor.get(url))
    assert response.status_code == 200
    visitor.cookies["sessionid"] = "none"
    page_rendered, response = counted(lambda: visitor.get(url))
    assert response.status_code == 200
    return {
        "api": api_cold,
        "api_warm": api_warm,
        "form": form,
        "page": page,
        "page_rendered": page_rendered,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    """gunicorn as deployed (gunicorn.conf.py), 2 worker processes, access log off."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config=gunicorn.conf.py",
            "config.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--access-logfile=/dev/null",
            "--error-logfile=-",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=2):
                return server
        except urllib.error.HTTPError:
            return server  # it answers: up
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def wrk(url: str, script: str | None, *args: str, header: str | None = None) -> dict:
    command = [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if header:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    command += [url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    figures = next((json.loads(line) for line in output.splitlines() if line.startswith("{")), None)
    if figures is None:  # plain GET: read wrk's own summary
        requests_per_s = float(
            next(line for line in output.splitlines() if "Requests/sec" in line).split()[-1]
        )
        non_2xx = next(
            (int(line.split()[-1]) for line in output.splitlines() if "Non-2xx" in line), 0
        )
        return {"requests_per_s": requests_per_s, "errors": non_2xx, "raw": output}
    return figures


def cpu_seconds(name_part: str) -> float:
    """CPU time used so far by every process whose command line contains `name_part`."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if name_part not in (proc / "cmdline").read_bytes().decode(errors="ignore"):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_per_request(call, requests_of) -> tuple[object, str]:
    """Run `call`; say how much CPU gunicorn, PostgreSQL and wrk spent per request."""
    names = {"gunicorn": "gunicorn", "postgres": DATABASE}
    before = {label: cpu_seconds(part) for label, part in names.items()}
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk has exited by the end
    result = call()
    requests = max(1, requests_of(result))
    spent = {label: cpu_seconds(part) - before[label] for label, part in names.items()}
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent["wrk"] = (
        wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    )
    return result, ", ".join(
        f"{label} {seconds * 1000 / requests:.1f} ms" for label, seconds in spent.items()
    )


def submitted_count(consultation) -> int:
    from feedback.models import Submission

    return Submission.objects.filter(
        consultation=consultation, state=Submission.State.SUBMITTED
    ).count()


def line(name: str, accepted: int, figures: dict) -> str:
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return (
        f"{name:<22} {accepted / seconds:8.1f} accepted/s   "
        f"p50 {figures['p50_us'] / 1000:6.1f} ms   p95 {figures['p95_us'] / 1000:6.1f} ms   "
        f"p99 {figures['p99_us'] / 1000:6.1f} ms   errors {errors} "
        f"(requests {figures['requests']}, non-2xx/3xx {figures['status']})"
    )


def main() -> int:
    prepare_database()
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    cache.clear()  # redis db 4 is this benchmark's (and the feedback tests')
    consultation, key, body = seed()
    paths = make_drafts(consultation, body, DRAFTS)
    counts = queries_per_submission(consultation, key, body, paths.pop())
    connection.close()

    port = free_port()
    scratch = tempfile.mkdtemp(prefix="bench-submissions-")
    server = start_gunicorn(port)
    base = f"http://127.0.0.1:{port}"
    try:
        body_file = Path(scratch) / "body.json"
        body_file.write_text(json.dumps(body))
        paths_file = Path(scratch) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")

        api_runs = []  # (accepted, wrk's figures, CPU per request)
        for _run in range(API_RUNS):
            before = submitted_count(consultation)
            api, api_cpu = cpu_per_request(
                lambda: wrk(base, "bench/submissions_api.lua", key, str(body_file)),
                lambda figures: figures["requests"],
            )
            api_runs.append((submitted_count(consultation) - before, api, api_cpu))

        before = submitted_count(consultation)
        form = wrk(
            base,
            "bench/submissions_form.lua",
            str(paths_file),
            secrets.token_hex(16),
            str(THREADS),
        )
        form_accepted = submitted_count(consultation) - before

        page = wrk(f"{base}{consultation.get_absolute_url()}", None)
        # A visitor with a session (a cookie) gets the page rendered for them every time.
        page_rendered = wrk(
            f"{base}{consultation.get_absolute_url()}", None, header="Cookie: sessionid=none"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)

    print(
        f"gunicorn 2 workers, PostgreSQL; wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s; 10 answers each"
    )
    for accepted, figures, cpu in api_runs:
        print(line("API submissions", accepted, figures))
        print(f"  CPU per API request: {cpu}")
    # The machine's speed drifts from run to run: the verdict is on the median run.
    api_accepted, api, _cpu = sorted(api_runs, key=lambda run: run[0])[len(api_runs) // 2]
    print(line("form final POST", form_accepted, form))
    if form["requests"] > len(paths):
        print(f"  (note: {form['requests']} requests for {len(paths)} drafts; raise BENCH_DRAFTS)")
    print(
        f"{'public page':<22} {page['requests_per_s']:8.1f} requests/s   non-2xx {page['errors']}"
        f"   (rendered for a session: {page_rendered['requests_per_s']:.1f} requests/s, "
        f"non-2xx {page_rendered['errors']})"
    )
    print(
        f"SQL statements (BEGIN and COMMIT not counted): API submission {counts['api']} "
        f"({counts['api_warm']} with the key, consultation and questions reused), "
        f"form final POST {counts['form']}, public page {counts['page']} "
        f"({counts['page_rendered']} rendered for a session)"
    )
    api_errors = sum(api[k] for k in ("connect", "read", "write", "status", "timeout"))
    ok = (
        api_accepted / (api["duration_us"] / 1e6) >= 300
        and api["p99_us"] < 300_000
        and api_errors == 0
        and counts["api"] <= 10
    )
    print(
        f"target, median of {len(api_runs)} API runs (API >= 300/s, p99 < 300 ms, no errors, "
        "<= 10 queries):",
        "met" if ok else "NOT met",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
