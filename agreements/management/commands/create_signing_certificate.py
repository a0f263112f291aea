from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agreements.documents import (
    DEFAULT_CERTIFICATE_PATH,
    signing_certificate_create,
    signing_certificate_path,
)


class Command(BaseCommand):
    help = (
        "Make a self-signed certificate and key (PKCS#12) that seals signed "
        "agreement PDFs. Set SIGNING_CERTIFICATE_PATH and "
        "SIGNING_CERTIFICATE_PASSPHRASE to use it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            help="The PKCS#12 file to write (default: SIGNING_CERTIFICATE_PATH, or "
            f"{DEFAULT_CERTIFICATE_PATH}).",
        )
        parser.add_argument(
            "--passphrase",
            help="The file's passphrase (default: SIGNING_CERTIFICATE_PASSPHRASE).",
        )
        parser.add_argument(
            "--common-name",
            default="Servicepunkter",
            help="The certificate's subject (default: Servicepunkter).",
        )
        parser.add_argument("--organisation", default="", help="E.g. the region.")
        parser.add_argument(
            "--days", type=int, default=3650, help="Validity (default: 3650 days)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace an existing file."
        )

    def handle(
        self, *args, path, passphrase, common_name, organisation, days, force, **options
    ):
        path = path or signing_certificate_path()
        if path is None:
            path = Path(settings.BASE_DIR) / DEFAULT_CERTIFICATE_PATH
        if passphrase is None:
            passphrase = settings.SIGNING_CERTIFICATE_PASSPHRASE
        if path.exists() and not force:
            raise CommandError(
                _("%(path)s already exists; give --force to replace it.")
                % {"path": path}
            )
        if days < 1:
            raise CommandError(_("The certificate must be valid for at least a day."))
        certificate = signing_certificate_create(
            path=path,
            passphrase=passphrase,
            common_name=common_name,
            organisation=organisation,
            days=days,
        )
        self.stdout.write(
            _(
                "Wrote a self-signed certificate for “%(name)s”, valid to %(end)s, "
                "to %(path)s."
            )
            % {
                "name": common_name,
                "end": certificate.not_valid_after_utc.date().isoformat(),
                "path": path,
            }
        )
