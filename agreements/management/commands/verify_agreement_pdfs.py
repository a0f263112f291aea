from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.documents import pdf_seal_problems, sha256_hex
from agreements.models import AgreementVersion


class Command(BaseCommand):
    help = (
        "Re-check every stored agreement PDF: its SHA-256 against the recorded one "
        "and, for sealed documents, the seal. Prints one line per problem; exits 1 "
        "if any."
    )

    def handle(self, *args, **options):
        versions = (
            AgreementVersion.objects.exclude(Q(document="") & Q(signed_document=""))
            .select_related("agreement")
            .order_by("agreement__reference", "number")
        )
        problems = 0
        files = 0
        for version in versions.iterator():
            for problem in self.version_problems(version):
                problems += 1
                self.stdout.write(
                    f"{version.agreement.reference} v{version.number}: {problem}"
                )
            files += bool(version.document) + bool(version.signed_document)
        if problems:
            raise CommandError(
                _("%(problems)s problem(s) in %(files)s stored agreement PDF(s).")
                % {"problems": problems, "files": files},
                returncode=1,
            )
        self.stdout.write(
            _("All %(files)s stored agreement PDF(s) are intact.") % {"files": files}
        )

    def version_problems(self, version):
        checks = [
            (_("document"), version.document, version.document_sha256, False),
            (
                _("signed document"),
                version.signed_document,
                version.signed_document_sha256,
                version.is_sealed,
            ),
        ]
        for label, field, recorded, sealed in checks:
            if not field:
                continue
            try:
                with field.open("rb") as file:
                    data = file.read()
            except OSError:
                yield _("%(label)s %(name)s is missing") % {
                    "label": label,
                    "name": field.name,
                }
                continue
            if not recorded:
                yield _("%(label)s has no recorded SHA-256") % {"label": label}
            elif sha256_hex(data) != recorded:
                yield _(
                    "%(label)s %(name)s does not match its SHA-256 (recorded "
                    "%(recorded)s, file %(actual)s)"
                ) % {
                    "label": label,
                    "name": field.name,
                    "recorded": recorded,
                    "actual": sha256_hex(data),
                }
            if sealed:
                for problem in pdf_seal_problems(data):
                    yield f"{label}: {problem}"
