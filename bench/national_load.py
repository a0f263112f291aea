"""Benchmark: the national load test (issue 20).

On a database of its own (DATABASE_URL's server, its name with `_national_load`
added), synthetic data for the whole country in bulk inserts: all 290
municipalities, 10 000 outlets, 5 000 signed agreements with their payouts and
follow-ups, 2 000 staff users (an administrator and officials in each municipality)
and shop owners of 1 000 outlets. Then gunicorn servers behind nginx (HTTPS,
round-robin; servicepunkter/cluster.py, shared with `make two-servers`) on that one
PostgreSQL database, and locust (bench/locustfile.py) for 60 s at 50 and at 100
concurrent users, against one server and against two: officials browsing lists and
detail pages, owners saving their yearly report on a phone, administrators opening
the analysis page, anonymous visitors on the public pages, and, in the same run, the
system owner on the Django admin's outlet change list (the baseline) and officials on
their profile page (the floor: the lightest signed-in page, a reference beside the
goal).

Sign-in: the virtual users do not sign in through the login form (axes and the
two-factor step would fight a load from one address, and a code is accepted once).
The bench writes their sessions into Django's session store as a sign-in would:
the auth keys, the session clock, the noted two-factor step, and django-otp's
verified-device key for those who sign in with a second factor.

Before the load, each page kind is fetched in this process on a small and a large
municipality, counting its SQL queries (does the count grow with the rows?).

Prints a table and writes it to var/bench/national_load.md. Run with `make bench`
or `.venv/bin/python bench/national_load.py [--users 50,100] [--servers 1,2]
[--seconds 60]`. Needs Debian's nginx (`make system-packages`).
"""

import argparse
import csv
import hashlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from servicepunkter import cluster  # noqa: E402

WORK_DIR = BASE_DIR / "var" / "bench" / "national_load"
REPORT = BASE_DIR / "var" / "bench" / "national_load.md"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/servicepunkter"
SECRET_KEY = "bench-national-load-" + "k" * 40

OUTLETS = 10_000
AGREEMENTS = 5_000
STAFF = 2_000
OWNERS = 1_000
# Nordmaling carries a larger share, to see whether a page's queries grow with rows.
LARGE_MUNICIPALITY = "2401"
LARGE_OUTLETS = 600
LARGE_AGREEMENTS = 300
# Sessions written for the virtual users of each kind.
SESSIONS = {"official": 300, "owner": 200, "administrator": 60, "system_owner": 1}
GUNICORN_WORKERS = 3
# Seconds over which the virtual users start, before the figures count.
RAMP_SECONDS = 5

GOAL_STAFF_P95_MS = 300
GOAL_RATIO = 0.25
KINDS = [
    "staff list",
    "staff detail",
    "owner form",
    "owner save",
    "analysis",
    "public",
    "floor",
    "admin change list",
]
# The administrators' analysis page is a staff page too. The floor (an official's
# profile page, the layout and little else) is a reference beside the goal: what
# the lightest signed-in page measures under the same load.
STAFF_KINDS = ["staff list", "staff detail", "analysis"]
FLOOR_KIND = "floor"

warnings.filterwarnings("ignore", message="No directory at")


# The database: a migrated template kept between runs, copied for each run.


def database_urls():
    given = os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL
    parts = urlsplit(given)
    name = parts.path.lstrip("/") or "servicepunkter"

    def named(database):
        return urlunsplit(parts._replace(path=f"/{database}"))

    return (
        named("postgres"),
        named(f"{name}_national_load"),
        named(f"{name}_national_load_template"),
    )


def migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(BASE_DIR.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_prepare(maintenance_url, run_url, template_url, env) -> float:
    """The run's database, copied from a template migrated once per set of
    migrations (migrating takes minutes on a busy machine). Returns seconds spent."""
    import psycopg

    started = time.perf_counter()
    template = urlsplit(template_url).path.lstrip("/")
    run = urlsplit(run_url).path.lstrip("/")
    fingerprint = migrations_fingerprint()
    with psycopg.connect(maintenance_url, autocommit=True) as db:
        found = db.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = %s",
            [template],
        ).fetchall()
    if found != [(f"migrations {fingerprint}",)]:
        print(f"Migrating a template database {template} (once per migration set)")
        cluster.database_recreate(maintenance_url, template_url)
        subprocess.run(
            [*cluster.MANAGE, "migrate", "--no-input", "-v", "0"],
            env={**env, "DATABASE_URL": template_url},
            cwd=BASE_DIR,
            check=True,
        )
        with psycopg.connect(maintenance_url, autocommit=True) as db:
            db.execute(
                f"COMMENT ON DATABASE \"{template}\" IS 'migrations {fingerprint}'"
            )
    with psycopg.connect(maintenance_url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    return time.perf_counter() - started


# The country, in bulk.


def build():
    """Outlets, agreements, payouts, follow-ups, users; returns what the virtual
    users need (ids per municipality, session keys)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

    from accounts.models import Role, User
    from agreements.models import (
        Agreement,
        AgreementService,
        AgreementVersion,
        Party,
        Payout,
        Service,
    )
    from agreements.services.catalogue import (
        DEFAULT_PUBLIC_DESCRIPTIONS,
        DEFAULT_SERVICES,
    )
    from followup.models import FollowUp
    from outlets.models import Municipality, Outlet

    rng = random.Random(20)
    clock = time.perf_counter()

    def step(what):
        nonlocal clock
        now_ = time.perf_counter()
        print(f"  {what}: {now_ - clock:.1f} s", flush=True)
        clock = now_

    municipalities = list(Municipality.objects.order_by("code"))
    large = next(m for m in municipalities if m.code == LARGE_MUNICIPALITY)
    others = [m for m in municipalities if m is not large]

    def spread(count, large_count):
        return [large] * large_count + [
            others[index % len(others)] for index in range(count - large_count)
        ]

    # The default catalogue (as service_catalogue_seed gives it), for every
    # municipality in one insert.
    Service.objects.bulk_create(
        (
            Service(
                municipality=place,
                name=name,
                shop_commitment=commitment,
                municipality_provides=provides,
                public_description=DEFAULT_PUBLIC_DESCRIPTIONS.get(name, ""),
                default_annual_fee=10_000,
            )
            for place in municipalities
            for name, commitment, provides in DEFAULT_SERVICES
        ),
        batch_size=5000,
    )
    services = {}
    for service in Service.objects.order_by("pk"):
        services.setdefault(service.municipality_id, []).append(service)
    services = {place: found[:4] for place, found in services.items()}
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
    step("services and parties")
    kinds = ["grocery", "grocery_full", "fuel", "agent", "other"]
    outlets = Outlet.objects.bulk_create(
        (
            Outlet(
                municipality=place,
                name=f"Lanthandel {index:05d}",
                kind=kinds[index % len(kinds)],
                street_address=f"Byvägen {index % 90 + 1}",
                postcode="914 90",
                town=f"Byn {index}",
                latitude=56 + (index % 97) / 8,
                longitude=12 + (index % 89) / 8,
                opening_hours="Mån–fre 9–19, lör 10–14",
                phone="0930-100 20",
            )
            for index, place in enumerate(spread(OUTLETS, LARGE_OUTLETS))
        ),
        batch_size=2000,
    )
    step("outlets")
    # The agreements go to the first outlets of each municipality.
    by_place = {}
    for outlet in outlets:
        by_place.setdefault(outlet.municipality_id, []).append(outlet)
    chosen, taken = [], {}
    for place in spread(AGREEMENTS, LARGE_AGREEMENTS):
        position = taken.get(place.pk, 0)
        taken[place.pk] = position + 1
        chosen.append(by_place[place.pk][position])
    started = date(2025, 1, 1)
    agreements = Agreement.objects.bulk_create(
        (
            Agreement(
                municipality_id=outlet.municipality_id,
                outlet=outlet,
                party=party_of[outlet.municipality_id],
                reference=f"SP-{outlet.municipality.code}-2025-{index:05d}",
                state=Agreement.State.SIGNED,
                signed_on=date(2024, 12, 1),
                starts_on=started,
            )
            for index, outlet in enumerate(chosen)
        ),
        batch_size=2000,
    )
    step("agreements")
    signed_at = timezone.make_aware(datetime(2024, 12, 1, 12))
    versions = AgreementVersion.objects.bulk_create(
        (
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
        ),
        batch_size=2000,
    )
    AgreementService.objects.bulk_create(
        (
            AgreementService(version=version, service=service, annual_fee=10_000)
            for version in versions
            for service in services[version.agreement.municipality_id]
        ),
        batch_size=5000,
    )

    step("versions and services")
    # Users: an administrator (two factors) and officials in each municipality, the
    # system owner, and the shop owners of the first outlets with an agreement.
    password = make_password(secrets.token_urlsafe(12))
    now = timezone.now()
    staff = [
        User(
            email=f"administrator{index}@{place.code}.example",
            full_name=f"Administratör {place.name}",
            role=Role.ADMINISTRATOR,
            municipality=place,
            password=password,
        )
        for index, place in enumerate(municipalities)
    ]
    staff += [
        User(
            email=f"handlaggare{index}@{place.code}.example",
            full_name=f"Handläggare {index}",
            role=Role.OFFICIAL,
            municipality=place,
            password=password,
        )
        for index, place in enumerate(spread(STAFF - len(staff), 10))
    ]
    owner_outlets = [agreement.outlet for agreement in agreements[::5]][:OWNERS]
    owners = [
        User(
            email=f"butik{index}@{outlet.municipality.code}.example",
            full_name=f"Butiksägare {index}",
            role=Role.SHOP_OWNER,
            municipality_id=outlet.municipality_id,
            password=password,
        )
        for index, outlet in enumerate(owner_outlets)
    ]
    system_owner = User(
        email="systemagare@bench.example",
        full_name="Systemägare",
        role=Role.SYSTEM_OWNER,
        password=password,
        is_superuser=True,
    )
    users = User.objects.bulk_create([*staff, *owners, system_owner], batch_size=2000)
    staff, owners = users[: len(staff)], users[len(staff) : len(staff) + len(owners)]
    system_owner = users[-1]
    User.outlets.through.objects.bulk_create(
        User.outlets.through(user_id=owner.pk, outlet_id=outlet.pk)
        for owner, outlet in zip(owners, owner_outlets, strict=True)
    )
    two_factor = [u for u in staff if u.role == Role.ADMINISTRATOR] + [system_owner]
    devices = TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="app", key=default_key(), confirmed=True)
        for user in two_factor
    )
    device_of = {device.user_id: device for device in devices}
    officials = [u for u in staff if u.role == Role.OFFICIAL]

    step("users")
    # Payouts: two a year, 2025 paid, 2026 paid and approved; follow-ups: 2025
    # completed, 2026 open (the owners write its report).
    official_of = {}
    for official in officials:
        official_of.setdefault(official.municipality_id, official)
    payouts = []
    followups = []
    for agreement in agreements:
        for year, first in ((1, date(2025, 1, 1)), (2, date(2026, 1, 1))):
            middle = first.replace(month=7)
            for start, end, status in (
                (first, middle - timedelta(days=1), "paid"),
                (
                    middle,
                    first.replace(month=12, day=31),
                    "paid" if year == 1 else "approved",
                ),
            ):
                payouts.append(
                    Payout(
                        agreement=agreement,
                        agreement_year=year,
                        period_start=start,
                        period_end=end,
                        due_on=start + timedelta(days=30),
                        amount=20_000,
                        vat_amount=5_000,
                        status=status,
                    )
                )
            followups.append(
                FollowUp(
                    agreement=agreement,
                    agreement_year=year,
                    period_start=first,
                    period_end=first.replace(month=12, day=31),
                    due_on=first.replace(year=first.year + 1, month=1, day=31),
                    assessment="Fungerar väl." if year == 1 else "",
                    completed_at=now if year == 1 else None,
                    completed_by=official_of[agreement.municipality_id]
                    if year == 1
                    else None,
                )
            )
    Payout.objects.bulk_create(payouts, batch_size=5000)
    followups = FollowUp.objects.bulk_create(followups, batch_size=5000)

    step("payouts and follow-ups")
    open_followup = {
        f.agreement.outlet_id: f.pk for f in followups if f.agreement_year == 2
    }
    ids = {}
    for agreement in agreements:
        place = ids.setdefault(
            agreement.municipality_id,
            {"agreements": [], "outlets": [], "followups": []},
        )
        place["agreements"].append(agreement.pk)
    for followup in followups:
        ids[followup.agreement.municipality_id]["followups"].append(followup.pk)
    for outlet in outlets:
        if outlet.municipality_id in ids:
            ids[outlet.municipality_id]["outlets"].append(outlet.pk)

    def session(user):
        return session_create(user, device_of.get(user.pk))

    rng.shuffle(officials)
    fixtures = {
        "officials": [
            {"session": session(user), **ids[user.municipality_id]}
            for user in officials[: SESSIONS["official"]]
        ],
        "owners": [
            {"session": session(owner), "followup": open_followup[outlet.pk]}
            for owner, outlet in list(zip(owners, owner_outlets, strict=True))[
                : SESSIONS["owner"]
            ]
        ],
        "administrators": [
            session(user)
            for user in rng.sample(
                [u for u in staff if u.role == Role.ADMINISTRATOR],
                SESSIONS["administrator"],
            )
        ],
        "system_owner": session(system_owner),
        "municipalities": [m.code for m in municipalities],
        "service_points": [a.outlet_id for a in agreements],
        "large": {
            "code": large.code,
            "official": next(
                session(u) for u in officials if u.municipality_id == large.pk
            ),
            **ids[large.pk],
        },
        "small": {
            "code": others[-1].code,
            "official": next(
                session(u) for u in officials if u.municipality_id == others[-1].pk
            ),
            **ids[others[-1].pk],
        },
    }
    counts = {
        "municipalities": len(municipalities),
        "outlets": len(outlets),
        "agreements": len(agreements),
        "payouts": len(payouts),
        "follow-ups": len(followups),
        "staff users": len(staff),
        "shop owners": len(owners),
    }
    return fixtures, counts


def session_create(user, device=None) -> str:
    """A signed-in session as the sign-in and the two-factor check leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import LAST_SEEN_AT, NO_STEP, SIGNED_IN_AT, TWO_FACTOR_STEP

    now = int(time.time())
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN_AT] = now
    store[LAST_SEEN_AT] = now
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[TWO_FACTOR_STEP] = "verify"
    else:
        store[TWO_FACTOR_STEP] = NO_STEP
    store.create()
    return store.session_key


# Queries per page, in this process.


SIZES = ("small", "large")
ADMIN_PAGE = "admin change list (baseline; first page, page 50)"


def page_urls(place) -> dict:
    """A representative URL of each staff page kind, in municipality `place`."""
    return {
        "start page": "/",
        "outlet list": "/outlets/",
        "outlet list, whole country": "/outlets/?municipality=all&page=7",
        "agreement list": "/agreements/",
        "payout list": "/agreements/payouts/",
        "follow-up list": "/followup/",
        "outlet detail": f"/outlets/{place['outlets'][0]}/",
        "agreement detail": f"/agreements/{place['agreements'][0]}/",
        "follow-up detail": f"/followup/{place['followups'][0]}/",
        "analysis": "/analysis/",
        "floor: the profile page, layout only": "/accounts/profile/",
    }


def query_counts(fixtures) -> list:
    """(page, queries and ms in a small and a large municipality, duplicates); the
    ms are the median of a few requests. Last, the baseline: the admin change list
    on its first page and on page 50."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client_of(session):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        return client

    def measured(client, url):
        client.get(url, secure=True)  # warm: templates, caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        # Read now: the next request empties the connection's query log.
        sqls = [q["sql"] for q in captured.captured_queries]
        times = []
        for _ in range(5):
            began = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - began) * 1000)
        return len(sqls), statistics.median(times), len(sqls) - len(set(sqls))

    clients = {size: client_of(fixtures[size]["official"]) for size in SIZES}
    urls = {size: page_urls(fixtures[size]) for size in SIZES}
    rows = [
        (page, *(measured(clients[size], urls[size][page]) for size in SIZES))
        for page in urls["small"]
    ]
    admin = client_of(fixtures["system_owner"])
    rows.append(
        (
            ADMIN_PAGE,
            measured(admin, "/admin/outlets/outlet/"),
            measured(admin, "/admin/outlets/outlet/?p=50"),
        )
    )
    return rows


# The load.


def locust_run(
    *, host, users, seconds, think, fixtures_path, certificate, prefix
) -> dict:
    env = {
        key: value for key, value in os.environ.items() if key != "REQUESTS_CA_BUNDLE"
    }
    env["NATIONAL_LOAD_FIXTURES"] = str(fixtures_path)
    env["NATIONAL_LOAD_CERTIFICATE"] = str(certificate)
    env["NATIONAL_LOAD_THINK"] = think
    result = subprocess.run(
        [
            cluster.BIN / "locust",
            "-f",
            BASE_DIR / "bench" / "locustfile.py",
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users / RAMP_SECONDS, 1)),
            # The figures are of the users all there: every user's first page comes
            # at once as it starts, so the ramp is run, then the counts start afresh.
            "--reset-stats",
            "--run-time",
            f"{seconds + RAMP_SECONDS}s",
            "--host",
            host,
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    if result.returncode not in (0, 1):  # 1: some requests failed
        raise RuntimeError(
            f"locust failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as file:
        for row in csv.DictReader(file):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    failures = Path(f"{prefix}_failures.csv").read_text().splitlines()[1:6]
    return {"stats": stats, "failures": failures}


def uptime() -> str:
    """The load averages (1, 5, 15 minutes): other work on the machine."""
    return " ".join(Path("/proc/loadavg").read_text().split(" ")[:3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,100")
    parser.add_argument("--servers", default="1,2")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--think",
        default="3,8",
        help="seconds a virtual user waits between pages, at least and at most",
    )
    parser.add_argument(
        "--workers", type=int, default=GUNICORN_WORKERS, help="per server"
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="each server logs every request with its time in µs (in the run's "
        "folder), to find the pages behind a p95",
    )
    arguments = parser.parse_args()
    user_counts = [int(n) for n in arguments.users.split(",")]
    server_counts = [int(n) for n in arguments.servers.split(",")]
    if cluster.nginx_path() is None:
        sys.exit("nginx is missing: make system-packages (apt-get install nginx)")
    began = time.perf_counter()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    maintenance_url, run_url, template_url = database_urls()
    env = cluster.app_environment(
        DATABASE_URL=run_url,
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        BEHIND_TLS_PROXY="true",
        AXES_PROXY_COUNT=1,
        STATIC_ROOT=WORK_DIR / "static",
        MEDIA_ROOT=WORK_DIR / "media",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="plain",
        EMAIL_URL="consolemail://",
    )
    migrated_in = database_prepare(maintenance_url, run_url, template_url, env)
    print(f"Database ready in {migrated_in:.1f} s", flush=True)
    static = subprocess.Popen(
        [*cluster.MANAGE, "collectstatic", "--no-input", "-v", "0"],
        env=env,
        cwd=BASE_DIR,
    )

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "servicepunkter.settings"
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    # Not in one transaction: Django's foreign keys are checked at commit, and
    # holding them all to the end made the build slower (223 s against 135 s).
    fixtures, counts = build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built_in = time.perf_counter() - started
    built = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"Built in {built_in:.0f} s: {built}", flush=True)
    # collectstatic done first: it would share the cores with the timed requests.
    assert static.wait() == 0, "collectstatic failed"
    queries = query_counts(fixtures)
    connection.close()
    fixtures_path = WORK_DIR / "fixtures.json"
    fixtures_path.write_text(json.dumps(fixtures))

    directory = WORK_DIR / time.strftime("run-%Y%m%dT%H%M%S")
    directory.mkdir()
    processes = cluster.Processes(directory)
    results = []
    try:
        ports = [cluster.free_port() for _ in range(max(server_counts))]
        servers = [
            cluster.gunicorn_start(
                processes,
                f"gunicorn-{index + 1}",
                port,
                env=env,
                workers=arguments.workers,
                access_log=arguments.access_log,
            )
            for index, port in enumerate(ports)
        ]
        sites = {cluster.free_port(): ports[:count] for count in server_counts}
        _proxy, certificate = cluster.nginx_start(
            processes,
            directory,
            sites,
            access_log=arguments.access_log,
            worker_connections=2048,
        )
        for port, server in zip(ports, servers, strict=True):
            cluster.server_ready(port, server)
        # Every worker of every server warm (imports, templates, connections)
        # before the figures count.
        widest = max(sites, key=lambda site: len(sites[site]))
        locust_run(
            host=f"https://127.0.0.1:{widest}",
            users=8,
            seconds=15,
            think="0.2,0.5",
            fixtures_path=fixtures_path,
            certificate=certificate,
            prefix=directory / "warm-up",
        )
        processes.note("servers warmed up")
        for (site, upstreams), users in (
            (item, users) for item in sites.items() for users in user_counts
        ):
            load = uptime()
            processes.note(f"{len(upstreams)} server(s), {users} users; load {load}")
            outcome = locust_run(
                host=f"https://127.0.0.1:{site}",
                users=users,
                seconds=arguments.seconds,
                think=arguments.think,
                fixtures_path=fixtures_path,
                certificate=certificate,
                prefix=directory / f"locust-{len(upstreams)}-{users}",
            )
            results.append((len(upstreams), users, load, outcome))
    finally:
        processes.stop_all()
    table = report(
        results,
        queries,
        counts,
        built_in,
        migrated_in,
        arguments.seconds,
        arguments.think,
        arguments.workers,
    )
    table += f"\nWhole run: {time.perf_counter() - began:.0f} s.\n"
    print(table)
    REPORT.write_text(table)
    print(f"Written to {REPORT.relative_to(BASE_DIR)}")


def report(
    results, queries, counts, built_in, migrated_in, seconds, think, workers
) -> str:
    cores = os.cpu_count()
    lines = [
        "# National load test",
        "",
        ", ".join(f"{v} {k}" for k, v in counts.items())
        + f"; built in {built_in:.0f} s (database from the migrated template in "
        f"{migrated_in:.0f} s).",
        f"**Client (locust), nginx, the gunicorn servers ({workers} workers "
        f"each) and PostgreSQL share this machine's {cores} cores**: the figures are "
        "a floor for the servers, not what they hold on machines of their own.",
        f"{seconds} s per configuration after a warm-up, counted from when all the "
        f"users are there (they start over {RAMP_SECONDS} s, whose requests and errors "
        "are not counted); each virtual user waits "
        f"{think.replace(',', '–')} s between pages. "
        "Times in ms (locust rounds them above 100 ms to 2 significant figures).",
        "",
        "| servers × users | load avg | req/s | errors | "
        + " | ".join(f"{kind} p50/p95/p99" for kind in KINDS)
        + " |",
        "|---" * (4 + len(KINDS)) + "|",
    ]
    summary = []
    for servers, users, load, outcome in results:
        stats = outcome["stats"]
        total = stats.get("Aggregated", {})
        cells = []
        for kind in KINDS:
            s = stats.get(kind)
            cells.append(f"{s['p50']:.0f}/{s['p95']:.0f}/{s['p99']:.0f}" if s else "–")
        lines.append(
            f"| {servers} × {users} | {load} | {total.get('rps', 0):.1f} | "
            f"{total.get('failures', 0)} | " + " | ".join(cells) + " |"
        )
        staff_p95 = max(stats[k]["p95"] for k in STAFF_KINDS if k in stats)
        admin = stats.get("admin change list", {})
        floor_p95 = stats.get(FLOOR_KIND, {}).get("p95")
        summary.append(
            (
                servers,
                users,
                staff_p95,
                admin.get("p95"),
                admin.get("requests", 0),
                floor_p95,
                outcome["failures"],
            )
        )
    lines += [
        "",
        "| servers × users | staff p95 (worst kind) | goal at 50 users "
        "| staff p95 / admin change list p95 | goal "
        "| floor p95 / admin p95 (reference) | admin requests |",
        "|---|---|---|---|---|---|---|",
    ]
    for servers, users, staff_p95, admin_p95, admin_n, floor_p95, _f in summary:
        ratio = f"{staff_p95 / admin_p95:.2f}" if admin_p95 else "–"
        if admin_p95:
            ratio += " met" if staff_p95 / admin_p95 <= GOAL_RATIO else " NOT MET"
        floor = f"{floor_p95 / admin_p95:.2f}" if admin_p95 and floor_p95 else "–"
        goal = f"≤ {GOAL_STAFF_P95_MS} ms" if users == 50 else "–"
        met = ""
        if users == 50:
            met = " met" if staff_p95 <= GOAL_STAFF_P95_MS else " NOT MET"
        lines.append(
            f"| {servers} × {users} | {staff_p95:.0f} ms{met} | {goal} | {ratio} "
            f"| ≤ {GOAL_RATIO} | {floor} | {admin_n} |"
        )
    lines += [
        "",
        "The floor is an official's profile page: the layout, the sign-in checks "
        "and little else. A staff page does its work on top of it, so where the "
        "floor's own ratio comes near the goal, no page with rows on it can meet it "
        "on this machine.",
    ]
    errors = [f for *_rest, failures in summary for f in failures]
    if errors:
        lines += ["", "First errors (locust's failures file):", ""]
        lines += [f"    {e}" for e in errors[:10]]
    lines += [
        "",
        "Queries per staff page (one official, in-process, warm; ms the median of 5 "
        "requests, machine otherwise as in the load), small vs large municipality "
        "(rows on the page grow; a count that grows with them is a query per row):",
        "",
        "| page | queries small | queries large | ms small | ms large "
        "| repeated queries (large) |",
        "|---|---|---|---|---|---|",
    ]
    for page, (q_small, ms_small, _d), (q_large, ms_large, dup) in queries:
        lines.append(
            f"| {page} | {q_small} | {q_large} | {ms_small:.0f} | {ms_large:.0f} "
            f"| {dup} |"
        )
    staff_ms = [
        ms for page, *sizes in queries if page != ADMIN_PAGE for _q, ms, _d in sizes
    ]
    admin_ms = [
        ms for page, *sizes in queries if page == ADMIN_PAGE for _q, ms, _d in sizes
    ]
    if admin_ms:
        lines += [
            "",
            f"One request at a time, in this process: the slowest staff page takes "
            f"{max(staff_ms):.0f} ms, the admin change list {min(admin_ms):.0f}–"
            f"{max(admin_ms):.0f} ms ({max(staff_ms) / min(admin_ms):.2f} of its "
            "fastest); a quarter of the admin's p95 under load asks for staff pages "
            "at a quarter of its cost.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
