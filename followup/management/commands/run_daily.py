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
        self.send_reminders()

    def send_reminders(self):
        """Hook for the reminders (issue 5, built apart): runs `send_reminders`
        once that command exists."""
        if "send_reminders" in get_commands():
            call_command("send_reminders", stdout=self.stdout, stderr=self.stderr)
