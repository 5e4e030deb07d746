"""Results and open data at scale: 500,000 participants x 20 questions = 10,000,000 answers.

Generates the data in its own PostgreSQL database with set-based SQL (generate_series,
INSERT ... SELECT; not the ORM), then prints, each with its query count:

- the results of one closed question (target < 100 ms),
- the same broken down by self-identified group and filtered by channel and language
  (target < 300 ms),
- every figure of the report page (target < 2 s),
- the CSV export of every published answer, streamed by a separate process, with that
  process's peak memory (target < 150 MB).

    python bench/bench_outcomes.py                      # 500,000 participants
    BENCH_PARTICIPANTS=50000 python bench/bench_outcomes.py
    BENCH_REGENERATE=1 python bench/bench_outcomes.py   # throw the data away and start again

The data goes in after the migrations, so the indexes grow as they would in production
(`docs/operations.md`, "Database size and indexes for results"). Last measured on 2 cores
with PostgreSQL 15 and its default settings, on freshly generated data (2026-12-06): one
question 35 ms (2 queries), by group filtered by channel and language 196 ms (3 queries;
442-476 ms before chosen options carried their submission's channel and language, see
`docs/architecture.md`, Statistics), the report 1.75 s (9 queries), the export 77 MB.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "suara_bench_outcomes"
PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "500000"))
SLUG = "bench-outcomes"
ENV = {
    **os.environ,
    "DEBUG": "false",
    "HTTPS": "false",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
    "DATABASE_URL": os.environ.get(
        "BENCH_OUTCOMES_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    ),
    "REDIS_URL": "",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

# 20 questions: (kind, number of choices)
QUESTIONS = (
    [("single", 4)] * 7
    + [("multiple", 5)] * 3
    + [("scale", 5)] * 3
    + [("ranking", 4)] * 2
    + [("yes_no", 0)] * 2
    + [("number", 0)] * 2
    + [("text", 0)] * 1
)


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


def step(label: str, sql: str, params=None) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        rows = cursor.rowcount
    print(f"  {label:<34} {rows:>11,} rows  {time.perf_counter() - started:6.1f} s", flush=True)


def generate():
    """The consultation and its questions through the ORM; every bulk row through SQL."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organisation
    from consult.models import Choice, Consultation, Question, Region, Section, State, TargetGroup
    from outcomes.models import Report

    existing = Consultation.objects.filter(slug=SLUG).first()
    if existing and os.environ.get("BENCH_REGENERATE") != "1":
        print(f"Reusing the data in {DATABASE} (BENCH_REGENERATE=1 to make it again).")
        return existing
    print(f"Generating {PARTICIPANTS:,} participants x {len(QUESTIONS)} questions in {DATABASE}:")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE feedback_participant, feedback_submission, feedback_answer, "
            "feedback_answerchoice, feedback_monitoring, feedback_monitoring_groups, "
            "feedback_consent, outcomes_report, consult_consultation, "
            "accounts_organisation CASCADE"
        )
    now = timezone.now()
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name="Bench ministry", slug="bench-ministry", kind=Organisation.Kind.PUBLIC_INSTITUTION
        )
        consultation = Consultation.objects.create(
            organisation=organisation,
            slug=SLUG,
            title_en="Benchmark consultation",
            summary_en="Ten million answers.",
            state=State.OUTCOME_PUBLISHED,
            opens_at=now - dt.timedelta(days=60),
            closes_at=now - dt.timedelta(days=1),
            outcome_due=(now + dt.timedelta(days=30)).date(),
        )
        section = Section.objects.create(consultation=consultation, title_en="Everything")
        for position, (kind, choices) in enumerate(QUESTIONS):
            question = Question.objects.create(
                section=section,
                kind=kind,
                text_en=f"Question {position + 1} ({kind})?",
                position=position,
                min_value=0 if kind == "number" else None,
                max_value=100 if kind == "number" else None,
            )
            Choice.objects.bulk_create(
                Choice(question=question, label_en=f"Option {n + 1}", position=n)
                for n in range(choices)
            )
        for n in range(8):
            TargetGroup.objects.get_or_create(
                slug=f"bench-group-{n}", defaults={"name_en": f"Group {n}"}
            )
        for n in range(12):
            Region.objects.get_or_create(
                slug=f"bench-region-{n}", defaults={"name_en": f"Region {n}"}
            )
        Report.objects.create(consultation=consultation, summary_en="Bench", published_at=now)

    c = consultation.pk
    step(
        "participants",
        "INSERT INTO feedback_participant (token, language, created_at) "
        "SELECT 'bench-' || g, 'en', now() FROM generate_series(1, %s) g",
        [PARTICIPANTS],
    )
    step(
        "submissions",
        """INSERT INTO feedback_submission (consultation_id, participant_id, channel, state,
            reference, language, received_via, place, late_paper, submitted_at, created_at,
            updated_at)
        SELECT %s, p.id,
            (ARRAY['online','online','online','online','assisted','assisted','api','import'])
                [1 + floor(random() * 8)::int],
            'submitted', 'B' || lpad(to_hex(p.id), 8, '0'),
            (ARRAY['en','en','en','ms','ms','zh-hans','ta','ar','fr','es'])
                [1 + floor(random() * 10)::int],
            '', '', false, now(), now(), now()
        FROM feedback_participant p""",
        [c],
    )
    step(
        "answers",
        """INSERT INTO feedback_answer (submission_id, question_id, text, other_text, yes_no,
            number, file)
        SELECT s.id, q.id,
            CASE WHEN q.kind = 'text' THEN 'An opinion, number ' || s.id ELSE '' END, '',
            CASE WHEN q.kind = 'yes_no' THEN random() < 0.6 END,
            CASE WHEN q.kind = 'number' THEN floor(random() * 100) END, ''
        FROM feedback_submission s
        CROSS JOIN consult_question q
        JOIN consult_section sec ON sec.id = q.section_id
        WHERE s.consultation_id = %s AND sec.consultation_id = %s
        ORDER BY s.id, q.id""",
        [c, c],
    )
    choices_cte = """WITH qc AS (
            SELECT c.question_id, q.kind, array_agg(c.id ORDER BY c.position) AS ids
            FROM consult_choice c JOIN consult_question q ON q.id = c.question_id
            JOIN consult_section sec ON sec.id = q.section_id
            WHERE sec.consultation_id = %s GROUP BY c.question_id, q.kind)"""
    step(
        "chosen options (single, scale)",
        choices_cte  # noqa: S608 - constant SQL, no outside input
        + """INSERT INTO feedback_answerchoice (answer_id, choice_id, rank, submission_id,
            channel, language)
        SELECT a.id, qc.ids[1 + floor(random() * array_length(qc.ids, 1))::int], NULL,
            s.id, s.channel, s.language
        FROM feedback_answer a JOIN qc ON qc.question_id = a.question_id
        JOIN feedback_submission s ON s.id = a.submission_id
        WHERE qc.kind IN ('single', 'scale')""",
        [c],
    )
    step(
        "chosen options (multiple)",
        choices_cte  # noqa: S608 - constant SQL, no outside input
        + """INSERT INTO feedback_answerchoice (answer_id, choice_id, rank, submission_id,
            channel, language)
        SELECT a.id, choice_id, NULL, s.id, s.channel, s.language
        FROM feedback_answer a JOIN qc ON qc.question_id = a.question_id
        JOIN feedback_submission s ON s.id = a.submission_id
        CROSS JOIN LATERAL unnest(qc.ids) AS choice_id
        WHERE qc.kind = 'multiple' AND random() < 0.4""",
        [c],
    )
    step(
        "chosen options (ranking)",
        choices_cte  # noqa: S608 - constant SQL, no outside input
        + """INSERT INTO feedback_answerchoice (answer_id, choice_id, rank, submission_id,
            channel, language)
        SELECT a.id, choice_id,
            row_number() OVER (PARTITION BY a.id ORDER BY random()), s.id, s.channel, s.language
        FROM feedback_answer a JOIN qc ON qc.question_id = a.question_id
        JOIN feedback_submission s ON s.id = a.submission_id
        CROSS JOIN LATERAL unnest(qc.ids) AS choice_id
        WHERE qc.kind = 'ranking'""",
        [c],
    )
    step(
        "monitoring (70 %)",
        """INSERT INTO feedback_monitoring (submission_id, age_band, groups_withheld,
            disability, region_id, region_withheld, main_language, answering_for,
            organisation_name, created_at, updated_at)
        SELECT s.id,
            (ARRAY['under_18','18_24','25_34','35_49','50_64','65_plus','prefer_not'])
                [1 + floor(random() * 7)::int],
            false, 'no',
            (SELECT id FROM consult_region WHERE slug = 'bench-region-'
                || (s.id %% 12)::text), false, '', 'self', '', now(), now()
        FROM feedback_submission s WHERE s.consultation_id = %s AND random() < 0.7""",
        [c],
    )
    step(
        "self-identified groups",
        """INSERT INTO feedback_monitoring_groups (monitoring_id, targetgroup_id)
        SELECT m.id, g.id FROM feedback_monitoring m
        JOIN consult_targetgroup g ON g.slug LIKE 'bench-group-%%'
        WHERE random() < 0.18""",
    )
    step(
        "publication consents (30 %)",
        """INSERT INTO feedback_consent (participant_id, purpose, wording, language, given_at)
        SELECT p.id, 'publication', 'Publish my answers without my name', 'en', now()
        FROM feedback_participant p WHERE random() < 0.3""",
    )
    started = time.perf_counter()
    connection.ensure_connection()
    previous = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.connection.autocommit = previous
    print(f"  {'vacuum analyze':<34} {'':>11}       {time.perf_counter() - started:6.1f} s")
    return consultation


