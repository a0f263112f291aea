"""Backup and restore round trip on real PostgreSQL: the demo (signed, sealed
agreement PDFs among its files) backed up from the test database, restored by
`manage.py restore` processes into fresh databases on the same server and empty
media folders."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from agreements.models import Agreement, AgreementVersion
from servicepunkter.backup import BackupError, postgres_tool

pytestmark = pytest.mark.processes

REPOSITORY = Path(__file__).resolve().parents[2]


def server_parameters(dbname: str) -> dict:
    settings = connection.settings_dict
    return {
        "dbname": dbname,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or settings["OPTIONS"].get("host"),
        "port": settings["PORT"] or settings["OPTIONS"].get("port"),
    }


@pytest.fixture
def new_database():
    """Make empty databases next to the test database; drop them afterwards."""
    made = []

    def make() -> str:
        name = f"{connection.settings_dict['NAME']}_restore_{len(made)}"
        with psycopg.connect(**server_parameters("postgres"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    yield make
    with psycopg.connect(**server_parameters("postgres"), autocommit=True) as c:
        for name in made:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(
    directory: Path,
    database: str,
    media_root: Path,
    *options: str,
    environment: dict | None = None,
):
    """`manage.py restore` in a process of its own, on database and media_root
    (or the storage `environment` names)."""
    parameters = server_parameters(database)
    query = {"host": parameters["host"], "port": parameters["port"]}
    url = (
        f"postgres://{quote(parameters['user'])}:"
        f"{quote(parameters['password'] or '')}@/{database}?"
        + urlencode({key: value for key, value in query.items() if value})
    )
    process_environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_NAME", "PYTEST_XDIST_WORKER"}
    }
    process_environment.update(
        DATABASE_URL=url, MEDIA_ROOT=str(media_root), DEBUG="true", **environment or {}
    )
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(directory), *options],
        cwd=REPOSITORY,
        env=process_environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def table_contents(dbname: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows, in any order."""
    with psycopg.connect(**server_parameters(dbname)) as c:
        tables = c.execute(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        return {
            table: c.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' "
                f"ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
            for (table,) in tables
        }


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def backup(demo, tmp_path):
    """A backup of the demo, taken by the command against the test database."""
    directory = tmp_path / "backup"
    call_command("backup", str(directory), stdout=io.StringIO())
    return directory


def test_a_backup_restores_into_an_empty_database_with_every_document_verified(
    backup, new_database, tmp_path, settings
):
    agreements = Agreement.objects.count()
    versions = AgreementVersion.objects
    documents = (
        versions.exclude(document="").count()
        + versions.exclude(signed_document="").count()
    )
    sealed = versions.exclude(signed_document="").filter(is_sealed=True).count()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert agreements >= 4 and sealed >= 3  # the demo has signed, sealed agreements
    assert manifest["counts"]["files"] == len(manifest["files"]) >= documents
    assert manifest["schema"]["agreements"].startswith("00")

    database, media = new_database(), tmp_path / "restored-media"
    restored = restore(backup, database, media)

    assert restored.returncode == 0, restored.stderr
    assert f"Agreements: {agreements}\n" in restored.stdout
    files = len(manifest["files"])
    assert f"Files: {files} restored, {files} match the manifest" in restored.stdout
    assert (
        f"Verified documents: {documents} of {documents} agreement documents intact"
        in restored.stdout
    )
    assert table_contents(database) == table_contents(connection.settings_dict["NAME"])
    for entry in manifest["files"]:
        original = Path(settings.MEDIA_ROOT) / entry["name"]
        assert (media / entry["name"]).read_bytes() == original.read_bytes()


def test_a_restore_into_a_database_or_storage_that_is_not_empty_is_refused(
    backup, new_database, tmp_path
):
    database, media = new_database(), tmp_path / "restored-media"
    with psycopg.connect(**server_parameters(database)) as c:
        c.execute("CREATE TABLE leftover (id integer)")

    refused = restore(backup, database, media)

    assert refused.returncode == 1
    assert (
        f"The database {database} is not empty (it has 1 tables, sequences or "
        "functions, e.g. public.leftover). Restore into an empty database, or give "
        "--force" in refused.stderr
    )
    assert list(table_contents(database)) == ["leftover"]
    assert not media.exists()

    forced = restore(backup, database, media, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "The backup is restored and verified." in forced.stdout
    assert {"leftover", "agreements_agreement"} <= set(table_contents(database))

    # A storage that is not empty is refused too, before the database is touched.
    empty = new_database()
    refused = restore(backup, empty, media)
    assert refused.returncode == 1
    assert "The file storage 'default' is not empty (it holds agreements" in (
        refused.stderr
    )
    assert table_contents(empty) == {}


def test_a_tampered_file_in_the_backup_fails_the_restore_verification(
    backup, new_database, tmp_path
):
    manifest = json.loads((backup / "manifest.json").read_text())
    signed = next(
        entry
        for entry in manifest["files"]
        if "agreements.AgreementVersion.signed_document" in entry["referenced_by"]
    )
    flip_a_byte(backup / signed["path"])

    restored = restore(backup, new_database(), tmp_path / "restored-media")

    assert restored.returncode == 1
    assert f"{signed['name']} does not match the manifest" in restored.stderr
    # verify_agreement_pdfs names the agreement version whose document differs.
    version = AgreementVersion.objects.get(signed_document=signed["name"])
    assert f"{version.agreement.reference} v{version.number}: " in restored.stderr
    assert "Agreement documents: " in restored.stdout
    assert "verification failed" in restored.stdout
    assert "The restore did not verify" in restored.stderr


def test_a_damaged_database_dump_is_refused_before_anything_is_restored(
    backup, new_database, tmp_path
):
    flip_a_byte(backup / "database.dump")
    database = new_database()

    refused = restore(backup, database, tmp_path / "restored-media")

    assert refused.returncode == 1
    assert "does not match the SHA-256 in the manifest" in refused.stderr
    assert table_contents(database) == {}


def test_no_pg_dump_older_than_the_server_is_used_and_the_error_says_what_to_do():
    with pytest.raises(BackupError) as error:
        postgres_tool("pg_dump", at_least=99, prefer=99)
    assert "No pg_dump of PostgreSQL 99 or newer was found" in str(error.value)
    assert "postgresql-client-99" in str(error.value)
    assert "--pg-bin" in str(error.value)


def test_a_backup_goes_into_a_new_or_empty_folder(backup):
    before = (backup / "manifest.json").read_bytes()
    with pytest.raises(BackupError, match="is not empty: a backup goes into a new"):
        call_command("backup", str(backup))
    assert (backup / "manifest.json").read_bytes() == before
