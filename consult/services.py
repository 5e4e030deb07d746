"""Every change to a consultation: content, questions, events and the lifecycle.

Each function runs in a transaction and records who did what in the audit log. The
lifecycle has one entry point, `consultation_transition`; closing goes through
`consultation_close`, the single event that notifications hang their messages on.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.services import audit_record
from consult import rules
from consult.models import (
    Attachment,
    Choice,
    Consultation,
    Event,
    Question,
    Section,
    State,
    Transition,
)
from consult.signals import consultation_transitioned

logger = logging.getLogger(__name__)


class TransitionError(Exception):
    """A state change that is not allowed from the current state."""


def _validate(obj) -> None:
    """Model validation in the default language.

    modeltranslation reads a bare translated field (`title`) in the active language; staff
    working in Malay would otherwise be told the English-required fields are empty.
    """
    with translation.override(settings.LANGUAGE_CODE):
        obj.full_clean()


# Paths under /consultations/ that a consultation's address must not hide.
RESERVED_SLUGS = {"feed"}


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title, allow_unicode=False)[:60] or "consultation"
    slug, n = base, 2
    while (
        slug in RESERVED_SLUGS
        or Consultation.objects.filter(slug=slug).exclude(pk=exclude_pk).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def consultation_create(
    *,
    organisation: Organisation,
    actor: User,
    fields: dict[str, Any],
    target_groups=(),
    partners=(),
) -> Consultation:
    """Create a draft. Side effects: audit entry."""
    if not rules.permissions.has_role(actor, organisation, rules.permissions.EDIT):
        raise PermissionDenied
    consultation = Consultation(organisation=organisation, created_by=actor, **fields)
    consultation.slug = fields.get("slug") or _unique_slug(
        fields.get("title_en") or fields["title"]
    )
    _validate(consultation)
    consultation.save()
    consultation.target_groups.set(target_groups)
    consultation.partners.set(partners)
    audit_record(
        actor=actor, organisation=organisation, action="consultation.create", obj=consultation
    )
    return consultation


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    actor: User,
    fields: dict[str, Any],
    target_groups=None,
    partners=None,
) -> Consultation:
    """Change content and settings. Side effects: audit entry listing the changed fields."""
    if not rules.can_edit(actor, consultation):
        raise PermissionDenied
    changed = [name for name, value in fields.items() if getattr(consultation, name) != value]
    for name, value in fields.items():
        setattr(consultation, name, value)
    _validate(consultation)
    consultation.save()
    if target_groups is not None:
        consultation.target_groups.set(target_groups)
    if partners is not None:
        consultation.partners.set(partners)
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="consultation.update",
        obj=consultation,
        fields=changed,
    )
    return consultation


def consultation_transition(
    *,
    consultation: Consultation,
    action: str,
    actor: User | None,
    reason: str = "",
    check_permission: bool = True,
) -> bool:
    """Move a consultation along its lifecycle; returns False if it had already moved.

    The state is changed by a conditional UPDATE, so two callers racing (two beats, a beat
    and a person) make one transition and one audit record. Side effects: Transition row,
    audit entry, `consultation_transitioned` signal (sent inside the transaction).
    """
    from_states, to_state, _roles = rules.TRANSITIONS[action]
    if consultation.state not in from_states:
        if not check_permission:
            return False  # the sweep, or a second beat: someone already moved it
        raise TransitionError(
            _("This consultation is %(state)s; it cannot do that now.")
            % {"state": consultation.get_state_display().lower()}
        )
    if check_permission and not rules.can_transition(actor, consultation, action):
        raise PermissionDenied
    with transaction.atomic():
        from_state = consultation.state
        now = timezone.now()
        updates: dict[str, Any] = {"state": to_state, "updated_at": now}
        if to_state == State.SCHEDULED and consultation.first_published_at is None:
            updates["first_published_at"] = now
        moved = Consultation.objects.filter(pk=consultation.pk, state=from_state).update(**updates)
        if not moved:
            consultation.refresh_from_db()
            return False
        for name, value in updates.items():
            setattr(consultation, name, value)
        Transition.objects.create(
            consultation=consultation,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
            at=now,
        )
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action=f"consultation.{action}",
            obj=consultation,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )
        # Inside the transaction: receivers write their outbox rows with the state change,
        # so a crash can never leave a closed consultation whose messages were never queued.
        consultation_transitioned.send(
            sender=Consultation, consultation=consultation, from_state=from_state, to_state=to_state
        )
    return True


def consultation_schedule(*, consultation: Consultation, actor: User) -> bool:
    """Make a draft public; it opens at its opening time. Checks it is ready first."""
    problems = consultation_readiness(consultation)
    if problems:
        raise ValidationError(problems)
    moved = consultation_transition(consultation=consultation, action="schedule", actor=actor)
    if moved and consultation.opens_at <= timezone.now():
        consultation_transition(
            consultation=consultation, action="open", actor=None, check_permission=False
        )
    return moved


def consultation_close(
    *, consultation: Consultation, actor: User | None = None, reason: str = ""
) -> bool:
    """Close a consultation: the one place every closing goes through (beat or by hand).

    By hand (an owner closing early) a reason is required. Side effects: as
    `consultation_transition`; notifications pick up the closing from the Transition row.
    """
    if actor is not None and not reason.strip():
        raise ValidationError({"reason": _("Say why you are closing the consultation early.")})
    return consultation_transition(
        consultation=consultation,
        action="close",
        actor=actor,
        reason=reason or "Closing time reached",
        check_permission=actor is not None,
    )


def consultation_open(
    *, consultation: Consultation, actor: User | None = None, reason: str = ""
) -> bool:
    """Open a scheduled consultation (beat at its opening time, or an owner by hand)."""
    return consultation_transition(
        consultation=consultation,
        action="open",
        actor=actor,
        reason=reason or "Opening time reached",
        check_permission=actor is not None,
    )


@transaction.atomic
def consultation_extend(
    *, consultation: Consultation, actor: User, closes_at: dt.datetime, reason: str
) -> Consultation:
    """Move the closing time of an open consultation later. Side effects: audit entry."""
    if not rules.can_extend(actor, consultation):
        raise PermissionDenied
    errors = {}
    if closes_at <= consultation.closes_at:
        errors["closes_at"] = _("The new closing time must be later than the current one.")
    if not reason.strip():
        errors["reason"] = _("Say why you are extending the deadline.")
    if errors:
        raise ValidationError(errors)
    previous = consultation.closes_at
    consultation.closes_at = closes_at
    consultation.save(update_fields=["closes_at", "updated_at"])
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="consultation.extend",
        obj=consultation,
        previous_closes_at=previous.isoformat(),
        closes_at=closes_at.isoformat(),
        reason=reason,
    )
    return consultation


def consultation_reopen(
    *, consultation: Consultation, actor: User, closes_at: dt.datetime, reason: str
) -> bool:
    """Reopen a closed consultation until a new closing time (owners only, with a reason)."""
    errors = {}
    if closes_at <= timezone.now():
        errors["closes_at"] = _("The new closing time must be in the future.")
    if not reason.strip():
        errors["reason"] = _("Say why you are reopening the consultation.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        moved = consultation_transition(
            consultation=consultation, action="reopen", actor=actor, reason=reason
        )
        if moved:
            consultation.closes_at = closes_at
            consultation.updated_at = timezone.now()
            consultation.save(update_fields=["closes_at", "updated_at"])
    return moved


def consultations_advance_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open and close every consultation whose time has come (the beat task's work).

    Idempotent and catching up: whatever a missed beat left is done by the next one.
    """
    now = now or timezone.now()
    counts = {"opened": 0, "closed": 0}
    for consultation in Consultation.objects.due_to_open(now).select_related("organisation"):
        counts["opened"] += consultation_open(consultation=consultation)
    for consultation in Consultation.objects.due_to_close(now).select_related("organisation"):
        counts["closed"] += consultation_close(consultation=consultation)
    if any(counts.values()):
        logger.info("lifecycle sweep: %s", counts)
    return counts


