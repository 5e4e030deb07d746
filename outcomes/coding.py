"""Coding free text: themes (translated names), answers coded to them, quotes.

Writes are one function per use case, keyword-only, in a transaction with an audit entry.
The read side of the coding page is here too (`coding_*` functions) because it is only
used by the coding pages: every listing is one SQL query, every count a GROUP BY.

"Free text" is an answer's `text` (a free-text answer or the reason for a yes or no) or its
`other_text` (what the person wrote for "Other"), in submissions that are counted
(`Submission.objects.confirmed()`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from consult.models import Consultation, Question
from feedback.models import Answer, Submission
from outcomes.models import Campaign, Coding, Theme

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


# Read side.


def free_text_answers(consultation: Consultation) -> QuerySet[Answer]:
    """Counted answers of the consultation that hold free text, with `body` annotated."""
    counted = Submission.objects.confirmed().filter(consultation=consultation).values("pk")
    return (
        Answer.objects.filter(submission_id__in=counted)
        .filter(Q(text__gt="") | Q(other_text__gt=""))
        .annotate(body=Coalesce(NullIf("text", Value("")), "other_text", output_field=TextField()))
    )


def text_questions(consultation: Consultation) -> QuerySet[Question]:
    """Questions whose answers may hold free text: free text, reasons, "Other"."""
    return Question.objects.filter(section__consultation=consultation).filter(
        Q(kind=Question.Kind.TEXT)
        | Q(kind=Question.Kind.YES_NO, ask_reason=True)
        | Q(allow_other=True)
    )


@dataclasses.dataclass
class CodingFilters:
    question: Question | None = None
    text: str = ""
    channel: str = ""
    theme: Theme | None = None
    uncoded: bool = False


def coding_answers(consultation: Consultation, filters: CodingFilters) -> QuerySet[Answer]:
    """The rows of the coding page: one per distinct voice (a campaign shows once, by its
    representative, with `campaign_size`), newest first, with their codings prefetched."""
    answers = free_text_answers(consultation)
    if filters.question is not None:
        answers = answers.filter(question=filters.question)
    if filters.text:
        answers = answers.filter(
            Q(text__icontains=filters.text) | Q(other_text__icontains=filters.text)
        )
    if filters.channel:
        answers = answers.filter(submission__channel=filters.channel)
    if filters.theme is not None:
        answers = answers.filter(codings__theme=filters.theme)
    if filters.uncoded:
        answers = answers.exclude(Exists(Coding.objects.filter(answer=OuterRef("pk"))))
    return (
        answers.filter(
            Q(campaign_member__isnull=True)
            | Q(campaign_member__campaign__representative_id=F("pk"))
        )
        .annotate(
            campaign_id=F("campaign_member__campaign_id"),
            campaign_size=F("campaign_member__campaign__size"),
        )
        .select_related("question", "submission")
        .prefetch_related(
            Prefetch("codings", queryset=Coding.objects.select_related("theme").order_by("pk"))
        )
        .order_by("-submission__submitted_at", "-pk")
    )


def coding_group_count(consultation: Consultation, filters: CodingFilters, group_id: int) -> int:
    """How many answers matching the filters come from people in a self-identified group.

    Only a count, never which answers: monitoring data is read in aggregate.
    """
    answers = free_text_answers(consultation).filter(submission__monitoring__groups=group_id)
    if filters.question is not None:
        answers = answers.filter(question=filters.question)
    if filters.channel:
        answers = answers.filter(submission__channel=filters.channel)
    if filters.theme is not None:
        answers = answers.filter(codings__theme=filters.theme)
    return answers.values("pk").distinct().count()


def themes_with_counts(consultation: Consultation) -> QuerySet[Theme]:
    """The consultation's themes with `answer_count` and `quote_count`."""
    return Theme.objects.filter(consultation=consultation).annotate(
        answer_count=Count("codings"),
        quote_count=Count("codings", filter=Q(codings__is_quote=True)),
    )


