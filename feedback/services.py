"""Every change to participants, submissions and answers: one function per use case.

Each runs in a transaction (on PostgreSQL, a whole response received at once is written by
one statement, a transaction of its own). A submission and its answers are written
together or not at all; an idempotency key (unique per consultation in the database) makes
a retried request or a double click return the submission already made instead of a second
one.
"""

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.services import audit_record
from consult.models import Consultation, Question, State
from feedback.forms import AnswerData
from feedback.models import (
    Answer,
    AnswerChoice,
    Consent,
    ContactDetails,
    Monitoring,
    Participant,
    PartnerToken,
    Submission,
)

logger = logging.getLogger(__name__)

CONFIRM_SALT = "feedback.confirm-email"


class SubmissionClosed(Exception):
    """The consultation no longer accepts this change."""


@dataclass
class Received:
    """The result of receiving a whole response: the submission and whether it is new."""

    submission: Submission
    created: bool


# Messages ----------------------------------------------------------------------------


def message_send(*, to: str, subject: str, body: str) -> None:
    """Send one email after the transaction commits.

    The one place feedback sends mail: the notifications app will replace it with its outbox.
    A failure is logged, never raised, so a citizen's submission never fails on mail.
    """

    def deliver() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        except Exception:
            logger.exception("could not send a feedback email")

    transaction.on_commit(deliver)


def private_url(submission: Submission, name: str = "feedback:resume", **extra) -> str:
    """The absolute private link to a submission, in the participant's language."""
    language = submission.participant.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse(
            name,
            kwargs={
                "slug": submission.consultation.slug,
                "token": submission.participant.token,
                **extra,
            },
        )
    return f"{settings.SITE_URL}{path}"


def confirmation_signature(submission: Submission) -> str:
    return signing.dumps(submission.pk, salt=CONFIRM_SALT, compress=True)


def _email_participant(submission: Submission, template: str, **context) -> None:
    contact = ContactDetails.objects.filter(participant=submission.participant_id).first()
    if contact is None or not contact.email:
        return
    language = submission.participant.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            f"feedback/email/{template}.txt",
            {
                "submission": submission,
                "consultation": submission.consultation,
                "link": private_url(submission),
                **context,
            },
        )
        subject, _blank, text = body.strip().partition("\n")
    message_send(to=contact.email, subject=subject.strip(), body=text.strip())


# Guards ------------------------------------------------------------------------------


def _require_online(consultation: Consultation) -> None:
    if not consultation.accepts_online:
        raise SubmissionClosed(_("This consultation is not taking answers online."))


def _require_changeable(submission: Submission) -> None:
    """A person may change a draft or a sent response until the consultation closes."""
    if submission.is_withdrawn:
        raise SubmissionClosed(_("This response has been withdrawn."))
    if not submission.consultation.is_open:
        raise SubmissionClosed(_("This consultation has closed, so answers cannot change."))


def missing_required(questions: Iterable[Question], answers: Iterable[Answer]) -> list[Question]:
    """Required questions without an answer, in order."""
    answered = {
        answer.question_id
        for answer in answers
        if answer.text
        or answer.other_text
        or answer.yes_no is not None
        or answer.number is not None
        or answer.file
        or answer.selections.all()
    }
    return [q for q in questions if q.required and q.pk not in answered]


# Answers -----------------------------------------------------------------------------


PLAIN_TYPES = (str, int, bool)


