"""Fixtures shared by every app's tests: the roles, and the browser set-up."""

import datetime
import logging
import os
import shutil
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from accounts.tests.factories import UserFactory
from accounts.tests.two_factor import Client
from outlets.models import County, Municipality, Outlet
from outlets.municipalities import load_municipalities
from outlets.tests.factories import OutletFactory, municipality
from servicepunkter.management.commands.seed_demo import demo_seed
from servicepunkter.tests.browser import Browser

# Playwright's sync API runs an event loop in the test thread; the live server's ORM
# calls happen in their own thread, so Django's async guard only gets in the way here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIGNING_CERTIFICATE_PASSPHRASE = "test-passphrase"


@pytest.fixture
def client():
    """Django's test client, whose force_login passes the second factor too."""
    return Client()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional or live-server test ends by emptying every table, the
    municipalities that the data migration loaded among them: once its fixtures are
    torn down (the flush among them), load them again, so that the next test on this
    worker finds them, and empty the background jobs' tables, which the flush leaves.
    Not after the worker's last test: by then the session's fixtures are gone too,
    the test database with them."""
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = {"transactional_db", "live_server"} & set(item.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if flushed and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            flushed_database_refill()
    return result


def flushed_database_refill():
    """What a flush takes that the tests count on: the data migration's
    municipalities back, the background jobs' tables emptied."""
    load_municipalities(County, Municipality)
    background_jobs_delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept test database (`--reuse-db`) is as the last run left it, and a worker
    whose last test was transactional left it flushed (see above): its municipalities
    are loaded again, or every test that asks for one fails at setup."""
    with django_db_blocker.unblock():
        if not Municipality.objects.exists():
            flushed_database_refill()


def background_jobs_delete():
    """Procrastinate's tables are not Django's to flush (its models are unmanaged):
    a job a transactional test queued and left would meet the next test on this
    worker, as a mail test's count of mail jobs did. DELETE, not TRUNCATE: it waits
    for no lock a worker's idle connection may hold."""
    with connection.cursor() as cursor:
        for table in (
            "procrastinate_events",
            "procrastinate_periodic_defers",
            "procrastinate_jobs",
            "procrastinate_workers",
        ):
            cursor.execute(f"DELETE FROM {table}")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing speed is not under test; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def static_files_found_on_request(settings):
    """WhiteNoise finds a static file when it is asked for, as under runserver, instead
    of listing every static file each time a test client builds its middleware (a
    third of a short view test's time)."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="session")
def signing_certificate(tmp_path_factory):
    """One self-signed certificate for the whole run: agreements are sealed in tests
    as in production, whatever a developer's .env says."""
    from agreements.documents import signing_certificate_create

    path = tmp_path_factory.mktemp("signing") / "test.p12"
    signing_certificate_create(path=path, passphrase=SIGNING_CERTIFICATE_PASSPHRASE)
    return path


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored documents land in a per-test folder, never in the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def sealing_with_the_test_certificate(settings, signing_certificate):
    settings.SIGNING_CERTIFICATE_PATH = str(signing_certificate)
    settings.SIGNING_CERTIFICATE_PASSPHRASE = SIGNING_CERTIFICATE_PASSPHRASE


@pytest.fixture(autouse=True)
def readiness_checked_afresh():
    """/readyz keeps its result for seconds: an earlier test's would answer."""
    from servicepunkter import health

    health.readiness_forget()


@pytest.fixture(autouse=True)
def swedish_by_default():
    """A request in an earlier test can leave English active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@contextmanager
def settings_of_a_test(media_root, signing_certificate):
    """What the autouse fixtures above give each test, for data built outside one."""
    with (
        override_settings(
            PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
            MEDIA_ROOT=media_root,
            SIGNING_CERTIFICATE_PATH=str(signing_certificate),
            SIGNING_CERTIFICATE_PASSPHRASE=SIGNING_CERTIFICATE_PASSPHRASE,
        ),
        translation.override(settings.LANGUAGE_CODE),
    ):
        yield


@pytest.fixture(scope="module")
def module_db(
    django_db_setup, django_db_blocker, signing_certificate, tmp_path_factory
):
    """A transaction around a whole test module, rolled back at the module's end.

    A module-scoped fixture that asks for this one builds its data once, inside
    `module_db.building()`, and the module's tests (marked django_db) share it: each
    runs in a savepoint that pytest-django rolls back after the test, so no test sees
    what another changed. While building, the settings the autouse fixtures give a
    test hold too; files land in `module_db.media_root`.
    """
    media_root = tmp_path_factory.mktemp("module-media")

    @contextmanager
    def building():
        with (
            django_db_blocker.unblock(),
            settings_of_a_test(media_root, signing_certificate),
        ):
            yield

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield SimpleNamespace(building=building, media_root=media_root)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def nordmaling():
    return municipality("2401")


@pytest.fixture
def system_owner():
    return UserFactory(system_owner=True, email="system@servicepunkter.example")


@pytest.fixture
def administrator():
    return UserFactory(administrator=True, email="admin@nordmaling.example")


@pytest.fixture
def official():
    return UserFactory(email="official@nordmaling.example")


@pytest.fixture
def own_outlet():
    """The shop owner's outlet, in Nordmaling."""
    return OutletFactory(name="Pers Livs")