def campaign_members(campaign: Campaign) -> QuerySet[Answer]:
    """The answers of a campaign, the most similar first."""
    return (
        Answer.objects.filter(campaign_member__campaign=campaign)
        .annotate(
            body=Coalesce(NullIf("text", Value("")), "other_text", output_field=TextField()),
            similarity=F("campaign_member__similarity"),
        )
        .select_related("submission")
        .order_by("-campaign_member__similarity", "pk")
    )


# Write side.


def _clean_names(names: dict[str, str]) -> dict[str, str]:
    cleaned = {code: (names.get(code) or "").strip() for code in LANGUAGE_CODES}
    if not cleaned[DEFAULT_LANGUAGE]:
        raise ValidationError(
            {f"name_{DEFAULT_LANGUAGE}": _("Enter a name for the theme.")}, code="required"
        )
    return cleaned


def _check_name_free(consultation: Consultation, name: str, *, exclude: int | None = None):
    taken = Theme.objects.filter(
        consultation=consultation, **{f"name_{DEFAULT_LANGUAGE}__iexact": name}
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {f"name_{DEFAULT_LANGUAGE}": _("There is already a theme with this name.")},
            code="unique",
        )


@transaction.atomic
def theme_create(
    *,
    consultation: Consultation,
    actor: User,
    names: dict[str, str],
    description: str = "",
) -> Theme:
    """Add a theme, named in one or more languages. Side effects: audit entry."""
    cleaned = _clean_names(names)
    _check_name_free(consultation, cleaned[DEFAULT_LANGUAGE])
    position = Theme.objects.filter(consultation=consultation).count()
    theme = Theme(
        consultation=consultation, created_by=actor, description=description, position=position
    )
    for code, name in cleaned.items():
        setattr(theme, f"name_{code.replace('-', '_')}", name)
    theme.save()
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="theme.create",
        obj=theme,
        name=cleaned[DEFAULT_LANGUAGE],
    )
    return theme


@transaction.atomic
def theme_rename(*, theme: Theme, actor: User, names: dict[str, str]) -> Theme:
    """Change a theme's names. Side effects: audit entry."""
    cleaned = _clean_names(names)
    _check_name_free(theme.consultation, cleaned[DEFAULT_LANGUAGE], exclude=theme.pk)
    before = getattr(theme, f"name_{DEFAULT_LANGUAGE}")
    for code, name in cleaned.items():
        setattr(theme, f"name_{code.replace('-', '_')}", name)
    theme.save()
    audit_record(
        actor=actor,
        organisation=theme.consultation.organisation,
        action="theme.rename",
        obj=theme,
        before=before,
        after=cleaned[DEFAULT_LANGUAGE],
    )
    return theme


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme, actor: User) -> Theme:
    """Move every coding of `source` to `target`, then remove `source`.

    Side effects: codings moved (an answer coded to both keeps one coding, a quote if
    either was), suggestions pointed at the target, source theme deleted, audit entry.
    """
    if source.pk == target.pk or source.consultation_id != target.consultation_id:
        raise ValidationError(_("Choose another theme of the same consultation."), code="invalid")
    both = Coding.objects.filter(theme=target, answer__codings__theme=source)
    both.filter(answer__codings__is_quote=True).update(is_quote=True)
    Coding.objects.filter(theme=source, answer__codings__theme=target).delete()
    moved = Coding.objects.filter(theme=source).update(theme=target)
    source.suggestedtheme_set.update(theme=target)
    source.commitments.update(theme=target)
    audit_record(
        actor=actor,
        organisation=target.consultation.organisation,
        action="theme.merge",
        obj=target,
        source=source.pk,
        source_name=source.name,
        moved=moved,
    )
    source.delete()
    return target


