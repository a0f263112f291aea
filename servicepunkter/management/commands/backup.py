from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servicepunkter.backup import CONSISTENCY, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup into DIR (new or empty): the database as a pg_dump custom "
        "archive (database.dump), the stored files read through Django's storage "
        "(files/), and manifest.json with every file's SHA-256 and size, the schema "
        "version, the time and the app version. Consistency: the dump is taken in an "
        "exported snapshot, and the files are those referenced by rows in that "
        "snapshot, copied after the dump (files no row references are not "
        "included). Exits 1 if a referenced file could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")
        parser.add_argument(
            "--pg-bin",
            type=Path,
            help="The folder of pg_dump (default: PATH, the embedded database's "
            "binaries, the usual PostgreSQL folders; its major version must be at "
            "least the server's).",
        )

    def handle(self, *args, **options):
        result = backup_create(
            directory=options["directory"], bin_dir=options["pg_bin"]
        )
        manifest = result.manifest
        counts = manifest["counts"]
        self.stdout.write(f"Backup written to {result.directory}")
        self.stdout.write(f"  Snapshot:   {manifest['snapshot_at']}")
        self.stdout.write(
            f"  Database:   {manifest['database']['size']} bytes "
            f"({manifest['database']['pg_dump_version']})"
        )
        self.stdout.write(f"  Agreements: {counts['agreements']}")
        self.stdout.write(f"  Files:      {counts['files']}")
        self.stdout.write(f"  {CONSISTENCY}")
        if result.missing:
            for entry in result.missing:
                self.stderr.write(
                    f"  missing: {entry['name']} "
                    f"({', '.join(entry['referenced_by'])}): {entry['error']}"
                )
            raise CommandError(
                f"{len(result.missing)} referenced file(s) could not be read; the "
                "backup lists them in its manifest under 'missing'.",
                returncode=1,
            )
