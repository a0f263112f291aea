import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outlets.exporting import outlet_export
from outlets.models import Municipality, Outlet


class Command(BaseCommand):
    help = (
        "Export outlets as CSV (UTF-8 with BOM, semicolons) or XLSX, in the columns "
        "import_outlets reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="CODE")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "-o", "--output", type=Path, help="The file to write (default: stdout)."
        )

    def handle(self, *args, municipality, format, output, **options):
        outlets = Outlet.objects.all()
        if municipality:
            if not Municipality.objects.filter(code=municipality).exists():
                raise CommandError(
                    _("“%(code)s” is not a Swedish municipality code.")
                    % {"code": municipality}
                )
            outlets = outlets.filter(municipality__code=municipality)
        content = outlet_export(outlets.order_by("municipality__code", "name"), format)
        if output:
            try:
                output.write_bytes(content)
            except OSError as error:
                raise CommandError(f"{output}: {error.strerror or error}") from error
        elif format == "xlsx":
            raise CommandError(_("Give a file with -o for XLSX."))
        else:
            sys.stdout.buffer.write(content)
