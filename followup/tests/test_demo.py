import io

import pytest
from django.core.management import call_command

from followup.models import FollowUp, OwnerReport

pytestmark = pytest.mark.django_db


def demo_seed(settings):
    """The whole demo, as `make run` builds it: seed_demo runs with DEBUG on only."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_has_past_follow_ups_with_notes_and_figures_and_one_overdue(
    settings,
):
    demo_seed(settings)
    demo_seed(settings)  # a second run changes nothing

    followups = FollowUp.objects.filter(agreement__municipality__code="2401")
    assert followups.overdue().count() == 1
    assert followups.overdue().get().agreement.outlet.name == "ICA Lundins"
    complete = followups.complete()
    assert complete.count() >= 3
    for followup in complete:
        assert followup.report.status == OwnerReport.Status.ACCEPTED
        assert followup.report.visitors_per_week
        assert followup.report.worked_well
        assert followup.site_visit.results.count() == 9
        assert followup.meeting.actions.exists()
    # Payouts of completed years are paid; the overdue year's wait.
    overdue = followups.overdue().get()
    waiting = overdue.agreement.payouts.filter(condition_year=overdue.agreement_year)
    assert waiting.exists()
    assert all(payout.status == "planned" for payout in waiting)
