"""Benchmark: the national public page at 10 000 service points.

On a fresh database, 10 000 outlets with agreements in force across every
municipality (bulk inserts), then side by side:

- the national public page (/service-points/) as an anonymous visitor, with the
  cache cold (cleared before each request) and warm: time (median of 10) and SQL
  queries;
- its map markers (/service-points/markers.json), cold and warm;
- the outlet list page (/outlets/) of a signed-in official on the same data: the
  staff page a public page should not be slower than.

Run with `make bench` (or `.venv/bin/python bench/public_pages.py`).
"""

import os
import statistics
import sys
import time
import warnings
from datetime import date, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicepunkter.settings")
# No DATABASE_URL: the embedded server's superuser (the bench makes its own database).
os.environ.setdefault("EMBEDDED_DATABASE_ROLE", "superuser")
# DEBUG off, so that Django does not keep every query in memory.
os.environ.update(
    DEBUG="false", SECRET_KEY="bench-only-" + "x" * 40, ALLOWED_HOSTS="testserver"
)

SERVICE_POINTS = 10_000
REPEATS = 10
warnings.filterwarnings("ignore", message="No directory at")


def build(count):
    """`count` service points over every municipality, three services each."""
    from django.utils import timezone

    from agreements.models import Agreement, AgreementService, AgreementVersion, Party
    from agreements.services import service_catalogue_seed
    from outlets.models import Municipality, Outlet

    municipalities = list(Municipality.objects.order_by("code"))
    services = {
        place.pk: service_catalogue_seed(municipality=place)[:3]
        for place in municipalities
    }
    parties = Party.objects.bulk_create(
        Party(
            municipality=place,
            name=f"Handlarna i {place.name} AB",
            organisation_number="556036-0793",
            bankgiro="123-4567",
            signatory_name="Per Lindberg",
        )
        for place in municipalities
    )
    party_of = {party.municipality_id: party for party in parties}
    outlets = Outlet.objects.bulk_create(
        Outlet(
            municipality=municipalities[index % len(municipalities)],
            name=f"Lanthandel {index}",
            kind="grocery",
            street_address=f"Byvägen {index % 90 + 1}",
            postcode="914 90",
            town=f"Byn {index}",
            latitude=56 + (index % 97) / 8,
            longitude=12 + (index % 89) / 8,
            opening_hours="Mån–fre 9–19, lör 10–14",
            phone="0930-100 20",
        )
        for index in range(count)
    )
    started = date(2025, 1, 1)
    agreements = Agreement.objects.bulk_create(
        Agreement(
            municipality_id=outlet.municipality_id,
            outlet=outlet,
            party=party_of[outlet.municipality_id],
            reference=f"SP-{outlet.municipality.code}-2025-{index:05d}",
            state=Agreement.State.SIGNED,
            signed_on=date(2024, 12, 1),
            starts_on=started,
        )
        for index, outlet in enumerate(outlets)
    )
    signed_at = timezone.make_aware(datetime(2024, 12, 1, 12))
    versions = AgreementVersion.objects.bulk_create(
        AgreementVersion(
            agreement=agreement,
            number=1,
            effective_on=started,
            starts_on=started,
            decision_registration_number="KS 2024/118",
            decision_body="Kommunstyrelsen",
            decision_date=date(2024, 11, 18),
            annual_compensation=40_000,
            signed_at=signed_at,
        )
        for agreement in agreements
    )
    AgreementService.objects.bulk_create(
        AgreementService(version=version, service=service, annual_fee=10_000)
        for version in versions
        for service in services[version.agreement.municipality_id]
    )
    return municipalities


def measure(client, url, *, cold, repeats=REPEATS):
    """The median time of a GET and its number of queries."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for _ in range(repeats):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return statistics.median(timings), queries, len(response.content)


def main():
    import django

    import bench.import_outlets as outlet_bench

    # A database of its own: benchmarks of other parts may run at the same time.
    outlet_bench.BENCH_DATABASE = "servicepunkter_bench_public_pages"
    outlet_bench.use_bench_database()
    django.setup()
    outlet_bench.create_bench_database()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import Role, User
    from outlets.models import Municipality

    call_command("migrate", verbosity=0)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }

    started = time.perf_counter()
    build(SERVICE_POINTS)
    built_in = time.perf_counter() - started

    visitor = Client()
    official = User.objects.create_user(
        email="bench@nordmaling.example",
        password="x",
        full_name="Bench",
        role=Role.OFFICIAL,
        municipality=Municipality.objects.get(code="2401"),
    )
    staff = Client()
    staff.force_login(official)
    staff.get("/outlets/", secure=True)  # warm the templates
    visitor.get("/service-points/", secure=True)

    rows = [
        ("national page, cold cache", measure(visitor, "/service-points/", cold=True)),
        ("national page, warm cache", measure(visitor, "/service-points/", cold=False)),
        (
            "national page, a search, warm cache",
            measure(visitor, "/service-points/?q=Byn+12", cold=False),
        ),
        (
            "map markers (JSON), cold cache",
            measure(visitor, "/service-points/markers.json", cold=True),
        ),
        (
            "map markers (JSON), warm cache",
            measure(visitor, "/service-points/markers.json", cold=False),
        ),
        ("official's outlet list", measure(staff, "/outlets/", cold=False)),
    ]
    baseline = rows[-1][1][0]

    print()
    print(
        f"{SERVICE_POINTS} service points in {Municipality.objects.count()} "
        f"municipalities, built in {built_in:.0f} s; median of {REPEATS} requests."
    )
    print()
    print(
        f"| {'page':<38} | {'time':>9} | {'queries':>7} | {'size':>8} "
        f"| {'time vs staff list':>18} |"
    )
    print(f"|{'-' * 40}|{'-' * 11}|{'-' * 9}|{'-' * 10}|{'-' * 20}|")
    for label, (seconds, queries, size) in rows:
        print(
            f"| {label:<38} | {seconds * 1000:>6.0f} ms | {queries:>7} "
            f"| {size / 1024:>5.0f} KB | {seconds / baseline:>17.2f}× |"
        )


if __name__ == "__main__":
    main()