def measure(label: str, target_ms: float, function, runs: int = 5) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    function()  # warm the caches, as a page viewed twice would
    timings = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    verdict = "ok" if median < target_ms else "SLOW"
    print(
        f"{label:<58} median {median:8.1f} ms  best {min(timings):8.1f} ms  "
        f"{len(captured):2d} queries  (target < {target_ms:,.0f} ms: {verdict})"
    )


EXPORT_SCRIPT = """
import resource, sys, time
import django
django.setup()
from consult.models import Consultation
from outcomes import exports
consultation = Consultation.objects.get(slug=sys.argv[1])
started = time.perf_counter()
size = rows = 0
with open("/dev/null", "w") as sink:
    for line in exports.csv_lines(consultation):
        sink.write(line)
        size += len(line)
        rows += 1
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{rows - 1} {size} {elapsed:.1f} {peak:.1f}")
"""


def measure_export() -> None:
    result = subprocess.run(
        [sys.executable, "-c", EXPORT_SCRIPT, SLUG],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    rows, size, elapsed, peak = result.stdout.split()
    verdict = "ok" if float(peak) < 150 else "TOO MUCH"
    print(
        f"{'CSV export of every published answer (separate process)':<58} "
        f"{int(rows):,} rows, {int(size) / 1e6:,.0f} MB in {float(elapsed):.1f} s "
        f"({int(rows) / max(float(elapsed), 0.001):,.0f} rows/s); "
        f"peak RSS {float(peak):.0f} MB (target < 150 MB: {verdict})"
    )


def main() -> None:
    prepare_database()
    import django

    django.setup()
    from consult.models import Question
    from feedback.models import Answer
    from outcomes import queries

    consultation = generate()
    answers = Answer.objects.filter(submission__consultation=consultation).count()
    print(f"\n{answers:,} answers in the consultation.\n")
    question = next(
        q for q in queries.questions_for(consultation) if q.kind == Question.Kind.SINGLE
    )
    measure(
        "Results of one closed question",
        100,
        lambda: queries.results(consultation, questions=[question]),
    )
    measure(
        "Same, by group, filtered by channel and language",
        300,
        lambda: queries.results(
            consultation,
            questions=[question],
            breakdown="group",
            channel="online",
            language="en",
        ),
    )
    measure(
        "Every figure of the report page",
        2000,
        lambda: queries.report_figures(consultation),
        runs=3,
    )
    measure_export()


if __name__ == "__main__":
    main()
