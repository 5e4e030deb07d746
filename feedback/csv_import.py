"""Paper responses in bulk: the CSV template for a consultation, and reading it back.

Each row is turned into the same form data a facilitator would type, and validated by the
same forms, so an import meets exactly the rules and messages of the online form.
"""

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from consult.models import Consultation, Question
from feedback.forms import NO, OTHER, YES, AnswersForm, AssistedForm, field_name

FIXED_COLUMNS = ["received_via", "received_on", "place", "language"]
HEADER = re.compile(r"^Q(?P<pk>\d+)(?: (?P<extra>other|reason))?(?::|$)")
YES_WORDS = {"yes", "y", "true", "1", "ya", "oui", "sí", "si"}
NO_WORDS = {"no", "n", "false", "0", "tidak", "non"}
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: formulas become plain text."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def importable(questions: list[Question]) -> list[Question]:
    """Files cannot travel in a CSV cell; every other kind can."""
    return [q for q in questions if q.kind != Question.Kind.FILE]


def template_csv(questions: list[Question]) -> str:
    """A header row: how and when received, then one column per question (and its extras)."""
    header = list(FIXED_COLUMNS)
    for question in importable(questions):
        header.append(f"Q{question.pk}: {question.text}")
        if question.allow_other and question.kind in (
            Question.Kind.SINGLE,
            Question.Kind.MULTIPLE,
        ):
            header.append(f"Q{question.pk} other")
        if question.ask_reason and question.kind == Question.Kind.YES_NO:
            header.append(f"Q{question.pk} reason")
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(cell) for cell in header])
    return buffer.getvalue()


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, messages)


def _choice_ids(question: Question, cell: str, *, many: bool) -> tuple[list[str], str]:
    """Choice ids for labels in a cell; what matched nothing becomes "Other" text if allowed."""
    labels = {c.label.strip().casefold(): str(c.pk) for c in question.choices.all()}
    parts = [p.strip() for p in (cell.split(";") if many else [cell]) if p.strip()]
    ids, unknown = [], []
    for part in parts:
        if part.casefold() in labels:
            ids.append(labels[part.casefold()])
        else:
            unknown.append(part)
    if unknown and question.allow_other:
        return [*ids, OTHER], "; ".join(unknown)
    # Unknown labels stay as typed so the form refuses them with its own message.
    return ids + unknown, ""


def _form_data(questions: list[Question], cells: dict[str, str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for question in questions:
        name = field_name(question)
        cell = cells.get(f"Q{question.pk}", "").strip()
        kind = question.kind
        if kind in (Question.Kind.TEXT, Question.Kind.NUMBER):
            data[name] = cell
        elif kind in (Question.Kind.SINGLE, Question.Kind.SCALE, Question.Kind.MULTIPLE):
            many = kind == Question.Kind.MULTIPLE
            ids, other = _choice_ids(question, cell, many=many)
            data.setlist(name, ids if many else ids[:1])
            data[f"{name}_other"] = cells.get(f"Q{question.pk} other", "").strip() or other
        elif kind == Question.Kind.RANKING:
            order = [p.strip().casefold() for p in cell.split(";") if p.strip()]
            for index, choice in enumerate(question.choices.all()):
                label = choice.label.strip().casefold()
                data[f"{name}_{index}"] = str(order.index(label) + 1) if label in order else ""
            known = {c.label.strip().casefold() for c in question.choices.all()}
            if any(item not in known for item in order):
                data[f"{name}_0"] = "unknown"  # refused by the form as an invalid rank
        elif kind == Question.Kind.YES_NO:
            word = cell.casefold()
            data[name] = YES if word in YES_WORDS else NO if word in NO_WORDS else cell
            data[f"{name}_reason"] = cells.get(f"Q{question.pk} reason", "").strip()
    return data


def parse(upload: bytes, consultation: Consultation, questions: list[Question]) -> Parsed:
    """Read and validate every row; rows are ready for `submissions_import` if no errors."""
    parsed = Parsed()
    try:
        text = upload.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append((1, [_("Save the file as CSV with UTF-8 encoding.")]))
        return parsed
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    keys = []
    for cell in header:
        cell = cell.strip().lstrip("'")
        match = HEADER.match(cell)
        if match:
            extra = match.group("extra")
            keys.append(f"Q{match.group('pk')}" + (f" {extra}" if extra else ""))
        else:
            keys.append(cell)
    wanted = importable(questions)
    missing = [c for c in FIXED_COLUMNS if c not in keys] + [
        f"Q{q.pk}" for q in wanted if f"Q{q.pk}" not in keys
    ]
    if missing:
        parsed.errors.append(
            (
                1,
                [
                    _("Columns missing: %(columns)s. Start from the template.")
                    % {"columns": ", ".join(missing)}
                ],
            )
        )
        return parsed
    digest = hashlib.sha256(upload).hexdigest()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        cells = dict(zip(keys, values, strict=False))
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"suara:{consultation.pk}:{digest}:{line}")
        meta = AssistedForm(
            {
                "idempotency_key": str(key),
                "received_via": cells.get("received_via", "").strip() or "paper",
                "received_on": cells.get("received_on", "").strip(),
                "place": cells.get("place", "").strip(),
                "language": cells.get("language", "").strip(),
            }
        )
        answers = AnswersForm(_form_data(wanted, cells), questions=wanted)
        meta_ok, answers_ok = meta.is_valid(), answers.is_valid()
        if not (meta_ok and answers_ok):
            parsed.errors.append((line, _messages(meta, answers)))
            continue
        parsed.rows.append(
            {
                "answers": answers.answers(),
                "idempotency_key": key,
                "received_via": meta.cleaned_data["received_via"],
                "received_on": meta.cleaned_data["received_on"],
                "place": meta.cleaned_data["place"],
                "language": meta.cleaned_data["language"],
            }
        )
    return parsed


def _messages(*forms) -> list[str]:
    """'Question text: message' for each problem, as the report shows them."""
    messages = []
    for form in forms:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return messages
