"""Two servers for real (issue 19): one PostgreSQL database, one S3-compatible server
(moto's server mode), two gunicorn servers with a procrastinate worker beside each,
and nginx in front of them round-robin, all started here as real processes.

Not in the suite nor in the smoke pass (marker `two_servers`, deselected in
pytest.ini): `make two-servers` runs this module, and `.ci/run` calls it after the
smoke pass. It needs Debian's nginx and a PostgreSQL server in which it may create a
database: DATABASE_URL's server (the database named after DATABASE_URL's, with
`_two_servers` added), else the machine's on 127.0.0.1:5432 as postgres.

nginx adds `X-Upstream: <address of the gunicorn that answered>` to every answer;
with strict round-robin, one nginx worker and only this client, requests alternate
between the two servers, so each scenario arranges that its second step lands on the
other server than its first, and asserts it. A failing test prints every process's
log.
"""

import base64
import datetime
import email
import functools
import io
import os
import re
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from django.apps import apps
from django.conf import settings

from servicepunkter.cluster import (
    BIN,
    MANAGE,
    Processes,
    Visitor,
    app_environment,
    database_recreate,
    free_port,
    gunicorn_start,
    nginx_path,
    nginx_start,
    server_ready,
    stop_group,
    upstream,
    wait_until,
)

pytestmark = pytest.mark.two_servers

BASE_DIR = Path(settings.BASE_DIR)
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
NORDMALING_SAMPLE = BASE_DIR / "outlets" / "data" / "outlets-nordmaling-excel-sv.csv"

# The demo's users (accounts/demo.py): the administrator signs in with a second
# factor from the demo's published authenticator key.
DEMO_PASSWORD = "servicepunkt-demo"
ADMINISTRATOR = "administrator@nordmaling.example"
OFFICIAL = "handlaggare@nordmaling.example"
SHOP_OWNER = "butik@perslivs.example"
# The demo's agreement waiting for signature (agreements/demo.py).
READY_AGREEMENT_OUTLET = "Norrfors Bageri"

BUCKET = "servicepunkter"
S3_REGION = "eu-north-1"
SIGNING_PASSPHRASE = "two-servers-passphrase"


def database_urls() -> tuple[str, str]:
    """The server's maintenance database and the run's own database."""
    given = os.environ.get("DATABASE_URL", "")
    if given:
        parts = urlsplit(given)
        name = f"{parts.path.lstrip('/') or 'servicepunkter'}_two_servers"
        return (
            urlunsplit(parts._replace(path="/postgres")),
            urlunsplit(parts._replace(path=f"/{name}")),
        )
    return (
        f"{DEFAULT_SERVER_URL}/postgres",
        f"{DEFAULT_SERVER_URL}/servicepunkter_two_servers",
    )


def demo_code(*, after_step: int | None = None) -> str:
    """The current code of the demo's authenticator app (as `manage.py demo_code`
    shows it). A code is accepted once only, so with `after_step` (the device's
    last used step) this waits for the app's next code."""
    from django_otp.oath import TOTP

    from accounts.demo import DEMO_TOTP_KEY

    totp = TOTP(base64.b32decode(DEMO_TOTP_KEY), step=30, digits=6)
    while after_step is not None and totp.t() <= after_step:
        time.sleep(0.5)
        totp.time = time.time()
    return f"{totp.token():06d}"


# The cluster.


