import datetime

import pytest

from followup.models import OwnerReport
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory
from programme.models import ProgrammeGoals
from reports.selectors import (
    municipality_kpis,
    outlet_kpis,
    service_points,
    visitors_change,
)
from reports.tests.conftest import report

pytestmark = pytest.mark.django_db


def test_visitors_change_is_in_percent_with_one_decimal():
    assert visitors_change(120, 130) == 8.3
    assert visitors_change(100, 95) == -5.0
    assert visitors_change(None, 95) is None
    assert visitors_change(0, 95) is None


def test_an_outlet_meets_the_years_goal_of_5_percent_with_8_3(
    year_of_records, own_outlet
):
    [kpis] = outlet_kpis(outlets=[own_outlet])

    assert [y.target_percent for y in kpis.years] == [5, 5]
    assert [(y.year, y.visitors_per_week) for y in kpis.years] == [
        (2025, 120),
        (2026, 130),
    ]
    assert [(y.change_percent, y.target_met) for y in kpis.years] == [
        (None, None),
        (8.3, True),
    ]
    assert kpis.years[1].report.parcels_handled == 900


def test_the_years_programme_goal_decides_whether_the_change_is_enough(
    year_of_records, own_outlet
):
    ProgrammeGoals.objects.filter(year=2026).update(visitors_change_percent=10)

    [kpis] = outlet_kpis(outlets=[own_outlet])

    assert (kpis.latest.change_percent, kpis.latest.target_met) == (8.3, False)


def test_a_year_without_a_visitors_goal_shows_the_change_but_judges_nothing(
    year_of_records, own_outlet
):
    ProgrammeGoals.objects.filter(year=2026).delete()

    [kpis] = outlet_kpis(outlets=[own_outlet])

    assert (kpis.latest.change_percent, kpis.latest.target_met) == (8.3, None)


def test_drafts_do_not_count_and_until_year_stops_the_series(
    year_of_records, own_outlet
):
    OwnerReport.objects.filter(followup__agreement_year=2).update(
        status=OwnerReport.Status.DRAFT
    )
    assert [y.year for y in outlet_kpis(outlets=[own_outlet])[0].years] == [2025]
    OwnerReport.objects.update(status=OwnerReport.Status.ACCEPTED)
    assert [
        y.year for y in outlet_kpis(outlets=[own_outlet], until_year=2025)[0].years
    ] == [2025]


def test_municipality_kpis_count_follow_ups_in_the_year_they_fall_due(
    year_of_records, own_outlet
):
    # The follow-up of 2025 falls due 2026-03-01 and is complete; that of 2026 falls
    # due 2027-03-01 and is overdue by 2027-06-01.
    kpis_2026 = municipality_kpis(
        municipality=own_outlet.municipality,
        year=2026,
        today=datetime.date(2027, 6, 1),
    )
    kpis_2027 = municipality_kpis(
        municipality=own_outlet.municipality,
        year=2027,
        today=datetime.date(2027, 6, 1),
    )

    assert (kpis_2026.followups_total, kpis_2026.followups_done) == (1, 1)
    assert (kpis_2026.followups_overdue, kpis_2026.followups_pending) == (0, 0)
    assert (kpis_2026.actions_open, kpis_2026.actions_total) == (1, 2)
    assert (kpis_2027.followups_total, kpis_2027.followups_done) == (1, 0)
    assert kpis_2027.followups_overdue == 1
    # The action left open in 2026 still counts in 2027; the done one does not.
    assert (kpis_2027.actions_open, kpis_2027.actions_total) == (1, 1)


def test_an_open_action_counts_in_later_years_until_done_and_is_late_after_its_date(
    year_of_records, own_outlet
):
    from followup.models import AgreedAction

    action = AgreedAction.objects.get(text="Ny skylt vid vägen")
    action.due_on = datetime.date(2027, 4, 1)
    action.save()

    def kpis(year, today):
        return municipality_kpis(
            municipality=own_outlet.municipality, year=year, today=today
        )

    before_due = kpis(2027, datetime.date(2027, 3, 1))
    after_due = kpis(2028, datetime.date(2028, 1, 10))
    action.status = AgreedAction.Status.DONE
    action.save()
    done = kpis(2028, datetime.date(2028, 1, 10))

    assert (before_due.actions_open, before_due.actions_late) == (1, 0)
    assert (after_due.actions_open, after_due.actions_late) == (1, 1)
    assert (done.actions_open, done.actions_total) == (0, 0)


def test_municipality_kpis_take_the_money_from_the_budget_summary(
    year_of_records, own_outlet
):
    # A second agreement from 1 July 2025: 184 of 365 days of 40 000 kr.
    signed_agreement(
        OutletFactory(name="Handlarn Rundvik"),
        starts_on=datetime.date(2025, 7, 1),
        requires_followup=False,
    )

    kpis = municipality_kpis(
        municipality=own_outlet.municipality, year=2025, today=datetime.date(2026, 6, 1)
    )

    assert kpis.agreements_in_force == 2
    assert kpis.committed == 40_000 + 20_164
    assert kpis.paid == 40_000
    assert kpis.target_percent == 5


def test_an_agreement_outside_the_year_is_not_in_force_in_it(own_outlet):
    signed_agreement(own_outlet, starts_on=datetime.date(2026, 1, 1))

    kpis = municipality_kpis(municipality=own_outlet.municipality, year=2025)

    assert (kpis.agreements_in_force, kpis.committed, kpis.paid) == (0, 0, 0)


def test_service_points_carry_their_terms_and_money_of_the_year(
    year_of_records, own_outlet
):
    [row] = service_points(municipality=own_outlet.municipality, year=2025)

    assert row.agreement == year_of_records
    assert row.version.annual_compensation == 40_000
    assert (row.committed, row.paid) == (40_000, 40_000)
    assert sum(item.annual_fee for item in row.version.services.all()) == 40_000


def test_a_gap_year_gives_no_change(own_outlet, official):
    from followup.models import FollowUp
    from followup.services import followups_create_for

    agreement = signed_agreement(own_outlet, requires_followup=False)
    followups_create_for(agreement=agreement, today=datetime.date(2027, 6, 1))
    years = FollowUp.objects.filter(agreement=agreement).order_by("agreement_year")
    report(years[0], 100)
    report(years[2], 200)

    [kpis] = outlet_kpis(outlets=[own_outlet])

    assert [(y.year, y.change_percent) for y in kpis.years] == [
        (2025, None),
        (2027, None),
    ]