def _insert_sql(
    model,
    columns: tuple[str, ...],
    rows: list[tuple],
    *,
    given: dict[str, str] | None = None,
    templates: dict[str, str] | None = None,
) -> tuple[str, list]:
    """The INSERT of `rows` (values in the order of `columns`) and its parameters.

    What `bulk_create` does for these rows, without a model instance per row or a compiled
    query: answers and chosen options are most of what the submissions API writes, many
    hundreds of rows a second (`bench/bench_submissions.py`). Values other than plain text,
    numbers and booleans go through their field's own conversion, as the ORM's would.
    `given` adds columns whose value is an SQL expression, the same in every row;
    `templates` puts a column's value into an SQL expression (both name other parts of one
    statement, see `_insert_response`).
    """
    given, templates = given or {}, templates or {}
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    names = [qn(f.column) for f in fields] + [qn(model._meta.get_field(n).column) for n in given]
    row_sql = "(" + ", ".join([*(templates.get(n, "%s") for n in columns), *given.values()]) + ")"
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(names)}) "  # noqa: S608 # nosec B608 - names from the model, every value a parameter
        f"VALUES {', '.join([row_sql] * len(rows))}"
    )
    params = [
        # Text, whole numbers, booleans and NULL go to every database as they are.
        value
        if value is None or type(value) in PLAIN_TYPES
        else field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    return sql, params


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """INSERT `rows` (values in the order of `columns`) in one statement; their ids, in order."""
    if not rows:
        return []
    sql, params = _insert_sql(model, columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} RETURNING {connection.ops.quote_name(model._meta.pk.column)}", params
        )
        return [pk for (pk,) in cursor.fetchall()]


def _values(obj, leave_out: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple]:
    """The columns and values `save()` would INSERT for a new instance (defaults and automatic
    times included), but for those left out."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key and f.name not in leave_out]
    return tuple(f.name for f in fields), tuple(f.pre_save(obj, True) for f in fields)


def _saved(obj, pk: int):
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def _create(obj):
    """INSERT a new model instance in one statement, as `save()` would, without compiling a
    query; the instance, with its id."""
    columns, values = _values(obj)
    (pk,) = _insert(type(obj), columns, [values])
    return _saved(obj, pk)


ANSWER_COLUMNS = ("question", "text", "other_text", "yes_no", "number", "file")


def _answer_rows(answers: list[AnswerData], kept_files: dict[int, str]) -> list[tuple]:
    """The answers to store, with their files saved: (question, text, ...), choices."""
    rows = []
    for data in answers:
        file = data.file or kept_files.get(data.question.pk, "")
        if data.is_empty and not file:
            continue
        if file and not isinstance(file, str):
            file = _store_upload(data.question, file)
        rows.append(
            (
                (data.question.pk, data.text, data.other_text, data.yes_no, data.number, file),
                data.choices,
            )
        )
    return rows


def _store_answers(
    *,
    submission: Submission,
    answers: list[AnswerData],
    replace: bool,
    kept_files: dict[int, str] | None = None,
) -> None:
    """Write answers and their chosen options, each in one INSERT (a fixed number of queries).

    `kept_files` names files uploaded earlier that stay when no new file is given.
    """
    if replace:
        question_ids = [a.question.pk for a in answers]
        Answer.objects.filter(submission=submission, question_id__in=question_ids).delete()
    _insert_answers(submission, _answer_rows(answers, kept_files or {}))


def _insert_answers(submission: Submission, rows: list[tuple]) -> None:
    """INSERT the answers of `_answer_rows`, then their chosen options: two statements."""
    answer_ids = _insert(
        Answer, ("submission", *ANSWER_COLUMNS), [(submission.pk, *row) for row, _c in rows]
    )
    _insert(
        AnswerChoice,
        ("answer", "choice", "rank", "submission", "channel", "language"),
        [
            (answer_id, choice_id, rank, submission.pk, submission.channel, submission.language)
            for (_row, choices), answer_id in zip(rows, answer_ids, strict=True)
            for choice_id, rank in choices
        ],
    )


def _insert_response(participant: Participant, submission: Submission, rows: list[tuple]) -> None:
    """PostgreSQL: the participant, the submission, its answers and their chosen options in
    one statement (data-modifying WITH queries): one round trip to the database instead of
    four, and, a single statement being atomic, no BEGIN and COMMIT when nothing else is
    written with it. The same rows as `_create` and `_store_answers` write."""
    question = connection.ops.quote_name(Answer._meta.get_field("question").column)
    columns, values = _values(participant)
    sql, params = _insert_sql(Participant, columns, [values])
    parts = {"p": (f"{sql} RETURNING id", params)}
    columns, values = _values(submission, leave_out=["participant"])
    sql, params = _insert_sql(
        Submission, columns, [values], given={"participant": "(SELECT id FROM p)"}
    )
    parts["s"] = (f"{sql} RETURNING id", params)
    if rows:
        sql, params = _insert_sql(
            Answer,
            ANSWER_COLUMNS,
            [row for row, _c in rows],
            given={"submission": "(SELECT id FROM s)"},
        )
        parts["a"] = (f"{sql} RETURNING id, {question}", params)
    picks = [
        (row[0], choice_id, rank, submission.channel, submission.language)
        for row, choices in rows
        for choice_id, rank in choices
    ]
    if picks:
        parts["c"] = _insert_sql(
            AnswerChoice,
            ("answer", "choice", "rank", "channel", "language"),
            picks,  # the answer's question, to find the answer by
            given={"submission": "(SELECT id FROM s)"},
            templates={"answer": f"(SELECT id FROM a WHERE {question} = %s)"},  # noqa: S608 # nosec B608 - a column name
        )
    with_sql = ", ".join(f"{name} AS ({sql})" for name, (sql, _p) in parts.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {with_sql} SELECT p.id, s.id FROM p, s",  # noqa: S608 # nosec B608
            [value for _sql, params in parts.values() for value in params],
        )
        participant_pk, submission_pk = cursor.fetchone()
    submission.participant = _saved(participant, participant_pk)
    _saved(submission, submission_pk)


def _store_upload(question: Question, upload) -> str:
    """Save an uploaded file where the answer's file field would; its stored name."""
    field = Answer._meta.get_field("file")
    name = field.generate_filename(Answer(question=question), upload.name)
    return field.storage.save(name, upload, max_length=field.max_length)


