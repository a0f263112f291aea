from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from servicepunkter.demo import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = "Create the Nordmaling demo (idempotent). Runs only with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with published passwords and runs only with "
                "DEBUG on. Never run it against a production database."
            )
        demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready: Nordmalings kommun."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.role.label:<16} {demo.email}")
