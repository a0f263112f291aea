"""Demo data of the register: Västerbotten's outlets, and Nordmaling's villages and
the five service points of its 2010 project.

The outlets of Västerbotten come from the sample file in outlets/data, imported as a
municipality would import it. Coordinates of the villages and shops are approximate.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from outlets.importing import OutletImporter, outlet_import_store, read_outlet_file
from outlets.models import Locality, Outlet, OutletImport, ServicePointChoice

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

# The shops' phones, which the public pages and window signs show: numbers from the
# range the Swedish Post and Telecom Authority (PTS) keeps for fiction.
SHOP_PHONES = {
    "Pers Livs": "070-174 06 10",
    "ICA Lundins": "070-174 06 11",
    "Handlarn Nyåker": "070-174 06 12",
    "Handlarn Rundvik": "070-174 06 13",
    "Norrfors Bageri": "070-174 06 14",
}

# The project made the service points ready to act as crisis centres (trygghetspunkter):
# name -> crisis role, backup power, days since its last test (None: never tested),
# crisis contact. One test is more than a year old on purpose, one never done.
CRISIS_READINESS = {
    "ICA Lundins": (
        Outlet.CrisisRole.READINESS_POINT,
        True,
        120,
        "Butiken, 0930-101 00",
    ),
    "Pers Livs": (Outlet.CrisisRole.READINESS_POINT, True, 430, "Butiken, 0930-102 00"),
    "Handlarn Rundvik": (Outlet.CrisisRole.SUPPLY, True, None, "Butiken, 0930-103 00"),
    "Handlarn Nyåker": (Outlet.CrisisRole.SUPPLY, False, None, ""),
}

VASTERBOTTEN_SAMPLE = (
    settings.BASE_DIR / "outlets" / "data" / "outlets-vasterbotten-excel-sv.csv"
)


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


def seed_outlets(nordmaling) -> dict:
    """The Västerbotten sample, Nordmaling's villages and its five service points;
    the service points by name."""
    import_vasterbotten_sample()
    localities = {}
    for name, latitude, longitude in LOCALITIES:
        localities[name], _ = Locality.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={"latitude": latitude, "longitude": longitude},
        )
    Locality.objects.filter(pk=localities["Rundvik"].pk).update(
        classification=Locality.Classification.STRATEGIC,
        classification_motivation=RUNDVIK_MOTIVATION,
    )
    outlets = {}
    today = timezone.localdate()
    for name, kind, locality, latitude, longitude, hours in OUTLETS:
        role, power, tested_days_ago, contact = CRISIS_READINESS.get(
            name, ("", None, None, "")
        )
        outlets[name], _ = Outlet.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={
                "kind": kind,
                "locality": localities[locality],
                "latitude": latitude,
                "longitude": longitude,
                "opening_hours": hours,
                "phone": SHOP_PHONES[name],
                "crisis_role": role,
                "backup_power": power,
                "backup_power_tested_on": (
                    None
                    if tested_days_ago is None
                    else today - timedelta(days=tested_days_ago)
                ),
                "crisis_contact": contact,
            },
        )
    seed_service_point_choice(localities["Rundvik"], outlets["Handlarn Rundvik"])
    return outlets


RUNDVIK_MOTIVATION = (
    "Kustbyarna söder om Nordmaling handlar i Rundvik; utan butiken där är det "
    "över 10 km till närmaste fullsortimentsbutik för de flesta."
)

# Three shops within a few kilometres of Rundvik, from the Västerbotten sample.
RUNDVIK_CONSIDERED = ["Handlarn Rundvik", "Tempo Sunnansjö", "Handlar'n Tallberg"]
RUNDVIK_REASON = (
    "Handlarn Rundvik har öppet alla veckans dagar, ligger vid busshållplatsen mitt "
    "i byn och har ett rum som kan bli mötesplats med publik dator. Tempo Sunnansjö "
    "har kortare öppettider och ingen plats för paketutlämning; Handlar'n Tallberg "
    "ligger vid väg 13 utanför byn och saknar tillgänglig entré. Byalaget i Rundvik "
    "stödjer valet efter kundundersökningen."
)


def seed_service_point_choice(rundvik, handlarn):
    """Why Handlarn Rundvik became Rundvik's service point: decided the year before
    its agreement (dates follow today, as the agreements' do)."""
    if ServicePointChoice.objects.filter(locality=rundvik).exists():
        return
    rundvik.refresh_from_db()
    considered = list(
        Outlet.objects.filter(
            municipality=rundvik.municipality, name__in=RUNDVIK_CONSIDERED
        )
    )
    choice = ServicePointChoice(
        locality=rundvik,
        chosen=handlarn,
        reason=RUNDVIK_REASON,
        decision_body="Kommunstyrelsen",
        decision_date=date(timezone.localdate().year - 1, 9, 8),
        decision_paragraph="134",
        decision_registration_number=(f"KS {timezone.localdate().year - 1}/412"),
    )
    choice.full_clean()
    choice.clean_considered(considered)
    choice.save()
    choice.considered.set(considered)