@transaction.atomic
def answers_save(
    *,
    submission: Submission,
    answers: list[AnswerData],
    files_kept: dict[int, str] | None = None,
) -> None:
    """Save one section's answers to a draft, or change them in a sent response.

    Side effects: the section's earlier answers are replaced; files uploaded earlier
    (`files_kept`, question id → stored name) stay unless a new file replaces them.
    """
    _require_changeable(submission)
    _store_answers(submission=submission, answers=answers, replace=True, kept_files=files_kept)
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now())


# The online form ---------------------------------------------------------------------


def _create_once(
    consultation: Consultation,
    idempotency_key: uuid.UUID | None,
    make: Callable[[], Submission],
    *,
    one_statement: bool = False,
) -> Received:
    """Run `make` in a transaction; if the key was used already, return that submission.

    When `make` writes with `one_statement` and no transaction is open, the statement is its
    own transaction (and a failed one leaves nothing behind).
    """
    alone = one_statement and connection.get_autocommit()
    try:
        with nullcontext() if alone else transaction.atomic():
            return Received(make(), True)
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = (
            Submission.objects.select_related("participant", "consultation")
            .filter(consultation=consultation, idempotency_key=idempotency_key)
            .first()
        )
        if existing is None:
            raise
        return Received(existing, False)


def submission_start(
    *, consultation: Consultation, language: str, idempotency_key: uuid.UUID
) -> Received:
    """Make the draft a person's answers are saved into as they go (idempotent on the key)."""
    _require_online(consultation)

    def make() -> Submission:
        participant = Participant.objects.create(language=language)
        return Submission.objects.create(
            consultation=consultation,
            participant=participant,
            channel=Submission.Channel.ONLINE,
            language=language,
            idempotency_key=idempotency_key,
        )

    return _create_once(consultation, idempotency_key, make)


