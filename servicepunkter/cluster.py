"""Servicepunkter as several real processes on one machine: gunicorn servers
behind nginx (HTTPS, round-robin) on one PostgreSQL database.

Shared by the two-server run (servicepunkter/tests/test_two_servers.py, `make
two-servers`) and the national load test (bench/national_load.py, `make bench`).
Needs Debian's nginx (`make system-packages`). Nothing here imports Django: the
processes it starts read their settings from the environment they are given.
"""

import contextlib
import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
# The environment of the calling process that the servers must not inherit.
NOT_INHERITED = {
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "TEST_DATABASE_NAME",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MEDIA_ROOT",
    "STATIC_ROOT",
}


# Processes: each in a process group of its own, its output in a log file.


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def running(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Processes:
    directory: Path
    started: list = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)

    def note(self, what) -> None:
        """A line of the run's timeline (shown with -s, and in the logs)."""
        line = f"{time.monotonic() - self.began:6.1f} s  {what}"
        print(line)
        with (self.directory / "timeline.log").open("a") as timeline:
            timeline.write(line + "\n")

    def start(self, name, command, *, env) -> Process:
        log = self.directory / f"{name}.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(
                [str(part) for part in command],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        self.note(f"{name} started")
        return process

    def finish(self, *processes: Process, timeout=600) -> None:
        """Wait for commands started together; fail with the log of one that
        failed."""
        for process in processes:
            try:
                code = process.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.stop(process)
                code = "timeout"
            assert code == 0, (
                f"{process.name} failed ({code}):\n{process.log.read_text()[-6000:]}"
            )
            self.note(f"{process.name} done")

    def run(self, name, command, *, env, timeout=600) -> str:
        process = self.start(name, command, env=env)
        self.finish(process, timeout=timeout)
        return process.log.read_text()

    @staticmethod
    def stop(process: Process, timeout=10) -> None:
        if process.running():
            stop_group(process.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=timeout)
        # Whatever the process left behind in its group (gunicorn's workers) too.
        stop_group(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=timeout)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)

    def logs(self) -> str:
        timeline = (self.directory / "timeline.log").read_text()
        return f"===== timeline =====\n{timeline}\n" + "\n".join(
            f"===== {process.name} ({'running' if process.running() else 'ended'}) "
            f"=====\n{process.log.read_text(errors='replace')[-8000:]}"
            for process in self.started
        )


def stop_group(pgid, sig):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WAITED_OUT = (requests.RequestException, OSError, psycopg.OperationalError)


def wait_until(
    condition, *, timeout, what, processes=(), interval=0.2, errors=WAITED_OUT
):
    """Poll `condition` until it returns something true (an error among `errors`
    counts as not yet); fail early when one of `processes` has ended."""
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            assert process.running(), f"{process.name} ended while {what}"
        try:
            result = condition()
        except errors as error:
            result = error
        if result and not isinstance(result, Exception):
            return result
        assert time.monotonic() < deadline, (
            f"timed out after {timeout} s: {what} (last: {result!r})"
        )
        time.sleep(interval)


# The parts: a database, an S3 bucket, a TLS certificate for nginx.


def database_recreate(maintenance_url, database_url, *, create=True):
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=5) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            db.execute(f'CREATE DATABASE "{name}"')


def tls_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, for nginx; the client trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path = directory / "nginx.crt"
    key_path = directory / "nginx.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


NGINX_CONF = """\
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr notice;
events {{ worker_connections {worker_connections}; }}
http {{
    # Seconds in nginx and until the server answered: beside the server's own log
    # of its time per request, the difference is the wait for a free worker.
    log_format timed '$request $status $request_time $upstream_response_time';
    access_log {access_log};
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 25m;
{sites}}}
"""
NGINX_SITE = """\
    upstream servicepunkter_{port} {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://servicepunkter_{port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
            # A failed request is not tried again on another server: the client
            # sees which one answered.
            proxy_next_upstream off;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
"""


def nginx_path() -> Path | None:
    found = Path(shutil.which("nginx") or "/usr/sbin/nginx")
    return found if found.exists() else None


