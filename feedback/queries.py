"""Reads for the citizen form, facilitators and the API; never personal data in listings."""

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from consult.models import Choice, Consultation, Question, Section
from feedback.forms import YES_NO_CHOICES, ordinal
from feedback.models import Answer, AnswerChoice, Submission


def form_sections(consultation: Consultation) -> list[Section]:
    """The consultation's sections with questions and choices in order (three queries)."""
    return list(
        Section.objects.filter(consultation=consultation)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
                ),
            )
        )
    )


def all_questions(sections: list[Section]) -> list[Question]:
    return [question for section in sections for question in section.questions.all()]


def consultation_questions(consultation: Consultation) -> list[Question]:
    """Every question of the consultation in form order, choices loaded (two queries)."""
    return list(
        Question.objects.filter(section__consultation=consultation)
        .order_by("section__position", "section_id", "position", "pk")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
    )


# What this process has read lately for the submissions API: (expiry, value) by key.
_RECENT: dict[Hashable, tuple[float, Any]] = {}


def recently(key: Hashable, load: Callable[[], Any]) -> Any:
    """`load()`, reused by this process for `API_REUSE_SECONDS` (None is never kept).

    For the API, where partner apps send many whole responses a second: the partner's key,
    the consultation it posts to and its question structure hardly ever change while it
    is open (answered questions cannot change kind or lose choices). A revoked key or a
    consultation closed by hand is refused at most that many seconds later; the lifecycle
    task that closes consultations on time runs every 30 seconds anyway.
    """
    now = time.monotonic()
    hit = _RECENT.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    ttl = settings.API_REUSE_SECONDS
    if ttl > 0 and value is not None:
        if len(_RECENT) > 1000:
            _RECENT.clear()
        _RECENT[key] = (now + ttl, value)
    return value


def consultation_questions_recent(consultation: Consultation) -> list[Question]:
    """As `consultation_questions`, reused for a few seconds by this process (`recently`)."""
    return recently(("questions", consultation.pk), lambda: consultation_questions(consultation))


def private_submission(slug: str, token: str) -> Submission:
    """The submission a private link points at; 404 for any other combination."""
    try:
        return Submission.objects.select_related(
            "participant", "consultation", "consultation__organisation"
        ).get(consultation__slug=slug, participant__token=token)
    except Submission.DoesNotExist:
        raise Http404 from None


def answers_of(submission: Submission) -> list[Answer]:
    """A submission's answers with their chosen options (two queries)."""
    return list(
        Answer.objects.filter(submission=submission).prefetch_related(
            Prefetch("selections", queryset=AnswerChoice.objects.order_by("rank", "pk"))
        )
    )


def uploaded_files(submission: Submission, questions: list[Question]) -> dict[int, str]:
    """{question id: stored file name} for the file answers already given (one query)."""
    file_questions = [q.pk for q in questions if q.kind == Question.Kind.FILE]
    if not file_questions:
        return {}
    return dict(
        Answer.objects.filter(submission=submission, question_id__in=file_questions)
        .exclude(file="")
        .values_list("question_id", "file")
    )


@dataclass
class SummaryRow:
    question: Question
    value: str


def _display(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return ""
    labels = {c.pk: c.label for c in question.choices.all()}
    picked = list(answer.selections.all())
    if question.kind == Question.Kind.RANKING:
        return "; ".join(f"{ordinal(s.rank)}: {labels.get(s.choice_id, '')}" for s in picked)
    if question.has_choices:
        parts = [labels.get(s.choice_id, "") for s in picked]
        if answer.other_text:
            parts.append(_("Other: %(text)s") % {"text": answer.other_text})
        return "; ".join(parts)
    if question.kind == Question.Kind.YES_NO:
        word = dict(YES_NO_CHOICES).get({True: "yes", False: "no"}.get(answer.yes_no), "")
        return f"{word} — {answer.text}" if answer.text and word else str(word or answer.text)
    if question.kind == Question.Kind.NUMBER:
        return "" if answer.number is None else f"{answer.number.normalize():f}"
    if question.kind == Question.Kind.FILE:
        return _("A file was uploaded") if answer.file else ""
    return answer.text


def answers_summary(
    sections: list[Section], answers: list[Answer]
) -> list[tuple[int, Section, list[SummaryRow]]]:
    """(page number, section, rows) for the check-your-answers page."""
    by_question = {answer.question_id: answer for answer in answers}
    return [
        (
            number,
            section,
            [SummaryRow(q, _display(q, by_question.get(q.pk))) for q in section.questions.all()],
        )
        for number, section in enumerate(sections, start=1)
    ]


def submission_counts(consultation: Consultation) -> dict[str, int]:
    """How many responses, by what counts: confirmed apart from unconfirmed; by channel."""
    submissions = Submission.objects.filter(consultation=consultation)
    confirmed = submissions.confirmed()
    counts = confirmed.aggregate(
        total=Count("pk"),
        online=Count("pk", filter=Q(channel=Submission.Channel.ONLINE)),
        assisted=Count("pk", filter=Q(channel=Submission.Channel.ASSISTED)),
        api=Count("pk", filter=Q(channel=Submission.Channel.API)),
        imported=Count("pk", filter=Q(channel=Submission.Channel.IMPORT)),
        late_paper=Count("pk", filter=Q(late_paper=True)),
    )
    counts["unconfirmed"] = submissions.unconfirmed().count()
    counts["drafts"] = submissions.filter(state=Submission.State.DRAFT).count()
    return counts


def recent_entries(consultation: Consultation, user, limit: int = 10) -> QuerySet[Submission]:
    """The latest responses this member of staff entered (reference and when only)."""
    return (
        Submission.objects.filter(consultation=consultation, entered_by=user)
        .only("reference", "submitted_at", "channel", "late_paper", "received_via")
        .order_by("-submitted_at")[:limit]
    )