@transaction.atomic
def monitoring_save(
    *, submission: Submission, fields: dict | None, consent_wording: str, language: str
) -> Monitoring | None:
    """Store (or clear) the "About you" answers with their consent; None clears them.

    Side effects: a monitoring consent is recorded, or withdrawn when cleared.
    """
    _require_changeable(submission)
    participant = submission.participant
    if fields is None:
        Monitoring.objects.filter(submission=submission).delete()
        Consent.objects.filter(
            participant=participant, purpose=Consent.Purpose.MONITORING, withdrawn_at=None
        ).update(withdrawn_at=timezone.now())
        return None
    group_ids = fields.pop("group_ids")
    monitoring, _created = Monitoring.objects.update_or_create(
        submission=submission, defaults=fields
    )
    monitoring.groups.set(group_ids)
    Consent.objects.get_or_create(
        participant=participant,
        purpose=Consent.Purpose.MONITORING,
        withdrawn_at=None,
        defaults={"wording": consent_wording, "language": language},
    )
    return monitoring


@transaction.atomic
def contact_save(
    *,
    submission: Submission,
    email: str,
    phone: str,
    language: str,
    consents: dict[str, str],
    shown_in: str,
) -> None:
    """Store contact details and consents (each with the wording shown and when).

    Unticked consents given earlier are withdrawn; empty details delete the row.
    Side effects: the first time an email is given to a draft, it is sent the private link.
    """
    _require_changeable(submission)
    participant = submission.participant
    had_email = ContactDetails.objects.filter(participant=participant).exclude(email="").exists()
    if email or phone:
        ContactDetails.objects.update_or_create(
            participant=participant, defaults={"email": email, "phone": phone}
        )
    else:
        ContactDetails.objects.filter(participant=participant).delete()
    if language and language != participant.language:
        participant.language = language
        participant.save(update_fields=["language"])
    now = timezone.now()
    purposes = [
        Consent.Purpose.OUTCOME_NEWS,
        Consent.Purpose.FOLLOW_UP,
        Consent.Purpose.PUBLICATION,
    ]
    active = set(
        Consent.objects.filter(
            participant=participant, purpose__in=purposes, withdrawn_at=None
        ).values_list("purpose", flat=True)
    )
    Consent.objects.filter(
        participant=participant,
        purpose__in=[p for p in active if p not in consents],
        withdrawn_at=None,
    ).update(withdrawn_at=now)
    Consent.objects.bulk_create(
        Consent(participant=participant, purpose=p, wording=w, language=shown_in, given_at=now)
        for p, w in consents.items()
        if p not in active
    )
    if email and not had_email and submission.is_draft:
        _email_participant(submission, "resume")


@transaction.atomic
def submission_submit(*, submission: Submission, questions: list[Question]) -> Submission:
    """Send a draft: every required question must be answered, or nothing changes.

    Idempotent: submitting a sent response again returns it unchanged. Side effects: a
    receipt email, or a confirmation link where the consultation asks for one.
    """
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state == Submission.State.SUBMITTED:
        return locked
    locked.consultation = submission.consultation
    locked.participant = submission.participant
    _require_changeable(locked)
    answers = list(Answer.objects.filter(submission=locked).prefetch_related("selections"))
    missing = missing_required(questions, answers)
    if missing:
        raise ValidationError(
            [
                ValidationError(
                    _("Answer the question: %(question)s"),
                    code="missing",
                    params={"question": q.text},
                )
                for q in missing
            ]
        )
    locked.state = Submission.State.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["state", "submitted_at", "updated_at"])
    if locked.awaits_confirmation:
        link = private_url(
            locked, "feedback:confirm_email", signature=confirmation_signature(locked)
        )
        _email_participant(locked, "confirm", confirm_link=link)
    else:
        _email_participant(locked, "receipt")
    return locked


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    """Withdraw a response before closing; its answers stay stored but are never counted."""
    _require_changeable(submission)
    Submission.objects.filter(pk=submission.pk).update(
        state=Submission.State.WITHDRAWN,
        withdrawn_at=timezone.now(),
        submitted_at=submission.submitted_at or timezone.now(),
    )
    submission.refresh_from_db()
    return submission


