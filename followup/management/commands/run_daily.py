"""The one command for cron: python manage.py run_daily, once a day."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.utils import timezone

from agreements.services import payouts_plan_ahead
from followup.services import followups_create_due


class Command(BaseCommand):
    help = (
        "Creates the follow-ups that have come due, plans the payouts of the "
        "agreements' new periods, then sends the reminders."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        created = followups_create_due(today=today)
        payouts_plan_ahead(today=today)
        self.stdout.write(f"Follow-ups created: {created}")
        self.send_reminders(today)

    def send_reminders(self, today):
        """The reminders app's `send_reminders`, as of the same day; called by name
        because followup must not import the later reminders app."""
        if "send_reminders" in get_commands():
            call_command(
                "send_reminders", today=today, stdout=self.stdout, stderr=self.stderr
            )
