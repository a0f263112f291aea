"""Backups: the database as a pg_dump custom archive, the stored files read through
Django's storage API, and a manifest; and their restore into an empty database and
storage, verified afterwards.

A backup is a folder:

- `database.dump`: `pg_dump --format=custom`, taken in a snapshot exported from a
  repeatable-read transaction;
- `files/<storage>/<name>`: every stored file that a row in that snapshot references,
  found by walking every model's FileFields in the same transaction (not the disk, so
  that it works the same when the files live in object storage), and copied after
  the dump. Files written after the snapshot belong to rows the dump does not have
  and are left out; files no row references (e.g. left behind by a failed request)
  are not backed up;
- `manifest.json`, written last: every file's storage, name, SHA-256 and size, the
  dump's SHA-256, the schema version (the latest applied migration of each app),
  the snapshot's time, the app version and the counts restore checks against.
"""

import glob
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from psycopg import pq
from psycopg.conninfo import make_conninfo

from agreements.models import Agreement, AgreementVersion

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024
CONSISTENCY = (
    "The files are those referenced by rows in the dump's snapshot, copied after "
    "the dump; files the storage holds that no row references are not included."
)


class BackupError(CommandError):
    """A backup or restore that cannot go on; the message says why."""


# PostgreSQL's client programs -------------------------------------------------------


@dataclass(frozen=True)
class PostgresTool:
    path: Path
    major: int
    version: str


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def postgres_tool(
    name: str, *, at_least: int, prefer: int, bin_dir: Path | None = None
) -> PostgresTool:
    """The PostgreSQL client program `name` (pg_dump, pg_restore) of major version
    `prefer` if there is one, else the oldest newer than `at_least`: on PATH, the
    embedded database's bundled binaries, the usual server folders; or in bin_dir."""
    tried = []
    fitting = []
    for directory in [bin_dir] if bin_dir else _binary_folders(name):
        path = Path(directory) / name
        if not os.access(path, os.X_OK):
            if bin_dir:
                tried.append(f"{path} (not found)")
            continue
        tool = _tool_version(path)
        if tool is None:
            tried.append(f"{path} (no version)")
            continue
        tried.append(f"{path} ({tool.version})")
        if tool.major >= at_least:
            fitting.append(tool)
    if not fitting:
        raise BackupError(
            f"No {name} of PostgreSQL {at_least} or newer was found (the server runs "
            f"PostgreSQL {prefer}; an older {name} cannot handle it). Tried: "
            + ("; ".join(tried) or "nothing on PATH or in the usual folders")
            + f". Install the PostgreSQL {prefer} client programs (e.g. "
            f"postgresql-client-{prefer}) or name their folder with --pg-bin."
        )
    exact = [tool for tool in fitting if tool.major == prefer]
    return exact[0] if exact else min(fitting, key=lambda tool: tool.major)


def _binary_folders(name: str) -> list[Path]:
    folders = []
    on_path = shutil.which(name)
    if on_path:
        # Not resolved: Debian's /usr/bin/pg_dump is a link to a wrapper elsewhere.
        folders.append(Path(on_path).parent)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        folders.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
    for pattern in (
        "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
        "/usr/pgsql-*/bin",  # RHEL and the PGDG packages
        "/opt/homebrew/opt/postgresql@*/bin",
        "/usr/local/opt/postgresql@*/bin",
    ):
        folders.extend(Path(folder) for folder in sorted(glob.glob(pattern)))
    return list(dict.fromkeys(folders))


def _tool_version(path: Path) -> PostgresTool | None:
    try:
        output = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", output)
    if not match:
        return None
    return PostgresTool(path, int(match.group(1)), match.group(0)[13:])


def _libpq_connection() -> tuple[str, dict]:
    """The database's connection string for PostgreSQL's programs, and their
    environment (the password there, not on the command line)."""
    keywords = {default.keyword.decode() for default in pq.Conninfo.get_defaults()}
    params = {
        key: str(value)
        for key, value in connection.get_connection_params().items()
        if key in keywords and value not in (None, "")
    }
    environment = dict(os.environ)
    password = params.pop("password", None)
    if password:
        environment["PGPASSWORD"] = password
    return make_conninfo(**params), environment