@transaction.atomic
def submission_confirm_email(*, submission: Submission, signature: str) -> bool:
    """Mark a response's email confirmed if the signed link is its own; idempotent."""
    try:
        pk = signing.loads(signature, salt=CONFIRM_SALT)
    except signing.BadSignature:
        return False
    if pk != submission.pk:
        return False
    Submission.objects.filter(pk=submission.pk, email_confirmed_at__isnull=True).update(
        email_confirmed_at=timezone.now()
    )
    submission.refresh_from_db(fields=["email_confirmed_at"])
    return True


# Whole responses at once: facilitators, imports, the API ---------------------------------


def _accepts(consultation: Consultation, channel: str, received_on: dt.date | None) -> bool:
    """Open consultations take responses; a closed one only paper received before it closed."""
    if consultation.state == State.OPEN:
        return channel != Submission.Channel.API or consultation.mode != (
            Consultation.Mode.ASSISTED_ONLY
        )
    return (
        consultation.state == State.CLOSED
        and channel in (Submission.Channel.ASSISTED, Submission.Channel.IMPORT)
        and received_on is not None
        and received_on <= consultation.closes_at.astimezone(consultation.tz).date()
    )


def submission_receive(
    *,
    consultation: Consultation,
    channel: str,
    answers: list[AnswerData],
    questions: list[Question],
    idempotency_key: uuid.UUID | None,
    language: str = "",
    entered_by: User | None = None,
    entered_for: Organisation | None = None,
    received_via: str = "",
    received_on: dt.date | None = None,
    place: str = "",
) -> Received:
    """Store a whole, validated response in one transaction (idempotent on the key).

    Used by facilitators, the CSV import and the API. Side effects: audit entry when a
    member of staff entered it.
    """
    if not _accepts(consultation, channel, received_on):
        raise SubmissionClosed(_("This consultation is not taking responses now."))
    by_question = {a.question.pk: a for a in answers}
    missing = [q for q in questions if q.required and by_question.get(q.pk, AnswerData(q)).is_empty]
    if missing:
        raise ValidationError(
            {
                f"q{q.pk}": ValidationError(_("Answer this question"), code="missing")
                for q in missing
            }
        )
    late = consultation.state == State.CLOSED
    now = timezone.now()

    def make() -> Submission:
        participant = Participant(language=language)
        submission = Submission(
            consultation=consultation,
            channel=channel,
            state=Submission.State.SUBMITTED,
            idempotency_key=idempotency_key,
            language=language,
            entered_by=entered_by,
            entered_for=entered_for,
            received_via=received_via,
            received_on=received_on,
            place=place,
            late_paper=late,
            submitted_at=now,
        )
        rows = _answer_rows(answers, {})
        if connection.vendor == "postgresql":
            _insert_response(participant, submission, rows)
        else:
            submission.participant = _create(participant)
            _insert_answers(_create(submission), rows)
        if entered_by is not None:
            audit_record(
                actor=entered_by,
                organisation=consultation.organisation,
                action=f"submission.{channel}",
                obj=submission,
                late_paper=late,
            )
        return submission

    # On PostgreSQL, what the API sends is written by one statement, atomic on its own.
    alone = connection.vendor == "postgresql" and entered_by is None
    return _create_once(consultation, idempotency_key, make, one_statement=alone)


@transaction.atomic
def submissions_import(
    *,
    consultation: Consultation,
    actor: User,
    rows: list[dict],
    questions: list[Question],
) -> list[Received]:
    """Store every row of a validated CSV import, or none of them.

    Each row carries an idempotency key derived from the file and row, so importing the
    same file twice adds nothing. Side effects: one audit entry per new submission.
    """
    return [
        submission_receive(
            consultation=consultation,
            channel=Submission.Channel.IMPORT,
            questions=questions,
            entered_by=actor,
            **row,
        )
        for row in rows
    ]


@transaction.atomic
def partner_token_create(*, organisation: Organisation, name: str) -> tuple[str, PartnerToken]:
    """Make an API key for a partner app; returns the key (shown once) and the stored row."""
    key = secrets.token_urlsafe(32)
    token = PartnerToken.objects.create(
        organisation=organisation, name=name, key_hash=PartnerToken.hash(key)
    )
    return key, token
