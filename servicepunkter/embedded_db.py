"""The project-local embedded PostgreSQL used when DATABASE_URL is unset.

pgserver only supplies the PostgreSQL binaries; the cluster is managed here with its
own `initdb` and `pg_ctl`, so that any start, kill or crash leaves it startable:

- every step that changes the cluster (initdb, start, stop, creating the database)
  runs under an exclusive lock on `var/pgdata.lock`, which the kernel releases when
  its holder dies, so concurrent processes (manage.py, pytest-xdist workers) wait
  instead of racing;
- initdb builds the cluster in a temporary folder that is renamed into place, so a
  kill during initdb leaves no half-made cluster;
- whether a server runs is read from PostgreSQL's own `postmaster.pid`; a postmaster
  that was killed leaves a stale file, which PostgreSQL's start handles (this module
  removes it only when its process id now belongs to another process or a zombie);
- no bookkeeping of client processes (pgserver's `.handle_pids.json`, which a kill
  mid-write left empty, so every later start failed): the server keeps running
  between commands until `make db-stop` (`python -m servicepunkter.embedded_db stop`).

The server listens on a Unix socket only (in the data folder, or under /tmp when that
path is too long for a socket), never on a TCP port.

It has the two roles production has (README: Database roles): OWNER_ROLE owns the
database and its objects and runs the migrations; the app connects as RUNTIME_ROLE,
which reads and writes rows but owns nothing, so it cannot disable a trigger.
"""

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "servicepunkter"
SUPERUSER = "postgres"
OWNER_ROLE = "sp_owner"
RUNTIME_ROLE = "sp_app"
ROLES = {"owner": OWNER_ROLE, "runtime": RUNTIME_ROLE, "superuser": SUPERUSER}
# PostgreSQL refuses to run as root; as root the server runs as this user, the one
# pgserver used, so clusters made by pgserver keep working.
SERVER_USER_WHEN_ROOT = "pgserver"
PORT = 5432  # names the socket file only: the server opens no TCP port
SOCKET_PATH_LIMIT = 107  # bytes, sizeof(sockaddr_un.sun_path) - 1
START_TIMEOUT = 60  # seconds, crash recovery after a kill included
LOCK_TIMEOUT = 180  # seconds another process may hold the lock (e.g. a first initdb)


@dataclass(frozen=True)
class Postmaster:
    """What a live server's postmaster.pid says."""

    pid: int
    socket_dir: Path | None
    port: int | None
    ready: bool


def embedded_database_settings(data_dir: Path, role: str = "runtime") -> dict:
    """Start (or reuse) the server under data_dir; return Django settings that
    connect as `role`: "runtime" (the app), "owner" (migrate, restore) or
    "superuser" (the test suite, which creates its test databases)."""
    try:
        import psycopg  # noqa: F401
    except ImportError as error:
        raise ImproperlyConfigured("psycopg is not installed.") from error
    postmaster = ensure_running(data_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": ROLES[role],
        "PASSWORD": "",
        "HOST": str(postmaster.socket_dir),
        "PORT": str(postmaster.port),
    }


def ensure_running(data_dir: Path, database: str = DATABASE_NAME) -> Postmaster:
    """Make the cluster under data_dir if there is none, start its server unless
    it runs, and create `database` in it; return the ready server."""
    data_dir = _absolute(data_dir)
    binaries = _binaries()
    with _locked(data_dir):
        # pgserver's list of client processes, which a kill could leave empty.
        (data_dir / ".handle_pids.json").unlink(missing_ok=True)
        if not (data_dir / "PG_VERSION").is_file():
            _initdb(data_dir, binaries)
        deadline = time.monotonic() + START_TIMEOUT
        failure = ""
        unreadable_since = None
        while True:
            postmaster = read_postmaster(data_dir)
            if postmaster is None:
                failure = _start(data_dir, binaries)
            elif postmaster.pid == 0:
                # A postmaster writes its pid at once; a file that stays unreadable
                # was left by one killed before it did, and PostgreSQL would refuse
                # to start while it is there.
                unreadable_since = unreadable_since or time.monotonic()
                if time.monotonic() - unreadable_since > 2:
                    (data_dir / "postmaster.pid").unlink(missing_ok=True)
            elif postmaster.ready and _database_created(postmaster, database):
                return postmaster
            if time.monotonic() > deadline:
                raise ImproperlyConfigured(
                    f"The embedded PostgreSQL under {data_dir} did not start within "
                    f"{START_TIMEOUT} s. {failure}Its log: {data_dir / 'log'}."
                )
            time.sleep(0.1)