@pytest.fixture
def shop_owner(own_outlet):
    return UserFactory(
        shop_owner=True, email="owner@perslivs.example", outlets=[own_outlet]
    )


@pytest.fixture
def regional_viewer():
    return UserFactory(regional_viewer=True, email="region@vasterbotten.example")


@pytest.fixture
def umea_official():
    """An official of Umeå: another municipality in the same county as Nordmaling."""
    return UserFactory(email="official@umea.example", municipality=municipality("2480"))


@pytest.fixture
def service_point_with_personal_data(nordmaling):
    """A service point run by a sole trader, every personal field filled in: what
    the public pages, embeds, sign, leaflet, open data and survey must never show.

    `.secrets` are the personal strings; `.public` are facts the public pages show
    (so a test that finds none of the secrets also finds the page is about it)."""
    from agreements.tests.factories import PartyFactory
    from followup.tests.factories import signed_agreement
    from outlets.tests.factories import OutletContactFactory

    # A sole trader's organisation number is their personal identity number.
    sole_trader_number = "811218-9876"
    outlet = OutletFactory(
        municipality=nordmaling,
        name="Sigrids Lanthandel",
        kind=Outlet.Kind.GROCERY_FULL,
        organisation_number=sole_trader_number,
        street_address="Byvägen 12",
        postcode="914 90",
        town="Nordmaling",
        latitude=63.5681,
        longitude=19.5029,
        opening_hours="Mån–fre 9–19, lör 10–14",
        phone="0930-100 20",
        crisis_contact="Karin Krisberg 070-555 01 02",
    )
    OutletContactFactory(
        outlet=outlet,
        name="Sigrid Handlarsson",
        email="sigrid.privat@handlarsson.example",
        phone="070-987 65 43",
    )
    party = PartyFactory(
        municipality=nordmaling,
        name="Sigrid Handlarsson",
        organisation_number=sole_trader_number,
        address="Hemvägen 7, 914 91 Nordmaling",
        signatory_name="Sigrid Handlarsson",
        email="sigrid.firma@handlarsson.example",
        contact_name="Olle Handlarsson",
        contact_phone="070-222 33 44",
    )
    owner = UserFactory(
        shop_owner=True,
        full_name="Sigrid Handlarsson",
        email="sigrid@handlarsson.example",
        outlets=[outlet],
    )
    agreement = signed_agreement(
        outlet, party=party, starts_on=datetime.date(2026, 1, 1)
    )
    return SimpleNamespace(
        outlet=outlet,
        agreement=agreement,
        party=party,
        owner=owner,
        secrets=[
            sole_trader_number,
            "8112189876",
            "Sigrid Handlarsson",
            "Handlarsson",
            "handlarsson.example",
            "070-987 65 43",
            "Karin Krisberg",
            "070-555 01 02",
            "Hemvägen",
            "070-222 33 44",
            party.bankgiro,
        ],
        public=["Sigrids Lanthandel", "Byvägen 12", "0930-100 20"],
    )


@pytest.fixture
def municipalities_reloaded(transactional_db):
    """Live-server tests flush the database, data migrations included: reload them."""
    load_municipalities(County, Municipality)


S3_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "servicepunkter-test",
    "AWS_SECRET_ACCESS_KEY": "servicepunkter-test-secret",
    "AWS_S3_REGION_NAME": "eu-north-1",
}


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server for the run (moto's server mode, in a thread of
    this process) on a free port of 127.0.0.1; its address."""
    from moto.server import ThreadedMotoServer

    # Not a line per request in every failing test's captured log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint_url):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=S3_TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_TEST_CREDENTIALS["AWS_S3_REGION_NAME"],
    )


def s3_settings(endpoint_url, bucket) -> dict[str, str]:
    """The environment that names the bucket, as a deployment sets it."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        **S3_TEST_CREDENTIALS,
    }


