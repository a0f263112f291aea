"""Benchmark: importing a national-size outlet file (20 000 rows).

Measured side by side in one run, each phase in a fresh process on a fresh database
(peak memory is the process's peak resident set, Django included):

- ours: the preview (read and validate every row) and the import (preview, then
  store in bulk), through the same service the web page and the command use;
- baseline: django-import-export's own import with its default options (a lookup
  and a save per row) on the same file;
- floor: PostgreSQL COPY of the same rows, already cleaned, into the outlet table;
- ours again on the same file with planted bad rows: every one reported with its
  line, nothing stored.

Run with `make bench` (or `.venv/bin/python bench/import_outlets.py`).
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicepunkter.settings")
# No DATABASE_URL: the embedded server's superuser (the bench makes its own database).
os.environ.setdefault("EMBEDDED_DATABASE_ROLE", "superuser")

BENCH_DATABASE = "servicepunkter_bench"
WORK_DIR = BASE_DIR / "var" / "bench"
HEADERS = [
    "Namn",
    "Typ",
    "Kedja",
    "Organisationsnummer",
    "Adress",
    "Postnummer",
    "Postort",
    "Ort",
    "Kommunkod",
    "Kontaktperson",
    "E-post",
    "Telefon",
    "Latitud",
    "Longitud",
    "Öppettider",
    "Ombud för",
    "Status",
]
KINDS = ["Dagligvarubutik"] * 5 + ["Drivmedelsstation"] * 3 + ["Ombud", "Övrigt"]
CHAINS = ["ICA", "Coop", "Tempo", "Handlarn", "Preem", "Circle K", "St1", "OKQ8"]
ROLES = ["Systembolaget", "Apoteket", "PostNord", "DHL", "Svenska Spel", "ATG"]


def organisation_number(rng):
    from stdnum import luhn

    digits = "5" + "".join(rng.choice("0123456789") for _ in range(8))
    digits += luhn.calc_check_digit(digits)
    return f"{digits[:6]}-{digits[6:]}"


def generate_rows(count, seed=2401):
    """Plausible outlets spread over all 290 municipalities, as a national file."""
    rng = random.Random(seed)
    with (BASE_DIR / "outlets" / "data" / "municipalities-se.csv").open(
        encoding="utf-8"
    ) as file:
        codes = [row[0] for row in csv.reader(file, delimiter=";")][1:]
    rows = []
    for index in range(count):
        code = codes[index % len(codes)]
        locality = f"Ort {code}-{rng.randrange(6)}"
        chain = rng.choice(CHAINS)
        rows.append(
            [
                f"{chain} {locality} {index}",
                rng.choice(KINDS),
                chain,
                organisation_number(rng),
                f"Storgatan {rng.randrange(1, 99)}",
                f"{rng.randrange(100, 999)} {rng.randrange(10, 99)}",
                locality.upper(),
                locality,
                code,
                f"Kontakt {index}",
                f"kontakt{index}@example.se",
                f"070-{rng.randrange(1000000, 9999999)}",
                f"{rng.uniform(56.0, 67.5):.6f}".replace(".", ","),
                f"{rng.uniform(12.0, 22.0):.6f}".replace(".", ","),
                "Mån–fre 9–19, lör 10–15",
                ", ".join(rng.sample(ROLES, rng.randrange(0, 4))),
                "Aktiv",
            ]
        )
    return rows


FAULTS = ["kind", "organisation number", "municipality", "position", "twice", "name"]


def plant_bad_rows(rows, every=100):
    """One bad row in every `every`, of each kind the import must catch."""
    rows = [list(row) for row in rows]
    planted = []
    for number, index in enumerate(range(every - 1, len(rows), every)):
        row = rows[index]
        fault = FAULTS[number % len(FAULTS)]
        if fault == "kind":
            row[1] = "Raketbas"
        elif fault == "organisation number":
            row[3] = "556036-0794"
        elif fault == "municipality":
            row[8] = "9999"
        elif fault == "position":
            row[12], row[13] = row[13], row[12]
        elif fault == "twice":
            row[:] = rows[index - 1]
        else:
            row[0] = ""
        planted.append(index + 2)  # the header is line 1
    return rows, planted


def write_csv(path, rows):
    """As Swedish Excel saves it: Windows-1252, semicolons, CRLF, decimal comma."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)


# Phases, each run in its own process by `main`.


def empty_register():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outlets_outletcontact, outlets_outlet, outlets_locality, "
            "outlets_outletimport CASCADE"
        )


def phase_preview(path):
    from outlets.importing import OutletImporter, read_outlet_file

    started = time.perf_counter()
    plan = OutletImporter(read_outlet_file(path.name, path.read_bytes())).plan()
    seconds = time.perf_counter() - started
    lines = plan.invalid_lines
    return {
        "seconds": seconds,
        "rows": plan.row_count,
        "unchanged": plan.unchanged,
        "invalid": len(lines),
        "first_invalid_lines": lines[:6],
        "first_message": str(plan.errors[0]) if plan.errors else "",
    }


def phase_import(path):
    from outlets.importing import OutletImporter, outlet_import_store, read_outlet_file
    from outlets.models import Outlet

    empty_register()
    started = time.perf_counter()
    plan = OutletImporter(read_outlet_file(path.name, path.read_bytes())).plan()
    outlet_import_store(plan, file_name=path.name)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": plan.row_count,
        "stored": Outlet.objects.count(),
    }


