"""python manage.py apply_retention: run by run_daily, or on its own."""

from datetime import date, datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from privacy.retention import retention_apply


def _labels():
    """What each kind of retention did, in words, with its count."""
    return {
        "security_log": _("Removed from the security log: %(count)s"),
        "personal_history": _("Personal data blanked in old history: %(count)s"),
        "deactivated_accounts": _(
            "Accounts deactivated long ago anonymised: %(count)s"
        ),
        "pending_imports": _("Abandoned import files removed: %(count)s"),
        "failed_jobs": _("Failed background jobs removed: %(count)s"),
    }


class Command(BaseCommand):
    help = (
        "Applies the retention periods of the personal-data registry: deletes old "
        "security-log entries, blanks personal fields in old history, anonymises "
        "accounts deactivated long ago and removes abandoned import files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to run as of (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, today=None, **options):
        now = timezone.now()
        if today is not None and today != timezone.localdate():
            now = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        done = retention_apply(now=now)
        # Whoever reads the output reads the project's language, as send_reminders.
        with translation.override(settings.LANGUAGE_CODE):
            labels = _labels()
            for kind, count in done.items():
                self.stdout.write(labels[kind] % {"count": count})
