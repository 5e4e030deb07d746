"""Writes on accounts data; `audit_record` is called by every staff action that changes state."""

from typing import Any

from accounts.models import AuditEntry, Organisation, User


def audit_record(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    obj: Any,
    **detail: Any,
) -> AuditEntry:
    """Add one line to the audit log; call it inside the transaction that made the change."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )
