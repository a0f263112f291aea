"""Demo users, one of each role, all with the published demo password. Only ever
created with DEBUG on (seed_demo refuses otherwise); the addresses are invented."""

import base64
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.two_factor import APP_DEVICE_NAME, recovery_codes_renew
from outlets.models import County

DEMO_PASSWORD = "servicepunkt-demo"
# The demo's authenticator key, published in the README so that the demo's system
# owner and administrator can sign in: `python manage.py demo_code` shows the code.
DEMO_TOTP_KEY = base64.b32encode(b"servicepunkter-demo!").decode()


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
    # A second official: under the attestation rules a payout is approved by someone
    # other than who drafted the agreement.
    DemoUser("handlaggare2@nordmaling.example", "Lena Sjöberg", Role.OFFICIAL),
]


def seed_users(nordmaling, outlets) -> dict:
    """The demo users; returned by role, the first of each (the second official is
    found by the agreements' demo). The shop owner owns Pers Livs."""
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
        if user.requires_two_factor:
            demo_device_set(user)
        users.setdefault(demo.role, user)
    return users


def demo_device_set(user) -> TOTPDevice:
    """The demo's authenticator app for a user, with the published key."""
    key = base64.b32decode(DEMO_TOTP_KEY).hex()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or device.key != key:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, key=key, confirmed=True
        )
        recovery_codes_renew(user=user)
    return device