def nginx_start(
    processes: Processes,
    directory: Path,
    sites: dict,
    *,
    access_log=True,
    worker_connections=256,
) -> tuple[Process, Path]:
    """nginx in front of gunicorn servers: `sites` maps each port nginx listens on
    (HTTPS, a self-signed certificate for 127.0.0.1) to the ports of the servers
    it sends to round-robin. Returns the process and the certificate to trust."""
    prefix = directory / "nginx"
    (prefix / "logs").mkdir(parents=True)
    certificate, key = tls_certificate(directory)
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            # As root, nginx's worker would otherwise be nobody, shut out of a
            # private temporary directory.
            user="user root;\n" if os.geteuid() == 0 else "",
            prefix=prefix,
            worker_connections=worker_connections,
            access_log="/dev/stdout timed" if access_log else "off",
            sites="".join(
                NGINX_SITE.format(
                    port=port,
                    servers="".join(
                        f"        server 127.0.0.1:{upstream_port};\n"
                        for upstream_port in upstream_ports
                    ),
                    certificate=certificate,
                    key=key,
                )
                for port, upstream_ports in sites.items()
            ),
        )
    )
    process = processes.start(
        "nginx",
        [nginx_path(), "-e", "stderr", "-p", prefix, "-c", conf, "-g", "daemon off;"],
        env=None,
    )
    return process, certificate


def gunicorn_start(
    processes: Processes,
    name: str,
    port: int,
    *,
    env: dict,
    workers=2,
    threads=1,
    access_log=True,
) -> Process:
    """A gunicorn server of the app on 127.0.0.1:`port`."""
    return processes.start(
        name,
        [
            BIN / "gunicorn",
            "servicepunkter.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--threads",
            threads,
            *(["--access-logfile", "-"] if access_log else []),
            # The path, status and microseconds of each request: which pages are slow.
            *(["--access-logformat", "%(r)s %(s)s %(D)s"] if access_log else []),
            "--graceful-timeout",
            5,
            # Not the one control socket in ~/.gunicorn servers would share.
            "--no-control-socket",
        ],
        env=env,
    )


def server_ready(port: int, server: Process, *, timeout=180) -> None:
    """Wait until the server on `port` answers /readyz."""
    wait_until(
        lambda: (
            requests.get(
                f"http://127.0.0.1:{port}/readyz",
                headers={"X-Forwarded-Proto": "https"},
                timeout=30,
            ).status_code
            == 200
        ),
        timeout=timeout,
        what=f"{server.name} gets ready",
        processes=[server],
    )


# The client: one person's browser session, through nginx.


class Visitor:
    """A requests session through nginx over HTTPS, redirects not followed, each
    answer's server noted."""

    def __init__(self, base_url, certificate):
        self.base_url = base_url
        self.certificate = str(certificate)
        self.session = requests.Session()
        # Django's CSRF check on HTTPS wants a same-origin Referer.
        self.session.headers["Referer"] = f"{base_url}/"
        self.last_upstream = None

    def request(self, method, path, **kwargs) -> requests.Response:
        # `verify` on each request: a session's own is overridden by
        # REQUESTS_CA_BUNDLE in the environment.
        response = self.session.request(
            method,
            self.base_url + path,
            allow_redirects=False,
            timeout=60,
            verify=self.certificate,
            **kwargs,
        )
        self.last_upstream = response.headers.get("X-Upstream")
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        token = self.session.cookies.get("csrftoken")
        return self.request(
            "POST", path, data={"csrfmiddlewaretoken": token, **data}, **kwargs
        )

    def next_request_away_from(self, upstream):
        """Arrange, by strict alternation, that the next request goes to the other
        server than `upstream`."""
        if self.last_upstream != upstream:
            self.get("/healthz")
        assert self.last_upstream == upstream


def upstream(response) -> str:
    return response.headers["X-Upstream"]


def app_environment(**settings_env) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update({key: str(value) for key, value in settings_env.items()})
    return env
