"""Benchmark: sealing an agreement PDF against rendering the same document, and the
agreement list at scale.

Measured side by side in one run, on a fresh database of its own:

- plain: WeasyPrint alone turning the signed agreement's HTML into PDF/A-3a, the
  floor for rendering that document;
- ours: the same agreement rendered by agreement_render_pdf() and sealed by
  pdf_seal(), as the background job makes the signed document (goal: at most
  1.15× plain). Both are medians of 20 runs taken in turn, so that a change of
  load on the machine falls on both; render and seal are also shown apart;
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

REPEATS = 20
SEAL_GOAL = 1.15
warnings.filterwarnings("ignore", message="No directory at")


def median_ms(timings):
    return statistics.median(timings) * 1000


def main():
    import django

    import bench.import_outlets as outlet_bench

    # A database of its own: benchmarks of other parts may run at the same time.
    outlet_bench.BENCH_DATABASE = "servicepunkter_bench_agreement_pdf"
    outlet_bench.use_bench_database()
    django.setup()
    outlet_bench.create_bench_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from weasyprint import HTML
    from weasyprint.urls import path2url

    from accounts.models import Role, User
    from agreements.documents import (
        agreement_html,
        agreement_render_pdf,
        pdf_seal,
        pdf_seal_problems,
        signing_certificate_create,
    )
    from agreements.models import (
        Agreement,
        AgreementService,
        AgreementVersion,
        Party,
        Signature,
    )
    from agreements.services import service_catalogue_seed
    from core.documents import STATIC_DIR, StaticFileFetcher
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

    # The signed document, as the background job renders and seals it.
    signatures = [
        Signature(
            version=version,
            side=Signature.Side.MUNICIPALITY,
            method=Signature.Method.IN_APP,
            signed_by_name="Eva Lindström",
            signed_by_title="Kommunstyrelsens ordförande",
            signed_at=timezone.make_aware(datetime(2025, 12, 16, 10, 0)),
        ),
        Signature(
            version=version,
            side=Signature.Side.PARTY,
            method=Signature.Method.IN_APP,
            signed_by_name="Per Lindberg",
            signed_by_title="VD",
            signed_at=timezone.make_aware(datetime(2025, 12, 18, 14, 40)),
        ),
    ]
    html = agreement_html(version=version, signatures=signatures)
    base_url = path2url(str(STATIC_DIR)).rstrip("/") + "/"

    def plain():
        HTML(string=html, base_url=base_url, url_fetcher=StaticFileFetcher()).write_pdf(
            pdf_variant="pdf/a-3a"
        )

    def render():
        return agreement_render_pdf(version=version, signatures=signatures)

    started = time.perf_counter()
    sealed = pdf_seal(render())  # the first seal of a process loads the certificate
    first_seal = time.perf_counter() - started
    assert sealed is not None and pdf_seal_problems(sealed) == []
    plain()  # warm the font and template caches

    timings = {"plain": [], "render": [], "seal": [], "ours": []}
    for repeat in range(REPEATS):
        # In turn, each first every other time.
        for kind in ("plain", "ours") if repeat % 2 == 0 else ("ours", "plain"):
            started = time.perf_counter()
            if kind == "plain":
                plain()
                timings["plain"].append(time.perf_counter() - started)
                continue
            pdf = render()
            rendered = time.perf_counter()
            pdf_seal(pdf)
            done = time.perf_counter()
            timings["render"].append(rendered - started)
            timings["seal"].append(done - rendered)
            timings["ours"].append(done - started)
    median = {kind: median_ms(values) for kind, values in timings.items()}
    ratio = median["ours"] / median["plain"]

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

    def row(measure, value, ratio="", goal=""):
        print(f"| {measure:<58} | {value:>10} | {ratio:>8} | {goal:>12} |")

    load = os.getloadavg()[0]
    print()
    print(
        f"Load average (1 min) {load:.2f} on {os.cpu_count()} cores: figures taken "
        "while other work runs are noisy; the ratios less so (measured in turn)."
    )
    row("measure", "value", "ratio", "goal")
    print(f"|{'-' * 60}|{'-' * 12}|{'-' * 10}|{'-' * 14}|")
    row(
        f"ours: render + seal the signed agreement (median of {REPEATS})",
        f"{median['ours']:.0f} ms",
        f"{ratio:.2f}×",
        f"≤ {SEAL_GOAL:.2f}× {'met' if ratio <= SEAL_GOAL else 'NOT MET'}",
    )
    row(
        f"plain: WeasyPrint alone, the same HTML (median of {REPEATS})",
        f"{median['plain']:.0f} ms",
        "1.00×",
    )
    row(
        "  of ours: render (agreement_render_pdf)",
        f"{median['render']:.0f} ms",
        f"{median['render'] / median['plain']:.2f}×",
    )
    row(
        "  of ours: seal (pdf_seal)",
        f"{median['seal']:.0f} ms",
        f"{median['seal'] / median['plain']:.2f}×",
        f"≤ {SEAL_GOAL - 1:.2f}×",
    )
    row(
        "  the first seal of a process, certificate loaded (once)",
        f"{first_seal * 1000:.0f} ms",
    )
    row("agreement list, 50 agreements: queries", f"{small[0]}")
    row(
        "agreement list, 5 000 agreements: queries",
        f"{large[0]}",
        f"{large[0] / small[0]:.1f}×",
        "1.0×",
    )
    row("agreement list page, 50 agreements", f"{small[1] * 1000:.0f} ms", "1.0×")
    row(
        "agreement list page, 5 000 agreements",
        f"{large[1] * 1000:.0f} ms",
        f"{large[1] / small[1]:.1f}×",
    )


if __name__ == "__main__":
    main()
