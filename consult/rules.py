"""Who may do what to a consultation, in which state. Views and the API ask these."""

from accounts import permissions
from accounts.models import User
from consult.models import Consultation, State

# (from states, to state, roles allowed to do it by hand)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, frozenset[str]]] = {
    "schedule": ((State.DRAFT,), State.SCHEDULED, permissions.EDIT),
    "unschedule": ((State.SCHEDULED,), State.DRAFT, permissions.EDIT),
    "open": ((State.SCHEDULED,), State.OPEN, permissions.MANAGE),
    "close": ((State.OPEN,), State.CLOSED, permissions.MANAGE),
    "reopen": ((State.CLOSED,), State.OPEN, permissions.MANAGE),
    "publish_outcome": ((State.CLOSED,), State.OUTCOME_PUBLISHED, permissions.MANAGE),
    "archive": ((State.OUTCOME_PUBLISHED,), State.ARCHIVED, permissions.MANAGE),
}


def can_view(user: User, consultation: Consultation) -> bool:
    return permissions.has_role(user, consultation.organisation_id, permissions.ANY_ROLE)


def can_edit(user: User, consultation: Consultation) -> bool:
    """Content and questions may change before opening; text fixes stay possible later."""
    return permissions.has_role(user, consultation.organisation_id, permissions.EDIT)


def can_transition(user: User | None, consultation: Consultation, action: str) -> bool:
    from_states, _to, roles = TRANSITIONS[action]
    return consultation.state in from_states and permissions.has_role(
        user, consultation.organisation_id, roles
    )


def can_extend(user: User, consultation: Consultation) -> bool:
    return consultation.state == State.OPEN and permissions.has_role(
        user, consultation.organisation_id, permissions.MANAGE
    )


def can_read_audit(user: User, consultation: Consultation) -> bool:
    return permissions.has_role(user, consultation.organisation_id, permissions.MANAGE)


def available_actions(user: User, consultation: Consultation) -> list[str]:
    return [action for action in TRANSITIONS if can_transition(user, consultation, action)]