@transaction.atomic
def theme_delete(*, theme: Theme, actor: User) -> None:
    """Remove a theme and its codings (the answers stay). Side effects: audit entry."""
    audit_record(
        actor=actor,
        organisation=theme.consultation.organisation,
        action="theme.delete",
        obj=theme,
        name=theme.name,
        codings=theme.codings.count(),
    )
    theme.delete()


def _codable(theme: Theme, answer_ids: Iterable[int], campaign_ids: Iterable[int]):
    """Answers of the theme's consultation among the ids, or in the campaigns (lists of ids
    or `values("pk")` querysets, which stay subqueries)."""
    if not isinstance(answer_ids, QuerySet):
        answer_ids = list(answer_ids)
    if not isinstance(campaign_ids, QuerySet):
        campaign_ids = list(campaign_ids)
    return free_text_answers(theme.consultation).filter(
        Q(pk__in=answer_ids) | Q(campaign_member__campaign_id__in=campaign_ids)
    )


@transaction.atomic
def answers_code(
    *,
    theme: Theme,
    actor: User | None,
    answer_ids: Iterable[int] = (),
    campaign_ids: Iterable[int] = (),
    from_suggestion: bool = False,
) -> int:
    """Code many answers to a theme in one statement; campaigns bring all their members.

    Answers already coded to the theme are left as they are. Returns how many were coded.
    Side effects: audit entry.
    """
    if not isinstance(campaign_ids, QuerySet):
        campaign_ids = list(campaign_ids)
    campaign_ids = Campaign.objects.filter(
        consultation_id=theme.consultation_id, pk__in=campaign_ids
    ).values("pk")
    source_sql, params = (
        _codable(theme, answer_ids, campaign_ids).values(chosen_id=F("pk")).query.sql_with_params()
    )
    # INSERT … SELECT keeps a bulk tag of thousands of answers to one round trip; the
    # `WHERE true` lets SQLite (the demo) parse ON CONFLICT after a SELECT.
    insert = (
        "INSERT INTO outcomes_coding "
        "(answer_id, theme_id, coded_by_id, from_suggestion, is_quote, created_at) "
        "SELECT chosen.chosen_id, %s, %s, %s, %s, %s FROM"
    )
    conflict = "AS chosen WHERE true ON CONFLICT (answer_id, theme_id) DO NOTHING"
    # source_sql is compiled by Django and every value is a parameter.
    sql = f"{insert} ({source_sql}) {conflict}"
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    with connection.cursor() as cursor:
        cursor.execute(sql, [theme.pk, actor_id, from_suggestion, False, timezone.now(), *params])
        coded = cursor.rowcount
    audit_record(
        actor=actor,
        organisation=theme.consultation.organisation,
        action="theme.code",
        obj=theme,
        coded=coded,
        from_suggestion=from_suggestion,
    )
    return coded


@transaction.atomic
def answer_uncode(
    *, theme: Theme, actor: User, answer_ids: Iterable[int] = (), campaign_ids: Iterable[int] = ()
) -> int:
    """Take answers (and whole campaigns) off a theme. Side effects: audit entry."""
    chosen = _codable(theme, answer_ids, campaign_ids).values("pk")
    removed, _detail = Coding.objects.filter(theme=theme, answer_id__in=chosen).delete()
    audit_record(
        actor=actor,
        organisation=theme.consultation.organisation,
        action="theme.uncode",
        obj=theme,
        removed=removed,
    )
    return removed


@transaction.atomic
def quote_toggle(*, coding: Coding, actor: User) -> bool:
    """Choose an answer as a quote for its theme, or stop. Side effects: audit entry."""
    coding = (
        Coding.objects.select_for_update().select_related("theme__consultation").get(pk=coding.pk)
    )
    coding.is_quote = not coding.is_quote
    coding.save(update_fields=["is_quote"])
    audit_record(
        actor=actor,
        organisation=coding.theme.consultation.organisation,
        action="theme.quote" if coding.is_quote else "theme.unquote",
        obj=coding,
        answer=coding.answer_id,
    )
    return coding.is_quote