def consultation_readiness(consultation: Consultation) -> dict[str, list[str]]:
    """What must be fixed before the consultation can be scheduled."""
    problems: dict[str, list[str]] = {}
    if not Question.objects.filter(section__consultation=consultation).exists():
        problems.setdefault("__all__", []).append(_("Add at least one question."))
    if consultation.closes_at <= timezone.now():
        problems.setdefault("closes_at", []).append(_("The closing time has already passed."))
    return problems


# Questions and sections ---------------------------------------------------------------


def _touch(consultation: Consultation) -> None:
    """Mark the consultation changed: its public page is rendered anew (PUBLIC_PAGE_CACHE)."""
    Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now())


def _require_edit(actor: User, consultation: Consultation) -> None:
    if not rules.can_edit(actor, consultation):
        raise PermissionDenied


def _answers_exist(question: Question) -> bool:
    """True once anyone has answered the question (answers live in a higher app)."""
    return any(
        related.related_model.objects.filter(**{related.field.name: question}).exists()
        for related in question._meta.related_objects
        if related.related_model._meta.app_label != "consult"
    )


@transaction.atomic
def section_save(
    *,
    consultation: Consultation,
    actor: User,
    fields: dict[str, Any],
    section: Section | None = None,
) -> Section:
    """Add or change a section (one page of the form). Side effects: audit entry."""
    _require_edit(actor, consultation)
    if section is None:
        position = consultation.sections.aggregate(m=Max("position"))["m"]
        section = Section(consultation=consultation, position=(position or 0) + 1)
    for name, value in fields.items():
        setattr(section, name, value)
    _validate(section)
    section.save()
    audit_record(
        actor=actor, organisation=consultation.organisation, action="section.save", obj=section
    )
    return section


