"""The embedded PostgreSQL survives kills: real processes on a throw-away project.

Each test builds a project-like folder in tmp_path (the code linked in, its own
settings file, .env and var/), so the processes it starts and kills run the same
code path as `make run` against their own embedded server, never the developer's
var/pgdata. The processes get SIGKILL (as a closed terminal or a CI timeout gives
them, after SIGTERM) at several moments, the postmaster too; the next start must
work and find the data, and the stop command must end the postmaster.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from servicepunkter import embedded_db

pytestmark = pytest.mark.processes

REPOSITORY = Path(__file__).resolve().parents[2]


class Project:
    """A project-like folder whose settings put the embedded server under its var/."""

    def __init__(self, root: Path):
        self.root = root
        self.data_dir = root / "var" / "pgdata"
        root.mkdir()
        skip = {"var", ".git", ".env", "manage.py", "servicepunkter", "staticfiles"}
        for entry in REPOSITORY.iterdir():
            if entry.name not in skip:
                (root / entry.name).symlink_to(entry)
        package = root / "servicepunkter"
        package.mkdir()
        for entry in (REPOSITORY / "servicepunkter").iterdir():
            if entry.name not in {"settings.py", "__pycache__"}:
                (package / entry.name).symlink_to(entry)
        # Real files: settings.py finds BASE_DIR (and so var/) from its own path, and
        # Python puts the real folder of manage.py on sys.path.
        shutil.copy(REPOSITORY / "servicepunkter" / "settings.py", package)
        shutil.copy(REPOSITORY / "manage.py", root)
        shutil.copy(REPOSITORY / ".env.example", root / ".env")
        self.environment = {
            key: value
            for key, value in os.environ.items()
            # The test run's own database and conftest's async switch are not the
            # project's (check --deploy rejects the switch).
            if key
            not in {
                "DATABASE_URL",
                "TEST_DATABASE_NAME",
                "PYTEST_XDIST_WORKER",
                "DJANGO_ALLOW_ASYNC_UNSAFE",
            }
        }
        self.environment.update(
            DJANGO_SETTINGS_MODULE="servicepunkter.settings",
            DEBUG="true",
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
        )

    def start(self, *arguments: str) -> subprocess.Popen:
        """Start a process in its own process group, as `make run` is in a terminal."""
        return subprocess.Popen(
            [sys.executable, *arguments],
            cwd=self.root,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def run(self, *arguments: str, timeout: float = 120) -> str:
        process = self.start(*arguments)
        output, _ = process.communicate(timeout=timeout)
        assert process.returncode == 0, f"{output}\nThe server's log:\n{self.log()}"
        return output

    def log(self) -> str:
        log = self.data_dir / "log"
        return "\n".join(log.read_text().splitlines()[-30:]) if log.exists() else ""

    def manage(self, *arguments: str) -> str:
        return self.run("manage.py", *arguments)

    def query(self, sql: str) -> tuple:
        """One row from the project's database, read by this test process."""
        postmaster = embedded_db.ensure_running(self.data_dir)
        with psycopg.connect(
            host=str(postmaster.socket_dir),
            port=postmaster.port,
            user="postgres",
            dbname=embedded_db.DATABASE_NAME,
        ) as connection:
            return connection.execute(sql).fetchone()

    def postmaster_pid(self) -> int | None:
        postmaster = embedded_db.read_postmaster(self.data_dir)
        return postmaster.pid if postmaster else None

    def kill_postmaster(self) -> None:
        pid = self.postmaster_pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            wait_until(lambda: ended(pid))


def kill_group(process: subprocess.Popen, first=signal.SIGKILL) -> None:
    """Signal the process group (SIGTERM first if asked, then SIGKILL)."""
    for signal_number in dict.fromkeys([first, signal.SIGKILL]):
        try:
            os.killpg(process.pid, signal_number)
        except ProcessLookupError:
            break
        time.sleep(0.2 if signal_number != signal.SIGKILL else 0)
    process.communicate(timeout=30)


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def read_until(process: subprocess.Popen, text: str, count: int = 1) -> None:
    """Read the process's output until `text` has appeared `count` times."""
    seen = 0
    for line in process.stdout:
        seen += text in line
        if seen >= count:
            return
    raise AssertionError(f"the process ended before printing {text!r}")