def phase_baseline(path, limit):
    from import_export.results import RowResult

    from outlets.importing import read_outlet_file
    from outlets.models import Outlet
    from outlets.resources import OutletResource

    empty_register()
    dataset = read_outlet_file(path.name, path.read_bytes())
    if limit:
        del dataset[limit:]
    started = time.perf_counter()
    result = OutletResource().import_data(
        dataset, dry_run=False, use_transactions=True, raise_errors=True
    )
    seconds = time.perf_counter() - started
    assert not result.has_errors()
    new = result.totals[RowResult.IMPORT_TYPE_NEW]
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "stored": new,
        "in_db": Outlet.objects.count(),
    }


def phase_copy(path):
    from django.db import connection

    from outlets.importing import OutletImporter, read_outlet_file

    empty_register()
    plan = OutletImporter(read_outlet_file(path.name, path.read_bytes())).plan()
    columns = [
        "municipality_id",
        "name",
        "kind",
        "chain",
        "external_id",
        "organisation_number",
        "street_address",
        "postcode",
        "town",
        "latitude",
        "longitude",
        "opening_hours",
        "status",
        "agent_roles",
        "crisis_contact",
    ]
    records = [
        (
            o.municipality_id,
            o.name,
            o.kind,
            o.chain,
            "",
            o.organisation_number,
            o.street_address,
            o.postcode,
            o.town,
            o.latitude,
            o.longitude,
            o.opening_hours,
            o.status,
            o.agent_roles,
            "",
        )
        for o in plan.new
    ]
    started = time.perf_counter()
    # Django's connection is in autocommit mode: the COPY commits on its own.
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY outlets_outlet ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for record in records:
            copy.write_row(record)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(records)}


def run_phase(name, path, limit):
    import django

    use_bench_database()
    django.setup()
    if name == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        result = {}
    elif name == "preview":
        result = phase_preview(path)
    elif name == "import":
        result = phase_import(path)
    elif name == "baseline":
        result = phase_baseline(path, limit)
    else:
        result = phase_copy(path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# The run: a fresh database, the files, every phase, the table.


def use_bench_database():
    """Point Django at the benchmark's own database on the configured server."""
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = BENCH_DATABASE


def create_bench_database():
    import psycopg
    from django.conf import settings

    default = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        host=default["HOST"],
        port=default["PORT"],
        user=default["USER"],
        password=default["PASSWORD"],
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def in_child(args, env):
    output = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=0,
        help="Rows for the slow baseline (default: all).",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.file, args.baseline_rows)
        return

    import django

    django.setup()
    rows = generate_rows(args.rows)
    good, bad = (
        WORK_DIR / f"outlets-{args.rows}.csv",
        WORK_DIR / f"outlets-{args.rows}-bad.csv",
    )
    write_csv(good, rows)
    bad_rows, planted = plant_bad_rows(rows)
    write_csv(bad, bad_rows)

    create_bench_database()
    # DEBUG off, so that Django does not keep every query in memory.
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost",
    }
    in_child(["--phase", "migrate"], env)

    def phase(name, path, *extra):
        return in_child(["--phase", name, "--file", str(path), *extra], env)

    print(
        f"Importing {args.rows} outlets (file: {good.relative_to(BASE_DIR)}, "
        f"{good.stat().st_size / 1e6:.1f} MB), each phase in a fresh process."
    )
    # The register starts empty; after "import" it holds the file, so the last two
    # previews compare every row with a stored outlet, as a re-import does.
    results = {
        "ours: preview": phase("preview", good),
        "baseline: django-import-export default": phase(
            "baseline", good, "--baseline-rows", str(args.baseline_rows)
        ),
        "floor: PostgreSQL COPY (rows cleaned)": phase("copy", good),
        "ours: import (preview + store)": phase("import", good),
        "ours: preview of the same file again": phase("preview", good),
        "ours: preview, file with bad rows": phase("preview", bad),
    }
    baseline = results["baseline: django-import-export default"]
    baseline_rate = baseline["rows"] / baseline["seconds"]

    print()
    print(
        f"| {'phase':<42} | {'rows':>6} | {'seconds':>7} | {'rows/s':>8} | "
        f"{'vs baseline':>11} | {'peak MB':>7} |"
    )
    print(f"|{'-' * 44}|{'-' * 8}|{'-' * 9}|{'-' * 10}|{'-' * 13}|{'-' * 9}|")
    for name, result in results.items():
        rate = result["rows"] / result["seconds"]
        print(
            f"| {name:<42} | {result['rows']:>6} | {result['seconds']:>7.2f} | "
            f"{rate:>8.0f} | {rate / baseline_rate:>10.1f}× | "
            f"{result['peak_mb']:>7.0f} |"
        )
    print()
    again = results["ours: preview of the same file again"]
    print(f"Same file again: {again['unchanged']} of {again['rows']} rows unchanged.")
    checked = results["ours: preview, file with bad rows"]
    print(
        f"Bad-row file: {len(planted)} rows planted, {checked['invalid']} reported "
        f"invalid; first lines {checked['first_invalid_lines']} "
        f"(planted {planted[:6]})."
    )
    print(f"First message: {checked['first_message']}")
    ours = results["ours: import (preview + store)"]
    print(
        f"Targets: preview {results['ours: preview']['seconds']:.1f} s and import "
        f"{ours['seconds']:.1f} s (under 10 s each); import "
        f"{ours['rows'] / ours['seconds'] / baseline_rate:.1f}× the baseline's "
        f"rows per second (at least 10×)."
    )


if __name__ == "__main__":
    main()
