import pytest

from followup.models import FollowUp, OwnerReport
from servicepunkter.demo import demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_has_past_follow_ups_with_notes_and_figures_and_one_overdue():
    demo_seed()
    demo_seed()  # a second run changes nothing

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