def stop(data_dir: Path) -> bool:
    """Stop the server under data_dir (fast shutdown); False if none was running."""
    data_dir = _absolute(data_dir)
    if not data_dir.exists():
        return False
    binaries = _binaries()
    with _locked(data_dir):
        postmaster = read_postmaster(data_dir)
        if postmaster is None or postmaster.pid == 0:
            return False
        _run_as_server_user(
            [binaries / "pg_ctl", "stop", "-D", data_dir, "-m", "fast", "-w"]
            + ["-t", str(START_TIMEOUT)],
            cwd=data_dir.parent,
            check=False,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while _is_our_postmaster(postmaster.pid, data_dir):
            if time.monotonic() > deadline:
                # Immediate shutdown: the next start recovers from the WAL.
                os.kill(postmaster.pid, signal.SIGQUIT)
                deadline += START_TIMEOUT
            time.sleep(0.1)
        return True


def read_postmaster(data_dir: Path) -> Postmaster | None:
    """The live server of data_dir's postmaster.pid, or None when none runs (pid 0:
    the file is there but unreadable, e.g. being written)."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid = int(lines[0])
    except (FileNotFoundError, IndexError, ValueError):
        return Postmaster(0, None, None, False) if pid_file.exists() else None
    if not _is_our_postmaster(pid, data_dir):
        if _pid_alive(pid):
            # The id now belongs to another process (or a zombie): PostgreSQL would
            # take the file for a running server and refuse to start.
            _remove_stale_lock_files(data_dir, pid)
        return None
    fields = lines + [""] * (8 - len(lines))
    socket_dir = Path(fields[4].strip()) if fields[4].strip() else None
    port = int(fields[3]) if fields[3].strip().isdigit() else None
    ready = fields[7].strip() == "ready" and socket_dir is not None and port
    return Postmaster(pid, socket_dir, port, bool(ready))


def _remove_stale_lock_files(data_dir: Path, pid: int) -> None:
    """Remove the postmaster.pid and socket lock files that name pid."""
    socket_lock = _socket_dir(data_dir) / f".s.PGSQL.{PORT}.lock"
    for lock_file in (socket_lock, data_dir / "postmaster.pid"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(lock_file.read_text().splitlines()[0]) == pid:
                lock_file.unlink()


def _absolute(data_dir: Path) -> Path:
    # Resolved, as pgserver did: the postmaster's command line names this path.
    return Path(data_dir).expanduser().resolve()


def _binaries() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not "
            "installed. Run `make run` (or pip install -r requirements-dev.txt), or "
            "set DATABASE_URL to a PostgreSQL server."
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


@contextlib.contextmanager
def _locked(data_dir: Path):
    """Hold the exclusive lock of data_dir (var/pgdata.lock beside var/pgdata)."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = data_dir.with_name(data_dir.name + ".lock")
    with open(lock_path, "a") as lock_file:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ImproperlyConfigured(
                        f"Another process has held {lock_path} for {LOCK_TIMEOUT} s."
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _initdb(data_dir: Path, binaries: Path) -> None:
    """Make the cluster in a temporary folder and rename it to data_dir."""
    parent = data_dir.parent
    _kill_orphaned_servers(data_dir)
    for leftover in parent.glob(f".{data_dir.name}.initdb-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # a killed initdb's
    if data_dir.exists():
        if any(data_dir.iterdir()):
            # Not a cluster (no PG_VERSION), but not ours to delete either.
            aside = data_dir.with_name(f"{data_dir.name}.incomplete-{int(time.time())}")
            data_dir.rename(aside)
            print(
                f"{data_dir} was no database cluster; moved to {aside}.",
                file=sys.stderr,
            )
        else:
            data_dir.rmdir()
    building = parent / f".{data_dir.name}.initdb-{os.getpid()}"
    building.mkdir(mode=0o700)
    _give_to_server_user(building)
    _run_as_server_user(
        [binaries / "initdb", "-D", building, "--auth=trust", "--auth-local=trust"]
        + ["--encoding=utf8", "-U", SUPERUSER],
        cwd=parent,
    )
    building.rename(data_dir)


def _kill_orphaned_servers(data_dir: Path) -> None:
    """Kill servers still running on a deleted cluster at data_dir's path (e.g. after
    `rm -rf var`): within a minute they notice their lock file is gone, and on their
    way out they would delete the socket file of the new server."""
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError):
            if _is_our_postmaster(int(proc.name), data_dir):
                os.kill(int(proc.name), signal.SIGKILL)  # nothing left to save


def _start(data_dir: Path, binaries: Path) -> str:
    """Start the server with pg_ctl; return its complaint if it did not start."""
    socket_dir = _socket_dir(data_dir)
    options = f"-h '' -k {shlex.quote(str(socket_dir))} -p {PORT}"
    result = _run_as_server_user(
        [binaries / "pg_ctl", "start", "-D", data_dir, "-l", data_dir / "log", "-w"]
        + ["-t", str(START_TIMEOUT), "-o", options],
        cwd=data_dir.parent,
        check=False,
    )
    # A failed start (e.g. the backends of a killed postmaster still hold its
    # shared memory for a moment) is retried by the caller until its deadline.
    return "" if result.returncode == 0 else f"pg_ctl said: {result.stdout.strip()} "


def _socket_dir(data_dir: Path) -> Path:
    """The data folder, or a private folder under /tmp when its path is too long."""
    socket_name = f".s.PGSQL.{PORT}"
    if len(os.fsencode(data_dir / socket_name)) <= SOCKET_PATH_LIMIT:
        return data_dir
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:16]
    short = Path("/tmp") / f"servicepunkter-pg-{digest}"
    with contextlib.suppress(FileExistsError):
        short.mkdir(mode=0o700)
        _give_to_server_user(short)
    ids = _server_user_ids()
    owner = ids[0] if ids else os.geteuid()
    if short.is_symlink() or not short.is_dir() or short.lstat().st_uid != owner:
        raise ImproperlyConfigured(f"{short} is not a folder of the server's own.")
    return short


def _server_user_ids() -> tuple[int, int] | None:
    """(uid, gid) of the user the server runs as when we are root, else None."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
    except KeyError:
        subprocess.run(
            ["useradd", "-s", "/bin/bash", SERVER_USER_WHEN_ROOT],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
    return entry.pw_uid, entry.pw_gid


def _give_to_server_user(path: Path) -> None:
    ids = _server_user_ids()
    if ids is None:
        return
    os.chown(path, *ids)
    # The server user must be able to reach the folder: let others traverse (not
    # read) its ancestors, as pgserver did.
    for ancestor in path.parents:
        mode = ancestor.stat().st_mode
        if mode & 0o011 != 0o011:
            ancestor.chmod(mode | 0o011)


def _run_as_server_user(arguments: list, cwd: Path, check: bool = True):
    ids = _server_user_ids()
    # Output to a file, not a pipe: the server pg_ctl leaves running must not hold
    # our pipe open.
    with tempfile.TemporaryFile("w+") as output:
        result = subprocess.run(
            [str(argument) for argument in arguments],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            extra_groups=[] if ids else None,
            text=True,
            check=False,
        )
        output.seek(0)
        result.stdout = output.read()
    if check and result.returncode != 0:
        raise ImproperlyConfigured(
            f"{Path(arguments[0]).name} failed for the embedded PostgreSQL:\n"
            f"{result.stdout}"
        )
    return result


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_postmaster(pid: int, data_dir: Path) -> bool:
    """Whether pid is a live (not zombie) postgres serving data_dir."""
    if pid <= 0 or not _pid_alive(pid):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # no /proc (e.g. macOS): trust the process id
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        arguments = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False  # it ended meanwhile
    if state in ("Z", "X") or not arguments[0].endswith(b"postgres"):
        return False
    # The postmaster runs as `postgres -D <data_dir> …` (pg_ctl and pgserver both)
    # and works in its data folder (whatever path it was started with).
    with contextlib.suppress(OSError):
        if os.readlink(proc / "cwd") == str(data_dir):
            return True
    return any(
        flag == b"-D" and value == os.fsencode(data_dir)
        for flag, value in zip(arguments, arguments[1:], strict=False)
    )


def _database_created(postmaster: Postmaster, database: str) -> bool:
    """Create `database` unless it exists; False while the server takes no
    connections yet (starting, or recovering after a kill)."""
    import psycopg

    try:
        with psycopg.connect(
            host=str(postmaster.socket_dir),
            port=str(postmaster.port),
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{database}"')
            connection.execute(ROLES_CREATE_SQL)
        with psycopg.connect(
            host=str(postmaster.socket_dir),
            port=str(postmaster.port),
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=5,
        ) as connection:
            if not connection.execute(ROLES_SETTLED_SQL).fetchone()[0]:
                connection.execute(ROLES_GRANT_SQL.replace("{database}", database))
    except psycopg.OperationalError:
        return False
    return True


ROLES_CREATE_SQL = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
        CREATE ROLE {OWNER_ROLE} LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RUNTIME_ROLE}') THEN
        CREATE ROLE {RUNTIME_ROLE} LOGIN;
    END IF;
END $$
"""

# Whether the owner owns the database and every table, and the runtime role reads
# them all: then the statements below have nothing to do.
ROLES_SETTLED_SQL = f"""
SELECT (
    SELECT datdba = '{OWNER_ROLE}'::regrole FROM pg_database
    WHERE datname = current_database()
) AND NOT EXISTS (
    SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    AND (
        c.relowner <> '{OWNER_ROLE}'::regrole
        OR NOT has_table_privilege('{RUNTIME_ROLE}', c.oid, 'SELECT')
    )
)
"""

# The owner gets the database, its schema and whatever a superuser made in it (a
# cluster from before the roles); the runtime role gets rows, now and to come. The
# same statements as the README's, idempotent, run at every start.
ROLES_GRANT_SQL = f"""
DO $$
DECLARE
    item record;
BEGIN
    ALTER DATABASE "{{database}}" OWNER TO {OWNER_ROLE};
    ALTER SCHEMA public OWNER TO {OWNER_ROLE};
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
        AND c.relowner <> '{OWNER_ROLE}'::regrole
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO {OWNER_ROLE}', item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> '{OWNER_ROLE}'::regrole
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {OWNER_ROLE}', item.name);
    END LOOP;
END $$;
GRANT CONNECT ON DATABASE "{{database}}" TO {RUNTIME_ROLE};
GRANT USAGE ON SCHEMA public TO {RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {RUNTIME_ROLE};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {RUNTIME_ROLE};
ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {RUNTIME_ROLE};
ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO {RUNTIME_ROLE};
"""


def main(arguments: list[str]) -> int:
    """`python -m servicepunkter.embedded_db start|stop|status [data folder]`."""
    usage = "usage: python -m servicepunkter.embedded_db start|stop|status [var/pgdata]"
    if not arguments or arguments[0] not in ("start", "stop", "status"):
        print(usage, file=sys.stderr)
        return 2
    data_dir = _absolute(Path(arguments[1] if len(arguments) > 1 else "var/pgdata"))
    if arguments[0] == "start":
        postmaster = ensure_running(data_dir)
        print(f"The embedded PostgreSQL runs (pid {postmaster.pid}) on {data_dir}.")
    elif arguments[0] == "stop":
        stopped = stop(data_dir)
        print(
            f"The embedded PostgreSQL on {data_dir} "
            + ("stopped." if stopped else "was not running.")
        )
    else:
        postmaster = read_postmaster(data_dir) if data_dir.exists() else None
        if postmaster is None:
            print(f"The embedded PostgreSQL on {data_dir} is not running.")
            return 3
        print(f"The embedded PostgreSQL runs (pid {postmaster.pid}) on {data_dir}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
