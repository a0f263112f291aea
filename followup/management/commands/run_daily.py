"""The daily work for cron: python manage.py run_daily (README: Daily run)."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from followup.daily import daily_run
from followup.models import DailyRun


class Command(BaseCommand):
    help = (
        "Creates the follow-ups that have come due, plans the payouts of the "
        "agreements' new periods, checks the day's share of the stored agreement "
        "documents, then sends the reminders and applies the retention periods. "
        "Each day's work is done once, whether by this command or by the "
        "background job followup.run_daily: a run of a day that is done, or under "
        "way elsewhere, skips; a failed day runs again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to run as of (YYYY-MM-DD); today by default.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run the day again even if its work is done (each part of the "
            "work is safe to repeat).",
        )

    def handle(self, *args, today=None, force=False, **options):
        daily_run(
            day=today or timezone.localdate(),
            trigger=DailyRun.Trigger.COMMAND,
            force=force,
            stdout=self.stdout,
            stderr=self.stderr,
        )
