"""Open data: published answers as CSV or JSON, streamed row by row.

Only answers whose authors consented to publication come out, and only opinion fields:
no contact details, no monitoring, no reference, no facilitator, no place or date received.
A response is identified by a keyed hash of its id, so rows of one response can be read
together without the platform's ids being published.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from consult.models import Choice, Consultation, Question
from outcomes import queries
from outcomes.models import Job

CHUNK = 2000
COLUMNS = [
    "response",
    "question",
    "question_text",
    "kind",
    "channel",
    "language",
    "text",
    "other_text",
    "yes_no",
    "number",
    "choices",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def response_id(submission_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"response:{submission_id}".encode(), hashlib.sha256).hexdigest()[:12]


def response_queryset(consultation: Consultation):
    """Published answers as plain values, with the chosen options in rank order."""
    return (
        queries.published_answers(consultation)
        .order_by("id")
        .values(
            "submission_id",
            "question_id",
            "text",
            "other_text",
            "yes_no",
            "number",
            "submission__channel",
            "submission__language",
        )
        .annotate(
            choice_ids=ArrayAgg(
                "selections__choice_id",
                order_by=("selections__rank", "selections__choice_id"),
                filter=Q(selections__isnull=False),
            )
        )
    )


class RowMaker:
    """Turns a value row into a published row; reads questions and choices once (2 queries)."""

    def __init__(self, consultation: Consultation):
        questions = Question.objects.filter(section__consultation=consultation).order_by(
            "section__position", "section__pk", "position", "pk"
        )
        self.questions = {q.pk: q for q in questions}
        self.numbers = {pk: index for index, pk in enumerate(self.questions, start=1)}
        self.labels = dict(
            Choice.objects.filter(question__section__consultation=consultation).values_list(
                "pk", "label"
            )
        )
        self._last = (None, "")

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        if row["submission_id"] != self._last[0]:
            self._last = (row["submission_id"], response_id(row["submission_id"]))
        question = self.questions[row["question_id"]]
        return {
            "response": self._last[1],
            "question": self.numbers[row["question_id"]],
            "question_text": question.text,
            "kind": question.kind,
            "channel": row["submission__channel"],
            "language": row["submission__language"],
            "text": row["text"],
            "other_text": row["other_text"],
            "yes_no": row["yes_no"],
            "number": str(row["number"]) if row["number"] is not None else None,
            "choices": [self.labels[pk] for pk in row["choice_ids"] or []],
        }


def response_rows(consultation: Consultation) -> Iterator[dict[str, Any]]:
    """One dict per published answer, read with a server-side cursor in chunks."""
    make = RowMaker(consultation)
    for row in response_queryset(consultation).iterator(chunk_size=CHUNK):
        yield make(row)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(consultation: Consultation) -> Iterator[str]:
    """The published answers as CSV lines, formula-safe, header first."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in response_rows(consultation):
        cells = dict(row)
        cells["choices"] = " | ".join(row["choices"])
        if row["yes_no"] is not None:
            cells["yes_no"] = "yes" if row["yes_no"] else "no"
        yield writer.writerow([neutralise(cells[name]) for name in COLUMNS])


def results_json(consultation: Consultation) -> dict[str, Any]:
    """The aggregated, suppressed results in plain JSON types."""
    figures = queries.report_figures(consultation)
    participation = figures["participation"]
    return {
        "participants": participation["total"].as_json(),
        "participation": {
            dim["name"]: [
                {"key": row["key"], "label": row["label"], **row["cell"].as_json()}
                for row in dim["rows"]
            ]
            for dim in participation["dimensions"]
        },
        "questions": [
            {
                "id": r["question"].pk,
                "text": r["question"].text,
                "kind": r["kind"],
                "respondents": r["respondents"].as_json(),
                "options": [
                    {
                        "label": str(o["label"]),
                        **o["cell"].as_json(),
                        "share": o["share"],
                        **{k: o[k] for k in ("mean_rank", "borda", "point") if k in o},
                    }
                    for o in r["options"]
                ],
                **({"mean": r["mean"]} if "mean" in r else {}),
                **({"number": r["number"]} if "number" in r else {}),
                **({"texts": r["texts"].as_json()} if "texts" in r else {}),
            }
            for r in figures["results"]
        ],
    }


def json_chunks(consultation: Consultation) -> Iterator[str]:
    """{"consultation", "results", "responses": [...]} written piece by piece."""
    head = {
        "consultation": {"slug": consultation.slug, "title": consultation.title},
        "suppression_threshold": queries.threshold(),
        "results": results_json(consultation),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "responses": ['
    first = True
    for row in response_rows(consultation):
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]}\n"


def export_write(job: Job) -> None:
    """Write the export file of a job, updating its progress every few thousand rows."""
    consultation = job.consultation
    file_format = job.parameters.get("format", "csv")
    total = queries.published_answers(consultation).count() or 1
    chunks = csv_lines(consultation) if file_format == "csv" else json_chunks(consultation)
    name = f"{consultation.slug}-outcome-{timezone.now():%Y%m%d%H%M}.{file_format}"
    # A temporary file, not memory: an export may hold millions of answers.
    with tempfile.TemporaryFile() as handle:
        for done, chunk in enumerate(chunks, start=1):
            handle.write(chunk.encode())
            if done % (CHUNK * 5) == 0:
                Job.objects.filter(pk=job.pk).update(progress=min(99, done * 100 // total))
        handle.seek(0)
        job.file.save(name, File(handle), save=False)
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            file=job.file.name,
            progress=100,
            state=Job.State.DONE,
            finished_at=timezone.now(),
            result={"rows": total},
        )
