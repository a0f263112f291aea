"""The demo's yearly reports and home-delivery log tell the same story."""

import io

import pytest
from django.core.management import call_command

from deliveries.selectors import delivery_summary
from followup.models import OwnerReport
from outlets.models import Outlet
from reports.selectors import COUNTED_REPORTS

pytestmark = pytest.mark.django_db


def demo_seed(settings):
    """The whole demo, as `make run` builds it: seed_demo runs with DEBUG on only."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_owners_report_the_home_deliveries_their_log_holds(settings):
    demo_seed(settings)

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
