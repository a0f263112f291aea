"""Benchmark: rendering and sealing an agreement PDF, and the agreement list at scale.

Measured side by side in one run, on a fresh database:

- ours: render one agreement as PDF/A-3a and seal it (median of 20);
- floor: a minimal one-page WeasyPrint document (median of 20);
- the agreement list page with 50 and with 5 000 agreements: its SQL queries (the
  same number at both sizes) and its time.

Run with `make bench` (or `.venv/bin/python bench/agreement_pdf.py`).
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicepunkter.settings")
# DEBUG off, so that Django does not keep every query in memory.
os.environ.update(
    DEBUG="false", SECRET_KEY="bench-only-" + "x" * 40, ALLOWED_HOSTS="testserver"
)

REPEATS = 20
warnings.filterwarnings("ignore", message="No directory at")


def median_seconds(function, repeats=REPEATS):
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main():
    import django

    from bench.import_outlets import create_bench_database, use_bench_database

    use_bench_database()
    django.setup()
    create_bench_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from weasyprint import HTML

    from accounts.models import Role, User
    from agreements.documents import (
        agreement_render_pdf,
        pdf_seal,
        signing_certificate_create,
    )
    from agreements.models import Agreement, AgreementService, AgreementVersion, Party
    from agreements.services import service_catalogue_seed
    from outlets.models import Municipality, Outlet

    # Pages are rendered without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    certificate = Path(tempfile.mkdtemp()) / "bench.p12"
    signing_certificate_create(path=certificate, passphrase="bench")
    settings.SIGNING_CERTIFICATE_PATH = str(certificate)
    settings.SIGNING_CERTIFICATE_PASSPHRASE = "bench"

    nordmaling = Municipality.objects.get(code="2401")
    services = service_catalogue_seed(municipality=nordmaling)
    party = Party.objects.create(
        municipality=nordmaling,
        name="Pers Livs AB",
        organisation_number="556036-0793",
        bankgiro="123-4567",
        signatory_name="Per Lindberg",
        signatory_title="VD",
    )

    def agreement_with_version(index):
        outlet = Outlet.objects.create(
            municipality=nordmaling, name=f"Butik {index}", kind="grocery"
        )
        agreement = Agreement.objects.create(
            municipality=nordmaling,
            outlet=outlet,
            party=party,
            reference=f"SP-2401-2026-{index:05d}",
            state=Agreement.State.READY,
        )
        return AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            effective_on=date(2026, 1, 1),
            decision_registration_number="KS 2025/118",
            decision_body="Kommunstyrelsen",
            decision_date=date(2025, 12, 9),
            annual_compensation=40_000,
            starts_on=date(2026, 1, 1),
        )

    version = agreement_with_version(0)
    AgreementService.objects.bulk_create(
        AgreementService(version=version, service=service, annual_fee=10_000)
        for service in services[:4]
    )

    def ours():
        pdf_seal(agreement_render_pdf(version=version))

    def floor():
        HTML(string="<html lang='sv'><body><p>Avtal</p></body></html>").write_pdf(
            pdf_variant="pdf/a-3a"
        )

    ours()  # warm the font and template caches for both
    floor()
    rendering = median_seconds(ours)
    minimal = median_seconds(floor)

    official = User.objects.create_user(
        email="bench@nordmaling.example",
        password="x",
        full_name="Bench",
        role=Role.OFFICIAL,
        municipality=nordmaling,
    )
    client = Client()
    client.force_login(official)

    def list_page(count):
        missing = count - Agreement.objects.count()
        for index in range(
            Agreement.objects.count(), Agreement.objects.count() + missing
        ):
            agreement_with_version(index)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/agreements/", secure=True)
            seconds = time.perf_counter() - started
        assert response.status_code == 200
        return len(queries.captured_queries), seconds

    client.get("/agreements/", secure=True)  # warm the templates
    small = list_page(50)
    large = list_page(5_000)

    print()
    print(f"| {'measure':<50} | {'value':>10} | {'ratio':>8} |")
    print(f"|{'-' * 52}|{'-' * 12}|{'-' * 10}|")
    print(
        f"| {'ours: render + seal one agreement (median of 20)':<50} | "
        f"{rendering * 1000:>7.0f} ms | {rendering / minimal:>7.1f}× |"
    )
    print(
        f"| {'floor: minimal WeasyPrint page (median of 20)':<50} | "
        f"{minimal * 1000:>7.0f} ms | {1:>7.1f}× |"
    )
    print(
        f"| {'agreement list, 50 agreements: queries':<50} | {small[0]:>10} | {'':>8} |"
    )
    print(
        f"| {'agreement list, 5 000 agreements: queries':<50} | {large[0]:>10} | "
        f"{large[0] / small[0]:>7.1f}× |"
    )
    print(
        f"| {'agreement list page, 50 agreements':<50} | "
        f"{small[1] * 1000:>7.0f} ms | {1:>7.1f}× |"
    )
    print(
        f"| {'agreement list page, 5 000 agreements':<50} | "
        f"{large[1] * 1000:>7.0f} ms | {large[1] / small[1]:>7.1f}× |"
    )


if __name__ == "__main__":
    main()
