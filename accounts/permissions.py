"""Organisation scoping: every staff view and API endpoint asks these helpers.

Roles are grouped by what they allow; apps name the group they need (e.g.
`permissions.EDIT`) rather than listing roles, so a rule changes in one place.
"""

from collections.abc import Iterable

from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.models import Membership, Organisation, Role, User

ANY_ROLE = frozenset(Role.values)
MANAGE = frozenset({Role.OWNER})
EDIT = frozenset({Role.OWNER, Role.EDITOR})
ANALYSE = frozenset({Role.OWNER, Role.EDITOR, Role.ANALYST})
ASSIST = frozenset({Role.OWNER, Role.EDITOR, Role.FACILITATOR})


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def organisation_ids(user: User | None, roles: Iterable[str] = ANY_ROLE) -> set[int]:
    """Ids of the organisations where the user holds one of the roles (cached per user)."""
    if not _active(user):
        return set()
    cache = user.__dict__.get("_suara_roles")
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user.__dict__["_suara_roles"] = cache
    wanted = set(roles)
    return {org_id for org_id, role in cache.items() if role in wanted}


def role_in(user: User | None, organisation: Organisation | int) -> str | None:
    """The user's role in the organisation, or None for an outsider."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if org_id not in organisation_ids(user):
        return None
    return user.__dict__["_suara_roles"][org_id]


def has_role(user: User | None, organisation: Organisation | int, roles: Iterable[str]) -> bool:
    """True when the user holds one of the roles in the organisation."""
    return role_in(user, organisation) in set(roles)


def organisations(user: User | None, roles: Iterable[str] = ANY_ROLE) -> QuerySet[Organisation]:
    """The organisations where the user holds one of the roles."""
    return Organisation.objects.filter(pk__in=organisation_ids(user, roles))


def scope[M: Model](
    queryset: QuerySet[M],
    user: User | None,
    roles: Iterable[str] = ANY_ROLE,
    *,
    via: str = "organisation",
) -> QuerySet[M]:
    """Restrict a queryset to rows owned (through `via`) by the user's organisations."""
    return queryset.filter(**{f"{via}__in": organisation_ids(user, roles)})


def get_scoped_or_404[M: Model](
    queryset: QuerySet[M],
    user: User | None,
    roles: Iterable[str] = ANY_ROLE,
    *,
    via: str = "organisation",
    **lookup: object,
) -> M:
    """Fetch one row the user may see; outsiders get 404 so drafts do not leak."""
    try:
        return scope(queryset, user, roles, via=via).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
