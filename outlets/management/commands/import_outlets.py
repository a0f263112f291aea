import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outlets.importing import (
    ImportFileError,
    OutletImporter,
    outlet_import_store,
    read_outlet_file,
)
from outlets.models import Municipality


class Command(BaseCommand):
    help = (
        "Import outlets from a CSV or XLSX file, all rows or none. Exit status 0 when "
        "stored (or storable, with --dry-run), 1 when any row is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--municipality",
            metavar="CODE",
            help="The municipality of rows without a Kommunkod column or value.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and print what would change; store nothing.",
        )

    def handle(self, *args, file, municipality, dry_run, **options):
        chosen = None
        if municipality:
            chosen = Municipality.objects.filter(code=municipality).first()
            if chosen is None:
                raise CommandError(
                    _("“%(code)s” is not a Swedish municipality code.")
                    % {"code": municipality}
                )
        try:
            dataset = read_outlet_file(file.name, file.read_bytes())
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        except ImportFileError as error:
            raise CommandError(str(error)) from error

        with self.progress_bar(len(dataset)) as progress:
            plan = OutletImporter(dataset, municipality=chosen).plan(progress)
        counts = plan.summary()
        self.stdout.write(
            _(
                "%(rows)s rows: %(new)s new, %(changed)s changed, %(unchanged)s "
                "unchanged, %(invalid)s invalid."
            )
            % counts
        )
        if plan.ignored_columns:
            self.stdout.write(
                _("Ignored columns: %(columns)s")
                % {"columns": ", ".join(plan.ignored_columns)}
            )
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(str(error))
            self.stderr.write(
                _("Nothing was stored: fix the rows above and try again.")
            )
            sys.exit(1)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
            return
        outlet_import_store(plan, file_name=file.name)
        self.stdout.write(self.style.SUCCESS(_("Stored.")))

    def progress_bar(self, total):
        """A progress bar on a terminal for large files; silent otherwise."""
        from tqdm import tqdm

        return _Progress(
            tqdm(
                total=total,
                unit=_("rows"),
                disable=total < 5000 or not sys.stderr.isatty(),
                file=sys.stderr,
            )
        )


class _Progress:
    def __init__(self, bar):
        self.bar = bar

    def __enter__(self):
        return self.bar.update

    def __exit__(self, *exc):
        self.bar.close()
