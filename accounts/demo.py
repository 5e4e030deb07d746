"""Demo organisations and staff: one login per role, for `make demo`."""

from accounts.models import Membership, Organisation, Role, User

DEMO_PASSWORD = "suara-demo-2026"  # noqa: S105 - printed for the demo; DEBUG only


def load() -> dict[str, object]:
    """Create (or refresh) the demo organisations and one staff user per role."""
    ministry, _ = Organisation.objects.update_or_create(
        slug="ministry-rural-development",
        defaults={
            "name": "Ministry of Rural Development",
            "kind": Organisation.Kind.PUBLIC_INSTITUTION,
        },
    )
    network, _ = Organisation.objects.update_or_create(
        slug="rural-women-network",
        defaults={"name": "Rural Women's Network", "kind": Organisation.Kind.CIVIL_SOCIETY},
    )
    logins = []
    for role in Role:
        email = f"{role.value}@demo.suara.example"
        user, _ = User.objects.update_or_create(
            email=email, defaults={"full_name": f"Demo {role.label}", "is_active": True}
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, organisation=ministry, defaults={"role": role.value}
        )
        logins.append((email, str(role.label)))
    facilitator, _ = User.objects.update_or_create(
        email="facilitator@rural-women.example", defaults={"full_name": "Siti Aminah"}
    )
    facilitator.set_password(DEMO_PASSWORD)
    facilitator.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=facilitator, organisation=network, defaults={"role": Role.FACILITATOR}
    )
    logins.append((facilitator.email, f"{Role.FACILITATOR.label} ({network.name})"))
    return {"organisation": ministry, "partner": network, "logins": logins}