@pytest.fixture
def s3_storage(s3_server, settings):
    """The stored files in a new bucket of the S3 server for this test, configured
    as settings.py does when the environment names a bucket; the bucket is emptied
    and removed afterwards. `.names()` lists what it holds, `.read(key)` a file."""
    import uuid

    from botocore.config import Config

    bucket = f"servicepunkter-test-{uuid.uuid4().hex[:12]}"
    client = s3_client(s3_server)
    client.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={
            "LocationConstraint": S3_TEST_CREDENTIALS["AWS_S3_REGION_NAME"]
        },
    )
    for name, value in s3_settings(s3_server, bucket).items():
        setattr(settings, name, value)
    # As settings.py (its test: test_object_storage.py).
    settings.AWS_S3_CLIENT_CONFIG = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 3},
        s3={"addressing_style": "auto"},
    )
    # Changing STORAGES drops the storages made so far: the next use makes the S3 one.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }

    def names():
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(
            item["Key"] for page in pages for item in page.get("Contents", [])
        )

    def read(key):
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def empty():
        for key in names():
            client.delete_object(Bucket=bucket, Key=key)

    yield SimpleNamespace(
        bucket=bucket,
        endpoint_url=s3_server,
        client=client,
        names=names,
        read=read,
        empty=empty,
        environment=s3_settings(s3_server, bucket),
    )
    empty()
    client.delete_bucket(Bucket=bucket)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, never a downloaded browser."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("The browser tests need Debian's chromium: run `make test`.")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


SUITE_PARTS = {
    "authorization table": "test_authorization.py",
    "crawl": "test_crawl.py",
    "browser tests (chromium, axe-core)": "test_browser.py",
}


def pytest_terminal_summary(terminalreporter):
    """Say plainly that the authorization table and the browser tests ran."""
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            for part, filename in SUITE_PARTS.items():
                if filename in report.nodeid or (
                    part.startswith("browser")
                    and "browser" in getattr(report, "keywords", {})
                ):
                    counts.setdefault(part, {}).setdefault(outcome, 0)
                    counts[part][outcome] += 1
    terminalreporter.section("Servicepunkter suite")
    for part in SUITE_PARTS:
        ran = counts.get(part)
        summary = (
            ", ".join(f"{n} {outcome}" for outcome, n in ran.items())
            if ran
            else "not run"
        )
        terminalreporter.write_line(f"{part}: {summary}")


@pytest.fixture(scope="session")
def demo_snapshot(
    django_db_setup, django_db_blocker, signing_certificate, tmp_path_factory
):
    """The demo, seeded once per session (and xdist worker) in a transaction that is
    rolled back: every table's rows as COPY gives them, and the demo's files."""
    media_root = tmp_path_factory.mktemp("demo-media")
    rows = {}
    with (
        django_db_blocker.unblock(),
        settings_of_a_test(media_root, signing_certificate),
        transaction.atomic(),
    ):
        # As after a live-server test's flush: the data migration's rows reloaded.
        load_municipalities(County, Municipality)
        demo_seed()
        with connection.cursor() as cursor:
            for table in django_tables():
                with cursor.cursor.copy(f"COPY {quoted(table)} TO STDOUT") as copy:
                    rows[table] = b"".join(bytes(block) for block in copy)
        transaction.set_rollback(True)
    return SimpleNamespace(rows=rows, media_root=media_root)


def django_tables():
    return connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )


def quoted(table):
    return connection.ops.quote_name(table)


@pytest.fixture
def demo(transactional_db, demo_snapshot, settings):
    """The demo data, for live-server tests (which start from an empty database):
    the database emptied and refilled with the demo's rows as seeded once, its files
    copied to this test's MEDIA_ROOT. Triggers (the audit history's among them) stay
    quiet while the rows go back, as they were recorded with the rest."""
    tables = django_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(quoted(table) for table in tables)}")
        for table in tables:
            with cursor.cursor.copy(f"COPY {quoted(table)} FROM STDIN") as copy:
                copy.write(demo_snapshot.rows[table])
        models = [
            model for model in apps.get_models() if model._meta.db_table in tables
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    shutil.copytree(demo_snapshot.media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)


@pytest.fixture
def browser(page, live_server):
    """Playwright's page against the live server, with axe and screenshots."""
    return Browser(page, live_server.url)
