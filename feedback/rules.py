"""Who may enter responses for a consultation, and when. Views and the API ask these."""

from accounts import permissions
from accounts.models import Organisation, User
from consult.models import Consultation, State


def can_assist(user: User | None, consultation: Consultation) -> bool:
    """A facilitator (or editor, owner) of the owning organisation, or of an invited partner.

    Partners count only when they are civil society organisations listed on the consultation.
    """
    if permissions.has_role(user, consultation.organisation_id, permissions.ASSIST):
        return True
    partner_ids = permissions.organisation_ids(user, permissions.ASSIST)
    return (
        bool(partner_ids)
        and consultation.partners.filter(
            pk__in=partner_ids, kind=Organisation.Kind.CIVIL_SOCIETY
        ).exists()
    )


def can_preview(user: User | None, consultation: Consultation) -> bool:
    """Anyone in the owning organisation, and the facilitators who may enter responses."""
    return permissions.has_role(
        user, consultation.organisation_id, permissions.ANY_ROLE
    ) or can_assist(user, consultation)


def takes_assisted_entries(consultation: Consultation) -> bool:
    """Open, or closed (paper received before the deadline may still be entered)."""
    return consultation.state in (State.OPEN, State.CLOSED)


def acting_organisation(user: User, consultation: Consultation) -> Organisation | None:
    """The organisation a facilitator enters responses for: the owner, else their partner."""
    if permissions.has_role(user, consultation.organisation_id, permissions.ASSIST):
        return consultation.organisation
    return consultation.partners.filter(
        pk__in=permissions.organisation_ids(user, permissions.ASSIST),
        kind=Organisation.Kind.CIVIL_SOCIETY,
    ).first()


def may_skip_rate_limits(user: User | None) -> bool:
    """Signed-in facilitators enter many responses from one place; never slow them down."""
    return bool(permissions.organisation_ids(user, permissions.ASSIST))
