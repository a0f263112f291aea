from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from followup.models import FollowUp
from followup.tests.factories import signed_agreement

pytestmark = pytest.mark.django_db


def test_run_daily_creates_the_due_follow_ups_and_plans_the_next_periods_payouts(
    own_outlet,
):
    # A one-year term extended year by year: payouts planned through 2025 only.
    agreement = signed_agreement(own_outlet, starts_on=date(2025, 1, 1))
    agreement.versions.update(initial_term_months=12)
    agreement.payouts.filter(period_start__gte=date(2026, 1, 1)).delete()
    out = StringIO()

    call_command("run_daily", stdout=out)
    call_command("run_daily", stdout=out)

    assert FollowUp.objects.filter(agreement=agreement).count() >= 2
    assert agreement.payouts.filter(period_start=date(2026, 1, 1)).count() == 1
    assert "Follow-ups created" in out.getvalue()
