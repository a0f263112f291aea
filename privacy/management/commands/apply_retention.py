"""python manage.py apply_retention: run by run_daily, or on its own."""

from datetime import date, datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import retention_apply


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
        for kind, count in retention_apply(now=now).items():
            self.stdout.write(f"Retention applied to {kind}: {count}")