@transaction.atomic
def question_save(
    *,
    section: Section,
    actor: User,
    fields: dict[str, Any],
    choices: Sequence[dict[str, str]] = (),
    question: Question | None = None,
) -> Question:
    """Add or change a question and its choices.

    Once answers exist, the kind cannot change and choices are only relabelled (never
    removed or reordered), so answers already given keep their meaning.
    """
    consultation = section.consultation
    _require_edit(actor, consultation)
    answered = question is not None and question.pk is not None and _answers_exist(question)
    if answered and fields.get("kind", question.kind) != question.kind:
        raise ValidationError(
            {"kind": _("People have already answered this question, so its kind cannot change.")}
        )
    if question is None:
        position = section.questions.aggregate(m=Max("position"))["m"]
        question = Question(section=section, position=(position or 0) + 1)
    for name, value in fields.items():
        setattr(question, name, value)
    kind = question.kind
    labelled = [c for c in choices if any((c.get(k) or "").strip() for k in c)]
    if kind in Question.CHOICE_KINDS and len(labelled) < 2:
        raise ValidationError({"choices": _("Give at least two choices.")})
    low, high = question.min_value, question.max_value
    if kind == Question.Kind.NUMBER and low is not None and high is not None and low > high:
        raise ValidationError(
            {"max_value": _("The largest number must not be smaller than the smallest.")}
        )
    _validate(question)
    question.save()
    if kind in Question.CHOICE_KINDS:
        existing = list(question.choices.all())
        if answered and len(labelled) < len(existing):
            raise ValidationError(
                {
                    "choices": _(
                        "People have already answered this question, so choices cannot be removed."
                    )
                }
            )
        for position, data in enumerate(labelled):
            choice = existing[position] if position < len(existing) else Choice(question=question)
            choice.position = position
            for name, value in data.items():
                setattr(choice, name, value)
            choice.save()
        Choice.objects.filter(pk__in=[c.pk for c in existing[len(labelled) :]]).delete()
    else:
        question.choices.all().delete()
    audit_record(
        actor=actor, organisation=consultation.organisation, action="question.save", obj=question
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User) -> None:
    consultation = question.section.consultation
    _require_edit(actor, consultation)
    if _answers_exist(question):
        raise ValidationError(
            _("People have already answered this question, so it cannot be deleted.")
        )
    audit_record(
        actor=actor, organisation=consultation.organisation, action="question.delete", obj=question
    )
    question.delete()


@transaction.atomic
def section_delete(*, section: Section, actor: User) -> None:
    consultation = section.consultation
    _require_edit(actor, consultation)
    if any(_answers_exist(q) for q in section.questions.all()):
        raise ValidationError(
            _("People have already answered questions in this section, so it cannot be deleted.")
        )
    audit_record(
        actor=actor, organisation=consultation.organisation, action="section.delete", obj=section
    )
    section.delete()


@transaction.atomic
def item_move(*, item: Section | Question, actor: User, direction: int) -> None:
    """Move a section or question one place up (-1) or down (+1) among its siblings."""
    consultation = item.consultation if isinstance(item, Section) else item.section.consultation
    _require_edit(actor, consultation)
    siblings = list(
        (consultation.sections if isinstance(item, Section) else item.section.questions)
        .select_for_update()
        .order_by("position", "pk")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    target = index + direction
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="reorder",
        obj=item,
        direction=direction,
    )


@transaction.atomic
def event_save(
    *, consultation: Consultation, actor: User, fields: dict[str, Any], event: Event | None = None
) -> Event:
    _require_edit(actor, consultation)
    event = event or Event(consultation=consultation)
    for name, value in fields.items():
        setattr(event, name, value)
    _validate(event)
    event.save()
    _touch(consultation)
    audit_record(
        actor=actor, organisation=consultation.organisation, action="event.save", obj=event
    )
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: User) -> None:
    consultation = event.consultation
    _require_edit(actor, consultation)
    audit_record(
        actor=actor, organisation=consultation.organisation, action="event.delete", obj=event
    )
    event.delete()
    _touch(consultation)


@transaction.atomic
def attachment_add(
    *, consultation: Consultation, actor: User, fields: dict[str, Any], upload
) -> Attachment:
    """Store a document with its text alternative. Type and size are checked by the form."""
    _require_edit(actor, consultation)
    position = consultation.attachments.aggregate(m=Max("position"))["m"]
    attachment = Attachment(
        consultation=consultation, position=(position or 0) + 1, size=upload.size, **fields
    )
    attachment.file.save(upload.name, upload, save=False)
    _validate(attachment)
    attachment.save()
    _touch(consultation)
    audit_record(
        actor=actor, organisation=consultation.organisation, action="attachment.add", obj=attachment
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    consultation = attachment.consultation
    _require_edit(actor, consultation)
    audit_record(
        actor=actor,
        organisation=consultation.organisation,
        action="attachment.delete",
        obj=attachment,
    )
    attachment.file.delete(save=False)
    attachment.delete()
    _touch(consultation)
