"""Writes of the outcome report: baselines, the report's texts, commitments, publishing, exports.

(Themes and coding are written in `outcomes/coding.py`.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from accounts.services import audit_record
from consult.models import Consultation, State
from consult.services import consultation_transition
from outcomes import jobs, messaging
from outcomes.models import (
    Baseline,
    Commitment,
    CommitmentUpdate,
    Job,
    Report,
    Theme,
    ThemeResponse,
)

DEFAULT_SUFFIX = settings.LANGUAGE_CODE.replace("-", "_")


def _require(actor: User, consultation: Consultation, roles) -> None:
    if not permissions.has_role(actor, consultation.organisation_id, roles):
        raise PermissionDenied


def baseline_save(*, consultation: Consultation, actor: User, baseline: Baseline) -> Baseline:
    """Add or change the expected share of a group (validated by the caller's form)."""
    _require(actor, consultation, permissions.ANALYSE)
    with transaction.atomic():
        created = baseline.pk is None
        baseline.consultation = consultation
        baseline.save()
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="baseline.add" if created else "baseline.update",
            obj=baseline,
            dimension=baseline.dimension,
            key=baseline.key,
            expected_share=str(baseline.expected_share),
        )
    return baseline


def baseline_delete(*, baseline: Baseline, actor: User) -> None:
    consultation = baseline.consultation
    _require(actor, consultation, permissions.ANALYSE)
    with transaction.atomic():
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="baseline.delete",
            obj=baseline,
            dimension=baseline.dimension,
            key=baseline.key,
        )
        baseline.delete()


def report_for(consultation: Consultation) -> Report:
    """The consultation's report, made empty on first use."""
    report, _created = Report.objects.get_or_create(consultation=consultation)
    return report


def report_save(*, consultation: Consultation, actor: User, fields: dict[str, str]) -> Report:
    """Save the report's summary in each language (`summary_<lang>` keys)."""
    _require(actor, consultation, permissions.EDIT)
    with transaction.atomic():
        report = report_for(consultation)
        for name, value in fields.items():
            setattr(report, name, value)
        report.save()
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="report.update",
            obj=report,
            fields=sorted(fields),
        )
    return report


def theme_response_save(*, theme: Theme, actor: User, fields: dict[str, str]) -> ThemeResponse:
    """Save "what we heard" and "our response" for one theme, in each language."""
    consultation = theme.consultation
    _require(actor, consultation, permissions.EDIT)
    with transaction.atomic():
        report = report_for(consultation)
        response, _created = ThemeResponse.objects.get_or_create(report=report, theme=theme)
        for name, value in fields.items():
            setattr(response, name, value)
        response.save()
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="report.theme_response",
            obj=response,
            theme=theme.pk,
        )
    return response


def _require_reason(status: str, fields: dict[str, Any], current: str = "") -> None:
    if status == Commitment.Status.NOT_ADOPTED and not (
        (fields.get(f"reason_{DEFAULT_SUFFIX}") or current or "").strip()
    ):
        raise ValidationError(
            {f"reason_{DEFAULT_SUFFIX}": _("Say why this commitment was not adopted.")}
        )


def commitment_save(
    *,
    consultation: Consultation,
    actor: User,
    fields: dict[str, Any],
    commitment: Commitment | None = None,
) -> Commitment:
    """Add a commitment (its first status starts the timeline) or change its text.

    The status of an existing commitment changes only through `commitment_update_status`.
    """
    _require(actor, consultation, permissions.EDIT)
    fields = dict(fields)
    creating = commitment is None
    if creating:
        _require_reason(fields.get("status") or Commitment.Status.PLANNED, fields)
    else:
        fields.pop("status", None)
        _require_reason(commitment.status, fields)
    with transaction.atomic():
        if creating:
            position = Commitment.objects.filter(consultation=consultation).count()
            commitment = Commitment(consultation=consultation, position=position)
        for name, value in fields.items():
            setattr(commitment, name, value)
        commitment.save()
        if creating:
            CommitmentUpdate.objects.create(
                commitment=commitment, status=commitment.status, by=actor
            )
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="commitment.add" if creating else "commitment.update",
            obj=commitment,
        )
    return commitment


