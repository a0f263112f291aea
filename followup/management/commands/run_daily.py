"""The one command for cron: python manage.py run_daily, once a day."""

import logging
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.services import agreement_documents_check_share, payouts_plan_ahead
from followup.services import followups_create_due

logger = logging.getLogger(__name__)

# The PostgreSQL advisory lock that one run holds while it works ("SPdaily").
RUN_DAILY_LOCK = 0x53_50_64_61_69_6C_79


@contextmanager
def advisory_lock(key):
    """Hold a session-level advisory lock while the block runs; yields False, at
    once, when another session holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


class Command(BaseCommand):
    help = (
        "Creates the follow-ups that have come due, plans the payouts of the "
        "agreements' new periods, checks the day's share of the stored agreement "
        "documents, then sends the reminders and applies the retention periods. A "
        "run started while another is under way skips: the one under way does the "
        "day's work."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to run as of (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, today=None, **options):
        # Its output is read by whoever runs it, in the project's language; the log
        # stays in English.
        with (
            translation.override(settings.LANGUAGE_CODE),
            advisory_lock(RUN_DAILY_LOCK) as acquired,
        ):
            if not acquired:
                logger.warning("run_daily skipped: another run is under way.")
                self.stdout.write(_("Skipped: another run_daily is under way."))
                return
            self.run(today or timezone.localdate())

    def run(self, today):
        created = followups_create_due(today=today)
        payouts_plan_ahead(today=today)
        self.stdout.write(_("Follow-ups created: %(count)s") % {"count": created})
        # Every stored document once a month; a mismatch is mailed to the system
        # owners as a refused download is.
        failed = agreement_documents_check_share(today=today)
        self.stdout.write(
            _("Stored documents failing their check: %(count)s") % {"count": failed}
        )
        self.send_reminders(today)
        self.apply_retention(today)

    def apply_retention(self, today):
        """The privacy app's `apply_retention`, by name as `send_reminders`:
        followup must not import privacy, which reads every app."""
        if "apply_retention" in get_commands():
            call_command(
                "apply_retention", today=today, stdout=self.stdout, stderr=self.stderr
            )

    def send_reminders(self, today):
        """The reminders app's `send_reminders`, as of the same day; called by name
        because followup must not import the later reminders app."""
        if "send_reminders" in get_commands():
            call_command(
                "send_reminders", today=today, stdout=self.stdout, stderr=self.stderr
            )
