from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servicepunkter.backup import backup_restore


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR (written by `backup`) into the configured database "
        "and file storage, which must be empty (tables, sequences or functions; any "
        "file) unless --force is given, then verify it: every file read back through "
        "the storage against the manifest's SHA-256 and size, and every agreement "
        "document against its recorded SHA-256 and seal (verify_agreement_pdfs). "
        "Prints the counts; exits 1 if anything does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore into a database or storage that is not empty: what the "
            "backup holds replaces the objects and files of the same name "
            "(pg_restore --clean); anything else is left as it is.",
        )
        parser.add_argument(
            "--pg-bin",
            type=Path,
            help="The folder of pg_restore (default: as for backup; its major "
            "version must be at least the server's and the backup's pg_dump's).",
        )

    def handle(self, *args, **options):
        result = backup_restore(
            directory=options["directory"],
            force=options["force"],
            bin_dir=options["pg_bin"],
        )
        manifest = result.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['snapshot_at']} (app version "
            f"{manifest['app_version']}) from {options['directory']}"
        )
        self.stdout.write(f"  Agreements: {result.agreements}")
        self.stdout.write(
            f"  Files: {result.files} restored, {result.files_verified} match the "
            "manifest"
        )
        if result.document_problems:
            self.stdout.write(
                f"  Agreement documents: {result.documents}, verification failed"
            )
        else:
            self.stdout.write(
                f"  Verified documents: {result.documents_verified} of "
                f"{result.documents} agreement documents intact"
            )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(f"  problem: {problem}")
            raise CommandError(
                f"The restore did not verify: {len(result.problems)} problem(s).",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("The backup is restored and verified."))
