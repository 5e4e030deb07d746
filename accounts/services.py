"""Writes on accounts data: the audit log and two-factor devices."""

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
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


RECOVERY_CODES = 10


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """New one-time recovery codes for signing in without the authenticator app.

    Side effects: the user's earlier codes stop working; audit entry. The codes are
    returned once, to be shown once.
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(actor=user, organisation=None, action="two_factor.recovery_codes", obj=user)
    return codes


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
