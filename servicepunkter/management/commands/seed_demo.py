"""The demo: Nordmaling municipality and the five service points of its 2010 project,
composed from each app's demo data (outlets/demo.py, accounts/demo.py, …)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_USERS, seed_users
from accounts.models import Role
from agreements.demo import payouts_settle, seed_agreements
from analysis.demo import seed_population
from deliveries.demo import seed_deliveries
from followup.demo import seed_activities_and_trainings, seed_followups
from outlets.demo import seed_outlets
from outlets.models import Municipality
from programme.demo import seed_programme
from statements.demo import seed_statement_settings
from surveys.demo import seed_survey_answers


@transaction.atomic
def demo_seed() -> None:
    """Create or refresh the demo; running it again changes nothing."""
    nordmaling = Municipality.objects.get(code="2401")
    outlets = seed_outlets(nordmaling)
    users = seed_users(nordmaling, outlets)
    official = users[Role.OFFICIAL]
    # Deliveries first: the owners' yearly reports state what the log holds.
    seed_deliveries(outlets, users)
    for signed in seed_agreements(nordmaling, outlets, users):
        # Past years followed up, except one overdue; payouts paid where they may be.
        seed_followups(
            signed.agreement,
            official,
            signed.owner,
            leave_overdue=signed.agreement.outlet == outlets["ICA Lundins"],
        )
        payouts_settle(signed.agreement, by=official)
    seed_activities_and_trainings(nordmaling, outlets, users)
    seed_programme(nordmaling, outlets, users)
    seed_survey_answers(nordmaling)
    seed_population(nordmaling)
    seed_statement_settings(nordmaling)


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
        self.stdout.write(
            "The system owner and the administrator also give a code from an "
            f"authenticator app with the key {DEMO_TOTP_KEY}; "
            "`python manage.py demo_code` shows the current one."
        )
