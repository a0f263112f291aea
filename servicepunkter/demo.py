"""Demo data: Nordmaling municipality and the five service points of its 2010 project.

The outlets of Västerbotten come from the sample file in outlets/data, imported as a
municipality would import it. Coordinates of the villages and shops are approximate,
and the people, e-mail addresses and organisation details are invented.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from outlets.importing import OutletImporter, outlet_import_store, read_outlet_file
from outlets.models import County, Locality, Municipality, Outlet, OutletImport

DEMO_PASSWORD = "servicepunkt-demo"

# name, latitude, longitude (approximate)
LOCALITIES = [
    ("Nordmaling", 63.5683, 19.5018),
    ("Brattfors", 63.7000, 19.3500),
    ("Gräsmyr", 63.6400, 19.6700),
    ("Nyåker", 63.8000, 19.3300),
    ("Rundvik", 63.5330, 19.4330),
    ("Norrfors", 63.7200, 19.5000),
]

WEEKDAY_HOURS = "Mån–fre 9–19, lör 10–15"

# name, kind, locality, latitude, longitude, opening hours (positions approximate)
OUTLETS = [
    ("Pers Livs", Outlet.Kind.GROCERY, "Brattfors", 63.7000, 19.3500, WEEKDAY_HOURS),
    (
        "ICA Lundins",
        Outlet.Kind.GROCERY_FULL,
        "Gräsmyr",
        63.6400,
        19.6700,
        "Mån–fre 8–20, lör–sön 10–18",
    ),
    ("Handlarn Nyåker", Outlet.Kind.GROCERY, "Nyåker", 63.8000, 19.3300, WEEKDAY_HOURS),
    (
        "Handlarn Rundvik",
        Outlet.Kind.GROCERY,
        "Rundvik",
        63.5330,
        19.4330,
        WEEKDAY_HOURS,
    ),
    (
        "Norrfors Bageri",
        Outlet.Kind.OTHER,
        "Norrfors",
        63.7200,
        19.5000,
        "Tis och tors 10–16, lör 10–14",
    ),
]

VASTERBOTTEN_SAMPLE = (
    settings.BASE_DIR / "outlets" / "data" / "outlets-vasterbotten-excel-sv.csv"
)


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


def import_vasterbotten_sample():
    """Västerbotten's outlets, neighbours included: people shop across borders."""
    if OutletImport.objects.filter(file_name=VASTERBOTTEN_SAMPLE.name).exists():
        return
    dataset = read_outlet_file(
        VASTERBOTTEN_SAMPLE.name, VASTERBOTTEN_SAMPLE.read_bytes()
    )
    outlet_import_store(
        OutletImporter(dataset).plan(), file_name=VASTERBOTTEN_SAMPLE.name
    )


@transaction.atomic
def demo_seed() -> None:
    """Create or refresh the demo; running it again changes nothing."""
    nordmaling = Municipality.objects.get(code="2401")
    import_vasterbotten_sample()
    localities = {}
    for name, latitude, longitude in LOCALITIES:
        localities[name], _ = Locality.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={"latitude": latitude, "longitude": longitude},
        )
    outlets = {}
    for name, kind, locality, latitude, longitude, hours in OUTLETS:
        outlets[name], _ = Outlet.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={
                "kind": kind,
                "locality": localities[locality],
                "latitude": latitude,
                "longitude": longitude,
                "opening_hours": hours,
            },
        )
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