def commitment_update_status(
    *,
    commitment: Commitment,
    actor: User,
    status: str,
    fields: dict[str, str] | None = None,
) -> CommitmentUpdate:
    """Change a commitment's status and add a line to its public timeline.

    THE event for "follow this commitment" messages: every status change, before or after
    the report is published, goes through here, and the CommitmentUpdate row it writes (in
    the same transaction) is what the messages to followers are built from, queued through
    the outbox by `outcomes.messaging.commitment_status_changed` once the outcome is
    published.

    `fields` may hold `note_<lang>` (shown on the timeline) and `reason_<lang>` (required
    when the new status is not adopted). Side effects: Commitment.status/reason updated,
    CommitmentUpdate row, audit entry.
    """
    consultation = commitment.consultation
    _require(actor, consultation, permissions.EDIT)
    fields = fields or {}
    if status not in Commitment.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == commitment.status:
        raise ValidationError({"status": _("The commitment already has this status.")})
    _require_reason(status, fields)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        previous = locked.status
        locked.status = status
        for name, value in fields.items():
            if name.startswith("reason_") and value:
                setattr(locked, name, value)
        locked.save()
        update = CommitmentUpdate(commitment=locked, status=status, by=actor)
        for name, value in fields.items():
            if name.startswith("note_"):
                setattr(update, name, value)
        update.save()
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="commitment.status",
            obj=locked,
            from_status=previous,
            to_status=status,
        )
        # Followers hear of it through the outbox, in this same transaction.
        messaging.commitment_status_changed(update=update)
    commitment.status = locked.status
    return update


def report_publish(*, consultation: Consultation, actor: User) -> Report:
    """Publish the outcome report: the consultation moves closed → outcome published.

    THE event for "the outcome is published" messages: it calls
    `consult.services.consultation_transition(action="publish_outcome")` in the same
    transaction as setting `Report.published_at`, so the Transition row and the
    `consultation_transitioned` signal (whose receiver in `outcomes.messaging` queues the
    messages through the outbox) happen exactly once, together with the publication.

    Requires the owner role and a closed consultation with a summary in the default
    language. Side effects: Report.published_at/published_by, consultation state, Transition
    row, audit entries.
    """
    _require(actor, consultation, permissions.MANAGE)
    if consultation.state != State.CLOSED:
        raise ValidationError(_("Only a closed consultation can have its outcome published."))
    report = report_for(consultation)
    if not (getattr(report, f"summary_{DEFAULT_SUFFIX}") or "").strip():
        raise ValidationError(_("Write the summary before publishing the report."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.published_at is not None:
            raise ValidationError(_("This report is already published."))
        moved = consultation_transition(
            consultation=consultation, action="publish_outcome", actor=actor
        )
        if not moved:
            raise ValidationError(_("Only a closed consultation can have its outcome published."))
        report.published_at = timezone.now()
        report.published_by = actor
        report.save(update_fields=["published_at", "published_by", "updated_at"])
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action="report.publish",
            obj=report,
        )
    return report


def export_start(*, consultation: Consultation, actor: User, file_format: str = "csv") -> Job:
    """Queue an open-data export of a published outcome; a worker writes the file.

    Side effects: Job row (kind export), audit entry, the task enqueued after commit.
    """
    _require(actor, consultation, permissions.ANALYSE)
    if file_format not in ("csv", "json"):
        raise ValidationError(_("Choose CSV or JSON."))
    return jobs.job_start(
        consultation=consultation,
        question=None,
        actor=actor,
        kind=Job.Kind.EXPORT,
        parameters={"format": file_format},
    )