@dataclass
class Cluster:
    processes: Processes
    base_url: str
    certificate: Path
    database_url: str
    upstreams: dict  # "127.0.0.1:port" -> server name
    env: dict  # the release's environment, for manage.py commands
    s3: object
    s3_wired: bool
    mail_dir: Path
    signing_certificate: Path
    worker_envs: dict  # worker name -> its environment

    def visitor(self) -> Visitor:
        return Visitor(self.base_url, self.certificate)

    def sign_in(self, address, *, two_factor=False) -> Visitor:
        visitor = self.visitor()
        assert visitor.get("/accounts/login/").status_code == 200
        response = visitor.post(
            "/accounts/login/", {"username": address, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, response.text[-3000:]
        if two_factor:
            ((last_step,),) = self.query(
                "SELECT device.last_t FROM otp_totp_totpdevice device"
                " JOIN accounts_user person ON person.id = device.user_id"
                " WHERE person.email = %s",
                (address,),
            )
            response = visitor.post(
                "/accounts/two-factor/verify/",
                {"code": demo_code(after_step=last_step)},
            )
            assert response.status_code == 302, response.text[-3000:]
        return visitor

    def manage(self, *arguments, name="manage") -> str:
        return self.processes.run(name, [*MANAGE, *arguments], env=self.env)

    def query(self, sql, parameters=()):
        with psycopg.connect(self.database_url, connect_timeout=5) as db:
            return db.execute(sql, parameters).fetchall()

    def bucket_keys(self) -> set:
        keys = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys

    def bucket_object(self, key) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def explained(test):
    """On failure, print every process's log (pytest shows it with the failure)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        cluster = kwargs["cluster"]
        try:
            return test(*args, **kwargs)
        except BaseException as error:
            if not isinstance(error, pytest.skip.Exception):
                print(cluster.processes.logs())
            raise

    return wrapper


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if nginx_path() is None:
        pytest.fail("nginx is missing: apt-get install nginx (make system-packages)")
    maintenance_url, database_url = database_urls()
    try:
        database_recreate(maintenance_url, database_url)
    except psycopg.OperationalError as error:
        # .ci/run sets TWO_SERVERS_REQUIRED=1: CI has the server, a skip would hide.
        stop = pytest.fail if os.environ.get("TWO_SERVERS_REQUIRED") else pytest.skip
        stop(f"no PostgreSQL server to create a database in: {error}")
    directory = tmp_path_factory.mktemp("two-servers")
    processes = Processes(directory)
    try:
        yield cluster_start(processes, directory, database_url)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop_all()
        database_recreate(maintenance_url, database_url, create=False)


def cluster_start(processes, directory, database_url) -> Cluster:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    moto_port = free_port()
    moto = processes.start(
        "s3", [BIN / "moto_server", "-H", "127.0.0.1", "-p", moto_port], env=None
    )
    s3_endpoint = f"http://127.0.0.1:{moto_port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id="two-servers",
        aws_secret_access_key="two-servers-secret",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    mail_dir = directory / "mail"
    mail_dir.mkdir()
    env = app_environment(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        BEHIND_TLS_PROXY="true",
        AXES_PROXY_COUNT=1,
        STATIC_ROOT=directory / "static",
        MEDIA_ROOT=directory / "media",
        SIGNING_CERTIFICATE_PATH=directory / "signing.p12",
        SIGNING_CERTIFICATE_PASSPHRASE=SIGNING_PASSPHRASE,
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_ACCESS_KEY_ID="two-servers",
        AWS_SECRET_ACCESS_KEY="two-servers-secret",
        AWS_S3_REGION_NAME=S3_REGION,
        AWS_S3_ADDRESSING_STYLE="path",
        EMAIL_URL=f"filemail:///{mail_dir}",
        LOG_FORMAT="json",
        # The day's job on every minute (helper daily's periodic followup.run_daily).
        RUN_DAILY_CRON="* * * * *",
        # A killed worker is taken as dead after 5 s of silence (a heartbeat every
        # second), and its jobs are put back on every minute, not every five.
        WORKER_HEARTBEAT_SECONDS=1,
        WORKER_STALLED_SECONDS=5,
        STALLED_JOBS_RETRY_CRON="* * * * *",
    )

    # The release, once: migrate, cache table, static files, translations; and a
    # signing certificate.
    assert (BASE_DIR / "locale" / "sv" / "LC_MESSAGES" / "django.mo").exists(), (
        "compiled translations are missing: make translations"
    )
    wiring = processes.start(
        "storage-backend",
        [
            *MANAGE,
            "shell",
            "-c",
            "from django.conf import settings; "
            "print('BACKEND', settings.STORAGES['default']['BACKEND'])",
        ],
        env=env,
    )
    migrate = processes.start("migrate", [*MANAGE, "migrate", "--no-input"], env=env)
    collectstatic = processes.start(
        "collectstatic", [*MANAGE, "collectstatic", "--no-input"], env=env
    )
    certificate = processes.start(
        "signing-certificate", [*MANAGE, "create_signing_certificate"], env=env
    )
    wait_until(
        lambda: s3.create_bucket(
            Bucket=BUCKET,
            CreateBucketConfiguration={"LocationConstraint": S3_REGION},
        ),
        timeout=30,
        what="the S3 server starts",
        processes=[moto],
        errors=(EndpointConnectionError,),
    )
    processes.finish(wiring, migrate, collectstatic, certificate)
    s3_wired = "s3" in re.search(r"BACKEND (\S+)", wiring.log.read_text())[1].lower()
    # The demo is seeded meanwhile, and while the servers start (seed_demo runs
    # with DEBUG on only: it makes users with published passwords).
    seed = processes.start(
        "seed_demo", [*MANAGE, "seed_demo"], env={**env, "DEBUG": "true"}
    )
    processes.finish(
        processes.start("createcachetable", [*MANAGE, "createcachetable"], env=env),
        processes.start(
            "check-deploy",
            [*MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
            env=env,
        ),
    )

    # The servers.
    ports = {"a": free_port(), "b": free_port()}
    server_envs = {}
    servers = []
    for name, port in ports.items():
        # With files in S3, each server gets a disk of its own, as on two machines;
        # without, they share one (until helper storage's settings are merged).
        media = directory / (f"media-{name}" if s3_wired else "media")
        server_envs[name] = {**env, "MEDIA_ROOT": str(media)}
        servers.append(
            gunicorn_start(
                processes, f"gunicorn-{name}", port, env=server_envs[name], workers=2
            )
        )
    nginx_port = free_port()
    proxy, tls_cert = nginx_start(
        processes, directory, {nginx_port: [ports["a"], ports["b"]]}
    )
    for port, server in zip(ports.values(), servers, strict=True):
        server_ready(port, server)
    processes.note("both servers ready")
    processes.finish(seed)
    # Each worker's database sessions carry its name (libpq's PGAPPNAME), so that
    # pg_stat_activity tells which worker process runs a job.
    worker_envs = {
        name: {**server_env, "PGAPPNAME": f"worker-{name}"}
        for name, server_env in server_envs.items()
    }
    workers = [
        processes.start(
            f"worker-{name}", [*MANAGE, "procrastinate", "worker"], env=worker_env
        )
        for name, worker_env in worker_envs.items()
    ]
    cluster = Cluster(
        processes=processes,
        base_url=f"https://127.0.0.1:{nginx_port}",
        certificate=tls_cert,
        database_url=database_url,
        upstreams={f"127.0.0.1:{port}": name for name, port in ports.items()},
        env=env,
        s3=s3,
        s3_wired=s3_wired,
        mail_dir=mail_dir,
        signing_certificate=Path(env["SIGNING_CERTIFICATE_PATH"]),
        worker_envs=worker_envs,
    )
    answered = {
        upstream(
            wait_until(
                lambda: cluster.visitor().get("/healthz"),
                timeout=60,
                what="nginx answers",
                processes=[proxy],
            )
        )
        for _ in range(2)
    }
    assert answered == set(cluster.upstreams), "nginx does not alternate"
    processes.note("nginx answers from both servers")
    wait_until(
        lambda: cluster.query("SELECT count(*) FROM procrastinate_workers") == [(2,)],
        timeout=120,
        what="both workers send heartbeats",
        processes=workers,
    )
    processes.note("both workers send heartbeats")
    return cluster


# The scenarios.


def run_page_in(visitor: Visitor, run_page: str, status: str) -> requests.Response:
    """The import run's page once a worker has brought it to `status`."""

    def reached():
        page = visitor.get(run_page)
        found = re.search(r'data-run-status="([a-z_]+)"', page.text)
        assert found, "no run status on the page:\n" + page.text[-3000:]
        assert found[1] != "failed", "the import failed:\n" + page.text[-3000:]
        return page if found[1] == status else None

    return wait_until(reached, timeout=120, what=f"the import run {status}")


def outlet_import_preview(visitor: Visitor, path: Path) -> requests.Response:
    """Upload an outlet file: the upload's answer (a redirect to the run's page),
    once a worker has checked the file and the page shows its preview."""
    response = visitor.post(
        "/outlets/import/",
        {},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    assert response.status_code == 302, response.text[-3000:]
    preview = run_page_in(visitor, response.headers["Location"], "previewed")
    assert "Bekräfta importen" in preview.text, preview.text[-3000:]
    return response


def outlet_import_confirm_queued(visitor: Visitor, uploaded) -> requests.Response:
    """Confirm the previewed import, on the other server than the upload's; the
    confirm's answer (its store job queued)."""
    run_page = uploaded.headers["Location"]
    visitor.next_request_away_from(upstream(uploaded))
    response = visitor.post(run_page.rstrip("/") + "/confirm/", {})
    assert response.status_code == 302, response.text[-3000:]
    assert response.headers["Location"] == run_page
    return response


def outlet_import_confirm(visitor: Visitor, uploaded) -> requests.Response:
    """The confirm's answer, once a worker has stored the import."""
    response = outlet_import_confirm_queued(visitor, uploaded)
    run_page_in(visitor, uploaded.headers["Location"], "done")
    return response


@explained
def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(cluster):
    administrator = cluster.sign_in(ADMINISTRATOR, two_factor=True)
    in_bucket = cluster.bucket_keys()

    preview = outlet_import_preview(administrator, NORDMALING_SAMPLE)
    if cluster.s3_wired:
        assert cluster.bucket_keys() - in_bucket, "the upload is not in the bucket"
    confirmed = outlet_import_confirm(administrator, preview)

    assert upstream(confirmed) != upstream(preview)
    assert {upstream(preview), upstream(confirmed)} == set(cluster.upstreams)
    assert cluster.query(
        "SELECT imported_by_id IS NOT NULL FROM outlets_outletimport"
        " WHERE file_name = %s",
        [NORDMALING_SAMPLE.name],
    ) == [(True,)]
    history = administrator.get("/outlets/import/history/")
    assert NORDMALING_SAMPLE.name in history.text


@explained
def test_an_agreement_sealed_on_one_server_downloads_from_the_other(cluster):
    # The demo's agreement waiting for signature; the demo's shop owner is made its
    # outlet's owner too, to sign for the service point in the app.
    agreement = int(
        cluster.manage(
            "shell",
            "-c",
            "from accounts.models import User; from agreements.models import "
            "Agreement; agreement = Agreement.objects.get(outlet__name="
            f"{READY_AGREEMENT_OUTLET!r}); User.objects.get(email={SHOP_OWNER!r})"
            ".outlets.add(agreement.outlet); print('AGREEMENT', agreement.pk)",
            name="agreement-setup",
        ).split("AGREEMENT")[-1]
    )
    in_bucket = cluster.bucket_keys()
    official = cluster.sign_in(OFFICIAL)
    owner = cluster.sign_in(SHOP_OWNER)
    signed = {"title": "Handläggare", "password": DEMO_PASSWORD}
    response = official.post(f"/agreements/{agreement}/sign/municipality/", signed)
    assert response.status_code == 302, response.text[-3000:]
    final = owner.post(
        f"/agreements/{agreement}/sign/party/", {**signed, "title": "Ägare"}
    )
    assert final.status_code == 302, final.text[-3000:]

    # Sealed in the request or by a background job: wait for the link.
    link = wait_until(
        lambda: re.search(
            r'href="(/agreements/versions/\d+/signed\.pdf)"',
            owner.get(f"/agreements/{agreement}/").text,
        ),
        timeout=60,
        what="the signed document appears",
    )[1]
    owner.next_request_away_from(upstream(final))
    elsewhere = owner.get(link)
    owner.next_request_away_from(upstream(elsewhere))
    here = owner.get(link)

    assert upstream(elsewhere) != upstream(final)
    assert upstream(here) == upstream(final)
    assert elsewhere.status_code == here.status_code == 200
    assert elsewhere.headers["Content-Type"] == "application/pdf"
    assert elsewhere.content == here.content
    assert_sealed(elsewhere.content, certificate=cluster.signing_certificate)
    if cluster.s3_wired:
        assert any(
            cluster.bucket_object(key) == elsewhere.content
            for key in cluster.bucket_keys() - in_bucket
        ), "the sealed document is not in the bucket"


def assert_sealed(pdf: bytes, *, certificate: Path) -> None:
    """Sealed, intact and whole, with the deployment's certificate."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
    from pyhanko.pdf_utils.reader import PdfFileReader

    from agreements.documents import pdf_seal_problems

    assert pdf.startswith(b"%PDF-")
    assert pdf_seal_problems(pdf) == []
    (seal,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    _key, ours, _chain = pkcs12.load_key_and_certificates(
        certificate.read_bytes(), SIGNING_PASSPHRASE.encode()
    )
    assert seal.signer_cert.dump() == ours.public_bytes(Encoding.DER)


@explained
def test_with_a_worker_beside_each_server_the_days_job_runs_once(cluster):
    try:
        daily_run = apps.get_model("followup", "DailyRun")
    except LookupError:
        (pytest.fail if os.environ.get("TWO_SERVERS_REQUIRED") else pytest.skip)(
            "followup.DailyRun does not exist yet: the periodic job "
            "followup.run_daily comes with helper daily's branch (issue 19)"
        )
    table = daily_run._meta.db_table
    day = daily_run._meta.get_field("day").column
    status = daily_run._meta.get_field("status").column
    today = datetime.datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    workers = [p for p in cluster.processes.started if p.name.startswith("worker-")]

    assert cluster.query("SELECT count(*) FROM procrastinate_workers") == [(2,)]
    runs = wait_until(
        lambda: [
            run
            for run in cluster.query(f"SELECT {day}, {status} FROM {table}")
            if run[1] != "running"
        ],
        timeout=150,
        what="the day's run ends (RUN_DAILY_CRON every minute)",
        processes=workers,
        interval=1,
    )

    assert runs == [(today, "done")]
    assert cluster.query(f"SELECT count(*) FROM {table}") == [(1,)]
    assert cluster.query(
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"
    ) == [(0,)]
    assert all(worker.running() for worker in workers)
    sent = mails_sent(cluster.mail_dir)
    assert len(sent) == len(set(sent)), "a mail of the day's work went twice"


def mails_sent(directory: Path) -> list:
    """(recipients, subject) of every mail Django's file backend wrote."""
    sent = []
    for path in directory.iterdir():
        for text in path.read_text().split("-" * 79):
            message = email.message_from_string(text.strip())
            if message["Subject"]:
                sent.append((message["To"], message["Subject"]))
    return sent


# A large outlet file: the check and the store each take several seconds.
LARGE_IMPORT_ROWS = 20_000


def large_outlet_file(directory: Path, rows: int) -> Path:
    """The Nordmaling sample's first row `rows` times under new names, in its
    format (Windows-1252, semicolons, CRLF): new outlets of Nordmaling only, which
    its administrator may import."""
    header, first = NORDMALING_SAMPLE.read_bytes().decode("cp1252").splitlines()[:2]
    rest = first.split(";", 1)[1]
    lines = [header, *(f"Provbutik {n:05d};{rest}" for n in range(1, rows + 1))]
    path = directory / "outlets-large.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def run_state(page: requests.Response) -> tuple[str, int, int]:
    """The run page's status and progress (rows done, rows in all)."""
    assert page.status_code == 200, page.text[-3000:]
    status = re.search(r'data-run-status="([a-z_]+)"', page.text)
    assert status, "no run status on the page:\n" + page.text[-3000:]
    assert status[1] != "failed", "the import failed:\n" + page.text[-3000:]
    progress = re.search(r'<progress[^>]*max="([^"]*)" value="([^"]*)"', page.text)
    done, total = (
        (
            int(re.sub(r"\D", "", progress[2]) or 0),
            int(re.sub(r"\D", "", progress[1]) or 0),
        )
        if progress
        else (0, 0)
    )
    return status[1], done, total


def worker_running_the_import(cluster: Cluster) -> list:
    """The names of the workers whose database session last wrote an import run's
    progress (each worker's sessions carry its name: PGAPPNAME)."""
    return [
        name
        for (name,) in cluster.query(
            "SELECT DISTINCT application_name FROM pg_stat_activity"
            " WHERE application_name LIKE 'worker-%%' AND query ILIKE %s",
            ['%UPDATE "outlets_outletimportrun" SET "rows_done"%'],
        )
    ]


@explained
def test_a_killed_workers_import_job_is_picked_up_again_and_completes(
    cluster, tmp_path
):
    """Issue 19: a worker killed (SIGKILL) while it stores a large outlet import;
    core.retry_stalled_jobs (every minute here) puts its job back, a live worker
    stores the import once, and the run's page answers on both servers all along."""
    note = cluster.processes.note
    note("a killed worker's import job: begins")
    large = large_outlet_file(tmp_path, LARGE_IMPORT_ROWS)
    ((outlets_before,),) = cluster.query("SELECT count(*) FROM outlets_outlet")
    administrator = cluster.sign_in(ADMINISTRATOR, two_factor=True)
    uploaded = outlet_import_preview(administrator, large)
    run_page = uploaded.headers["Location"]
    ((run_id,),) = cluster.query(
        "SELECT id FROM outlets_outletimportrun WHERE file_name = %s", [large.name]
    )
    note("the large file is previewed")
    outlet_import_confirm_queued(administrator, uploaded)

    # The store job at work, its progress on the page: kill the worker running it.
    def storing():
        status, done, total = run_state(administrator.get(run_page))
        return status == "storing" and 0 < done < total

    # A request that fails fails the test (errors=()): the page answers throughout.
    wait_until(storing, timeout=60, what="the store job shows its progress", errors=())
    ((job_id, job_status, holder_id),) = cluster.query(
        "SELECT j.id, j.status, j.worker_id FROM procrastinate_jobs j"
        " JOIN outlets_outletimportrun r ON r.job_id = j.id WHERE r.id = %s",
        [run_id],
    )
    assert job_status == "doing"
    holders = worker_running_the_import(cluster)
    workers = {
        p.name: p for p in cluster.processes.started if p.name.startswith("worker-")
    }
    # Not told apart: kill both, and start a fresh worker below.
    killed = [workers[holders[0]]] if len(holders) == 1 else list(workers.values())
    for process in killed:
        stop_group(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)
    note(f"killed {', '.join(p.name for p in killed)} (SIGKILL) holding job {job_id}")
    survivors = [p for p in workers.values() if p not in killed]
    if not survivors:
        survivors = [
            cluster.processes.start(
                "worker-c",
                [*MANAGE, "procrastinate", "worker"],
                env={**cluster.worker_envs["a"], "PGAPPNAME": "worker-c"},
            )
        ]

    # The killed worker's heartbeat stops: its job is the one left "doing".
    wait_until(
        lambda: (
            cluster.query(
                "SELECT now() - last_heartbeat > interval '3 seconds'"
                " FROM procrastinate_workers WHERE id = %s",
                [holder_id],
            )
            in ([(True,)], [])
        ),
        timeout=20,
        what="the killed worker's heartbeat stops",
    )
    ((stored_meanwhile,),) = cluster.query("SELECT count(*) FROM outlets_outlet")
    assert stored_meanwhile == outlets_before, "the killed store left outlets behind"

    # Until the import is done, its page answers from both servers; the job goes
    # back to the queue and a live worker takes it.
    answered, statuses, takers = set(), [], set()

    def done():
        page = administrator.get(run_page)
        answered.add(upstream(page))
        state = run_state(page)
        if not statuses or statuses[-1] != state[0]:
            statuses.append(state[0])
        takers.update(
            worker_id
            for (worker_id,) in cluster.query(
                # A fresh worker prunes the dead ones' rows: the job then waits
                # "doing" without a worker (NULL) until the retry puts it back.
                "SELECT worker_id FROM procrastinate_jobs WHERE id = %s"
                " AND status = 'doing' AND worker_id IS NOT NULL",
                [job_id],
            )
            if worker_id != holder_id
        )
        return state[0] == "done"

    wait_until(
        done,
        timeout=150,
        what="a live worker stores the import (STALLED_JOBS_RETRY_CRON every minute)",
        processes=survivors,
        interval=0.5,
        errors=(),
    )
    note(
        f"the import is done; page states {statuses}; job taken again by worker id "
        f"{takers} (killed: id {holder_id}; live: "
        f"{', '.join(p.name for p in survivors)})"
    )

    assert answered == set(cluster.upstreams)
    assert takers, "no live worker was seen running the job again"
    assert statuses[-1] == "done"
    ((outlets_after,),) = cluster.query("SELECT count(*) FROM outlets_outlet")
    assert outlets_after == outlets_before + LARGE_IMPORT_ROWS
    assert cluster.query(
        "SELECT new_count FROM outlets_outletimport WHERE file_name = %s",
        [large.name],
    ) == [(LARGE_IMPORT_ROWS,)]
    assert cluster.query(
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"
    ) == [(0,)]
    assert all(process.running() for process in survivors)
