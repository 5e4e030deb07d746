"""Writes on accounts data: the audit log and two-factor devices."""

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first use."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """Mark a device confirmed once the user has typed a right code. Side effects: audit entry."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_record(actor=device.user, organisation=None, action="two_factor.enable", obj=device.user)
    return device
