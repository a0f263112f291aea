"""Demo users, one of each role, all with the published demo password. Only ever
created with DEBUG on (seed_demo refuses otherwise); the addresses are invented."""

from dataclasses import dataclass

from accounts.models import Role, User
from outlets.models import County

DEMO_PASSWORD = "servicepunkt-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str


MUNICIPAL_DEMO_ROLES = {Role.ADMINISTRATOR, Role.OFFICIAL, Role.SHOP_OWNER}

DEMO_USERS = [
    DemoUser(
        "systemagare@servicepunkter.example", "Sara Systemägare", Role.SYSTEM_OWNER
    ),
    DemoUser("administrator@nordmaling.example", "Karin Holm", Role.ADMINISTRATOR),
    DemoUser("handlaggare@nordmaling.example", "Johan Berg", Role.OFFICIAL),
    DemoUser("butik@perslivs.example", "Per Lindberg", Role.SHOP_OWNER),
    DemoUser("region@vasterbotten.example", "Maria Ek", Role.REGIONAL_VIEWER),
]


def seed_users(nordmaling, outlets) -> dict:
    """One user of each role, by role; the shop owner owns Pers Livs."""
    users = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(email__iexact=demo.email).first() or User(
            email=demo.email
        )
        user.full_name = demo.full_name
        user.role = demo.role
        user.is_superuser = demo.role == Role.SYSTEM_OWNER
        user.municipality = nordmaling if demo.role in MUNICIPAL_DEMO_ROLES else None
        user.county = (
            County.objects.get(code="24") if demo.role == Role.REGIONAL_VIEWER else None
        )
        user.is_active = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        if demo.role == Role.SHOP_OWNER:
            user.outlets.set([outlets["Pers Livs"]])
        users[demo.role] = user
    return users