def _run(arguments: list, environment: dict, what: str) -> None:
    result = subprocess.run(
        [str(argument) for argument in arguments],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed:\n{result.stderr.strip()}")


# What the database references -------------------------------------------------------


def _storage_key(model, file_field) -> str:
    """The name restore finds the field's storage by: its STORAGES alias, else the
    field itself."""
    storage = file_field.storage
    if storage is default_storage:
        return "default"
    for alias in settings.STORAGES:
        if storages[alias] is storage:
            return alias
    return f"field-{model._meta.label}.{file_field.name}"


def _storage(key: str):
    if key.startswith("field-"):
        label, _, name = key.removeprefix("field-").rpartition(".")
        return apps.get_model(label)._meta.get_field(name).storage
    if key not in settings.STORAGES:
        raise BackupError(f"The backup names a storage {key!r} this app does not have.")
    return default_storage if key == "default" else storages[key]


def stored_file_references() -> dict[tuple[str, str], list[str]]:
    """(storage key, name) of every file a row references -> the fields that do."""
    references = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            key = _storage_key(model, model_field)
            names = (
                model._base_manager.exclude(**{model_field.attname: ""})
                .exclude(**{f"{model_field.attname}__isnull": True})
                .values_list(model_field.attname, flat=True)
                .distinct()
            )
            for name in names:
                references.setdefault((key, name), []).append(
                    f"{model._meta.label}.{model_field.name}"
                )
    return references


def schema_version() -> dict[str, str]:
    """The latest applied migration of each app."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        latest = {}
        for app, name in cursor.fetchall():
            latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def app_version() -> str:
    """The checkout's commit (git describe), or "unknown" outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def _counts() -> dict[str, int]:
    return {
        "agreements": Agreement.objects.count(),
        "agreement_documents": _agreement_document_count(),
    }


def _agreement_document_count() -> int:
    versions = AgreementVersion.objects
    return (
        versions.exclude(document="").count()
        + versions.exclude(signed_document="").count()
    )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _copy_hashed(source, target) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest(), size


def _file_sha256(path: Path) -> tuple[str, int]:
    with open(path, "rb") as file:
        return _copy_hashed(file, None)


# Backup -----------------------------------------------------------------------------


@dataclass
class BackupResult:
    directory: Path
    manifest: dict
    missing: list = field(default_factory=list)


def backup_create(*, directory: Path, bin_dir: Path | None = None) -> BackupResult:
    """Write a backup of the database and its stored files into directory (new or
    empty)."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            f"{directory} is not empty: a backup goes into a new or empty folder."
        )
    major = server_major()
    pg_dump = postgres_tool("pg_dump", at_least=major, prefer=major, bin_dir=bin_dir)
    conninfo, environment = _libpq_connection()
    if connection.in_atomic_block:
        # Its snapshot must be the first thing its own transaction does.
        raise BackupError("A backup must not run inside a transaction.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    dump = directory / DUMP
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(
            "SELECT pg_export_snapshot(), now(), current_setting('server_version')"
        )
        snapshot, snapshot_at, server_version = cursor.fetchone()
        _run(
            [pg_dump.path, "--format=custom", f"--snapshot={snapshot}", "--no-password"]
            + [f"--file={dump}", f"--dbname={conninfo}"],
            environment,
            f"pg_dump ({pg_dump.path})",
        )
        # Read in the dump's snapshot: exactly the rows the dump holds.
        references = stored_file_references()
        schema = schema_version()
        counts = _counts()
    dump_sha256, dump_size = _file_sha256(dump)

    files, missing = [], []
    for (key, name), referenced_by in sorted(references.items()):
        entry = {"storage": key, "name": name, "referenced_by": referenced_by}
        if not _safe_name(name):
            missing.append({**entry, "error": "not a safe file name"})
            continue
        relative = PurePosixPath(FILES, key, name)
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _storage(key).open(name, "rb") as source, open(target, "wb") as copy:
                sha256, size = _copy_hashed(source, copy)
        except OSError as error:
            target.unlink(missing_ok=True)
            missing.append({**entry, "error": str(error)})
            continue
        files.append({**entry, "path": str(relative), "sha256": sha256, "size": size})

    manifest = {
        "format": FORMAT,
        "app_version": app_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "snapshot_at": snapshot_at.astimezone(UTC).isoformat(timespec="seconds"),
        "database": {
            "path": DUMP,
            "sha256": dump_sha256,
            "size": dump_size,
            "server_version": server_version,
            "pg_dump_version": pg_dump.version,
            "pg_dump_major": pg_dump.major,
        },
        "schema": schema,
        "counts": {**counts, "files": len(files)},
        "consistency": CONSISTENCY,
        "files": files,
        "missing": missing,
    }
    # Written last, under its final name only when complete: a folder without a
    # manifest is no backup.
    partial = directory / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    partial.rename(directory / MANIFEST)
    return BackupResult(directory, manifest, missing)


# Restore ----------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    agreements: int = 0
    files: int = 0
    files_verified: int = 0
    documents: int = 0
    documents_verified: int = 0
    document_problems: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def manifest_read(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{directory} is no complete backup: it has no {MANIFEST}."
        ) from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is of format {manifest.get('format')!r}; this app reads {FORMAT}."
        )
    return manifest


def _inside(directory: Path, relative: str) -> Path:
    path = (directory / relative).resolve()
    if not path.is_relative_to(directory.resolve()):
        raise BackupError(f"The manifest names a file outside the backup: {relative}")
    return path


def database_objects() -> list[str]:
    """Tables, sequences, views and functions outside PostgreSQL's own schemas."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
            UNION ALL
            SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1
            """
        )
        return [row[0] for row in cursor.fetchall()]


def _storage_entries(storage) -> list[str]:
    try:
        folders, files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted(folders) + sorted(files)


def restore_preconditions(manifest: dict, directory: Path, force: bool) -> bool:
    """Refuse a damaged dump, a schema newer than the code, and (unless force) a
    database or storage that is not empty; True if the database holds objects."""
    database = manifest["database"]
    dump = _inside(directory, database["path"])
    if not dump.is_file():
        raise BackupError(f"The backup's database dump {dump} is missing.")
    if _file_sha256(dump) != (database["sha256"], database["size"]):
        raise BackupError(
            f"The backup's database dump {dump} does not match the SHA-256 in the "
            "manifest: it is damaged or was changed. Nothing was restored."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app} {name}"
        for app, name in manifest["schema"].items()
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup's schema is newer than this code (migrations it does not "
            f"have: {', '.join(unknown)}). Restore it with the app version that made "
            f"it ({manifest['app_version']}). Nothing was restored."
        )
    objects = database_objects()
    name = connection.settings_dict["NAME"]
    if objects and not force:
        raise BackupError(
            f"The database {name} is not empty (it has {len(objects)} tables, "
            f"sequences or functions, e.g. {', '.join(objects[:3])}). Restore into "
            "an empty database, or give --force to replace what the backup holds."
        )
    for key in sorted({entry["storage"] for entry in manifest["files"]} | {"default"}):
        entries = _storage_entries(_storage(key))
        if entries and not force:
            raise BackupError(
                f"The file storage {key!r} is not empty (it holds "
                f"{', '.join(entries[:3])}). Restore into an empty storage (an empty "
                "MEDIA_ROOT or bucket), or give --force to overwrite the backup's "
                "files."
            )
    return bool(objects)


def backup_restore(
    *, directory: Path, force: bool = False, bin_dir: Path | None = None
) -> RestoreResult:
    """Restore the backup in directory into the configured database and storage,
    then verify every file against the manifest and every agreement document."""
    directory = Path(directory)
    manifest = manifest_read(directory)
    replace = restore_preconditions(manifest, directory, force)
    major = server_major()
    pg_restore = postgres_tool(
        "pg_restore",
        at_least=max(major, manifest["database"]["pg_dump_major"]),
        prefer=major,
        bin_dir=bin_dir,
    )
    conninfo, environment = _libpq_connection()
    connection.close()
    _run(
        [pg_restore.path, "--no-owner", "--exit-on-error", "--single-transaction"]
        + ["--no-password", f"--dbname={conninfo}"]
        + (["--clean", "--if-exists"] if replace else [])
        + [_inside(directory, manifest["database"]["path"])],
        environment,
        f"pg_restore ({pg_restore.path})",
    )

    result = RestoreResult(manifest)
    for entry in manifest["files"]:
        storage, name = _storage(entry["storage"]), entry["name"]
        source = _inside(directory, entry["path"])
        if not source.is_file():
            result.problems.append(f"{entry['path']} is missing from the backup")
            continue
        if force and storage.exists(name):
            storage.delete(name)
        with open(source, "rb") as file:
            saved = storage.save(name, File(file, name=name))
        if saved != name:
            result.problems.append(f"{name} was stored as {saved}")
        result.files += 1
    for entry in manifest["missing"]:
        result.problems.append(
            f"{entry['name']} ({', '.join(entry['referenced_by'])}) could not be "
            f"read when the backup was taken: {entry['error']}"
        )

    # The manifest: every file read back through its storage.
    for entry in manifest["files"]:
        try:
            with _storage(entry["storage"]).open(entry["name"], "rb") as file:
                sha256, size = _copy_hashed(file, None)
        except OSError as error:
            result.problems.append(f"{entry['name']} cannot be read: {error}")
            continue
        if (sha256, size) != (entry["sha256"], entry["size"]):
            result.problems.append(
                f"{entry['name']} does not match the manifest (SHA-256 {sha256}, "
                f"{size} bytes; the manifest says {entry['sha256']}, "
                f"{entry['size']} bytes)"
            )
        else:
            result.files_verified += 1

    # Every agreement document: its recorded SHA-256 and its seal.
    result.agreements = Agreement.objects.count()
    result.documents = _agreement_document_count()
    output = io.StringIO()
    try:
        call_command("verify_agreement_pdfs", stdout=output)
    except CommandError as error:
        # One line per problem, then its summary (the error's message).
        lines = [line for line in output.getvalue().splitlines() if line]
        result.document_problems = lines or [str(error)]
        result.problems.extend(result.document_problems)
        result.problems.append(str(error))
    else:
        result.documents_verified = result.documents
    expected = manifest["counts"]
    for label, count in (
        ("agreements", result.agreements),
        ("agreement_documents", result.documents),
    ):
        if count != expected.get(label):
            result.problems.append(
                f"{count} {label.replace('_', ' ')} restored; the backup had "
                f"{expected.get(label)}"
            )
    return result
