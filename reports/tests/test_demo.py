"""The demo's yearly reports and home-delivery log tell the same story."""

import pytest

from deliveries.selectors import delivery_summary
from followup.models import OwnerReport
from outlets.models import Outlet
from reports.selectors import COUNTED_REPORTS
from servicepunkter.demo import demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_owners_report_the_home_deliveries_their_log_holds():
    demo_seed()

    reports = OwnerReport.objects.filter(status__in=COUNTED_REPORTS).select_related(
        "followup__agreement__outlet"
    )
    compared = {}
    for report in reports:
        followup = report.followup
        # The demo's agreement years are calendar years.
        assert (followup.period_start.month, followup.period_start.day) == (1, 1)
        outlet = followup.agreement.outlet
        logged = delivery_summary(
            outlets=Outlet.objects.filter(pk=outlet.pk),
            year=followup.period_end.year,
        ).total.deliveries
        assert report.home_deliveries == (logged or None), (outlet, followup)
        compared[outlet.name] = logged
    assert compared["Pers Livs"] > 0
    assert compared["ICA Lundins"] > 0
    assert compared["Handlarn Nyåker"] == 0