def ended(pid: int) -> bool:
    """Whether the process has ended (a zombie waiting for its parent has too)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch():
    """A folder of our own under /tmp: run as root, the server's user must traverse
    it, and pytest's tmp_path sits in a private folder (which other pytest sessions
    lock down again, and clean up)."""
    folder = Path(tempfile.mkdtemp(prefix="servicepunkter-embedded-db-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def project(scratch):
    project = Project(scratch / "project")
    yield project
    embedded_db.stop(project.data_dir)


def test_the_app_killed_at_any_moment_starts_again_with_its_data_as_the_runtime_role(
    project,
):
    # 1. Killed during the very first start, while initdb builds the cluster: no
    #    half-made cluster is left behind.
    migrate = project.start("manage.py", "migrate", "--no-input")
    wait_until(lambda: any(project.root.glob("var/.pgdata.initdb-*")))
    kill_group(migrate)
    assert not (project.data_dir / "PG_VERSION").exists()

    # 2. Killed in the middle of migrate, and the postmaster with it.
    migrate = project.start("manage.py", "migrate", "--no-input")
    read_until(migrate, "Applying", count=5)
    kill_group(migrate)
    project.kill_postmaster()
    project.manage("migrate", "--no-input")
    data = project.query(COUNTS)

    # 3. Killed while serving (SIGTERM, then SIGKILL), and the postmaster with it.
    #    Without the autoreloader, which only doubles the start-up time.
    port = free_port()
    server = project.start("manage.py", "runserver", "--noreload", f"127.0.0.1:{port}")
    wait_until(lambda: _answers(f"http://127.0.0.1:{port}/accounts/login/"))
    kill_group(server, first=signal.SIGTERM)
    project.kill_postmaster()

    # 4. pgserver's list of client processes, which a kill used to leave empty, is
    #    no reason to fail any more.
    (project.data_dir / ".handle_pids.json").write_text("")

    # The next start works (check --deploy warns about DEBUG, as it should) and the
    # data is there.
    output = project.manage("check", "--deploy")
    assert "security.W018" in output
    assert project.query(COUNTS) == data
    assert data[0] > 0 and data[1] > 0

    # After all that, the app still connects as the runtime role, which owns nothing
    # and so cannot switch a table's triggers off; the tables belong to the owner
    # role that ran the migrations. (Checked on this test's cluster rather than on
    # a cluster of its own: a fresh cluster and migrate cost 18 s.)
    output = project.manage(
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT current_user')\n"
        "    print('user', cursor.fetchone()[0])\n"
        "    try:\n"
        "        cursor.execute('ALTER TABLE agreements_payout DISABLE TRIGGER ALL')\n"
        "    except Exception as error:\n"
        "        print('refused', error)\n",
    )
    assert f"user {embedded_db.RUNTIME_ROLE}" in output
    assert "refused must be owner of table agreements_payout" in output
    assert project.query(
        "SELECT pg_get_userbyid(relowner) FROM pg_class"
        " WHERE relname = 'agreements_payout'"
    ) == (embedded_db.OWNER_ROLE,)

    # The stop command stops the server: no postmaster is left.
    pid = project.postmaster_pid()
    assert pid and not ended(pid)
    output = project.run("-m", "servicepunkter.embedded_db", "stop", "var/pgdata")
    assert "stopped" in output
    wait_until(lambda: ended(pid), timeout=10)
    assert not (project.data_dir / "postmaster.pid").exists()
    output = project.run("-m", "servicepunkter.embedded_db", "stop", "var/pgdata")
    assert "was not running" in output


COUNTS = (
    "SELECT (SELECT count(*) FROM django_migrations),"
    " (SELECT count(*) FROM outlets_municipality)"
)


def _answers(address: str) -> bool:
    try:
        with urllib.request.urlopen(address, timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_a_start_killed_at_any_moment_leaves_the_server_startable(project):
    """Kill the start itself (python -m servicepunkter.embedded_db start) after
    0.05 … 1.5 s, every other time the postmaster too; then starts run side by side."""
    start = ("-m", "servicepunkter.embedded_db", "start", "var/pgdata")
    for moment, delay in enumerate([0.05, 0.3, 0.6, 1.0, 1.5, 0.2]):
        process = project.start(*start)
        time.sleep(delay)
        kill_group(process)
        if moment % 2:
            project.kill_postmaster()
    starts = [project.start(*start) for _ in range(4)]
    outputs = [process.communicate(timeout=120)[0] for process in starts]
    assert [process.returncode for process in starts] == [0, 0, 0, 0], outputs
    assert len({output.split("(pid ")[1].split(")")[0] for output in outputs}) == 1

    # A postmaster.pid that a postmaster killed at its very start left empty, and
    # one whose process id now belongs to another process (here: this test's).
    for stale in ("", f"{os.getpid()}\n{project.data_dir}\n"):
        project.run("-m", "servicepunkter.embedded_db", "stop", "var/pgdata")
        (project.data_dir / "postmaster.pid").write_text(stale)
        assert "runs" in project.run(*start)


def test_a_cluster_pgserver_made_keeps_working(project):
    """pgserver's own cluster, still running, with the empty list a kill left."""
    project.data_dir.parent.mkdir()
    project.run(
        "-c",
        "import pgserver; pgserver.get_server('var/pgdata', cleanup_mode=None)",
    )
    (project.data_dir / ".handle_pids.json").write_text("")
    pid = project.postmaster_pid()
    output = project.run("-m", "servicepunkter.embedded_db", "start", "var/pgdata")
    assert f"(pid {pid})" in output
    project.run("-m", "servicepunkter.embedded_db", "stop", "var/pgdata")
    wait_until(lambda: ended(pid), timeout=10)
    output = project.run("-m", "servicepunkter.embedded_db", "start", "var/pgdata")
    assert "runs" in output


def test_a_long_data_folder_gets_its_socket_under_tmp(scratch):
    """A Unix socket path has at most 107 bytes."""
    data_dir = scratch / ("long-" * 20) / "var" / "pgdata"
    socket_dir = embedded_db._socket_dir(data_dir.resolve())
    assert str(socket_dir).startswith("/tmp/servicepunkter-pg-")
    try:
        postmaster = embedded_db.ensure_running(data_dir)
        assert postmaster.socket_dir == socket_dir
    finally:
        embedded_db.stop(data_dir)
        shutil.rmtree(socket_dir)
    assert embedded_db.read_postmaster(data_dir.resolve()) is None


def test_a_server_left_on_a_deleted_cluster_is_ended(scratch):
    """`rm -rf var` with the server running: the orphaned server would delete the
    new server's socket file when it notices, so the new cluster's start ends it."""
    data_dir = scratch / "var" / "pgdata"
    try:
        orphan = embedded_db.ensure_running(data_dir).pid
        shutil.rmtree(data_dir)
        assert embedded_db.ensure_running(data_dir).pid != orphan
        wait_until(lambda: ended(orphan), timeout=10)
    finally:
        embedded_db.stop(data_dir)
