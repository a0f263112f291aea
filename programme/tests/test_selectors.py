"""The programme's goals against the year's figures (`goal_results`, which the
county page calls too) and the investments summed by year and source."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from followup.models import Activity, OwnerReport, Training
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory
from programme.models import Investment
from programme.selectors import goal_results, investments_by_year
from programme.tests.factories import InvestmentFactory, ProgrammeGoalsFactory

pytestmark = pytest.mark.django_db

AFTER_THE_YEAR = datetime.date(2027, 3, 1)
DURING_THE_YEAR = datetime.date(2026, 6, 1)


def report(followup, visitors):
    return OwnerReport.objects.create(
        followup=followup,
        status=OwnerReport.Status.ACCEPTED,
        submitted_at=timezone.now(),
        visitors_per_week=visitors,
        visitors_counting=OwnerReport.Counting.COUNTED,
    )


def results(municipality, *, year=2026, today=AFTER_THE_YEAR):
    return [
        (r.key, r.target, r.outcome, r.met)
        for r in goal_results(municipality=municipality, year=year, today=today)
    ]


@pytest.mark.smoke
def test_each_goal_of_the_year_shows_its_outcome_and_whether_it_was_met(
    own_outlet, nordmaling
):
    # Two service points under agreement in 2026; Pers Livs 120 -> 130 visitors.
    agreement = signed_agreement(own_outlet, requires_followup=False)
    signed_agreement(OutletFactory(name="Handlarn Nyåker"), requires_followup=False)
    followups_create_for(agreement=agreement, today=datetime.date(2026, 6, 1))
    first, second = agreement.followups.order_by("agreement_year")
    report(first, 120)
    report(second, 130)
    training = Training.objects.create(
        municipality=nordmaling,
        held_on=datetime.date(2026, 4, 2),
        topic=Training.Topic.HOSPITALITY,
        organiser="Region Västerbotten",
        participant_count=6,
    )
    training.outlets.add(own_outlet)
    Activity.objects.create(
        outlet=own_outlet, held_on=datetime.date(2026, 5, 1), title="Kaffemorgon"
    )
    ProgrammeGoalsFactory(
        municipality=nordmaling,
        year=2026,
        service_points=4,
        visitors_change_percent=5,
        staff_trained=5,
        activities_held=2,
        own_goal="Alla servicepunkter kan vara trygghetspunkter",
        own_goal_outcome="Tre av fem har reservkraft",
        own_goal_met=False,
    )

    assert results(nordmaling) == [
        ("service_points", 4, 2, False),
        ("visitors_change_percent", 5, 8.3, True),
        ("staff_trained", 5, 6, True),
        ("activities_held", 2, 1, False),
        (
            "own_goal",
            "Alla servicepunkter kan vara trygghetspunkter",
            "Tre av fem har reservkraft",
            False,
        ),
    ]
    [first_result, *_rest] = goal_results(
        municipality=nordmaling, year=2026, today=AFTER_THE_YEAR
    )
    assert first_result.label == "Servicepunkter med avtal i kraft"


def test_a_count_short_of_its_goal_is_not_yet_measurable_while_the_year_runs(
    own_outlet, nordmaling
):
    signed_agreement(own_outlet, requires_followup=False)
    ProgrammeGoalsFactory(
        municipality=nordmaling, year=2026, service_points=4, visitors_change_percent=5
    )

    assert results(nordmaling, today=DURING_THE_YEAR) == [
        ("service_points", 4, 1, None),
        # No reports of 2025 and 2026 to compare: nothing to judge yet.
        ("visitors_change_percent", 5, None, None),
    ]
    assert results(nordmaling, year=2026, today=datetime.date(2025, 12, 1))[0] == (
        "service_points",
        4,
        None,
        None,
    )


def test_goals_left_empty_are_not_shown_and_a_year_without_goals_has_none(
    nordmaling,
):
    ProgrammeGoalsFactory(municipality=nordmaling, year=2026, staff_trained=3)

    assert results(nordmaling) == [("staff_trained", 3, 0, False)]
    assert results(nordmaling, year=2025) == []


def test_one_goal_set_per_municipality_and_year(nordmaling):
    ProgrammeGoalsFactory(municipality=nordmaling, year=2026)

    with pytest.raises(IntegrityError):
        ProgrammeGoalsFactory(municipality=nordmaling, year=2026)


def test_the_sources_of_an_investment_must_add_up_to_its_cost(own_outlet):
    with pytest.raises(IntegrityError):
        InvestmentFactory(outlet=own_outlet, cost=100_000)


def test_investments_are_summed_per_year_and_source(own_outlet):
    InvestmentFactory(outlet=own_outlet)
    InvestmentFactory(
        outlet=own_outlet,
        made_on=datetime.date(2026, 9, 1),
        cost=25_000,
        regional_grant=0,
        municipal_funding=0,
        own_funding=5_000,
        other_aid=20_000,
        other_aid_from="Leader",
    )
    InvestmentFactory(outlet=own_outlet, made_on=datetime.date(2025, 5, 1))

    by_year = investments_by_year(investments=Investment.objects.all())

    assert by_year == [
        {
            "year": 2026,
            "cost": 145_000,
            "regional_grant": 60_000,
            "municipal_funding": 30_000,
            "own_funding": 35_000,
            "other_aid": 20_000,
        },
        {
            "year": 2025,
            "cost": 120_000,
            "regional_grant": 60_000,
            "municipal_funding": 30_000,
            "own_funding": 30_000,
            "other_aid": 0,
        },
    ]


def test_every_change_of_goals_and_investments_is_kept_in_their_history(
    own_outlet, nordmaling
):
    from django.apps import apps

    goals = ProgrammeGoalsFactory(municipality=nordmaling, service_points=3)
    goals.service_points = 4
    goals.save()
    investment = InvestmentFactory(outlet=own_outlet)
    Investment.objects.filter(pk=investment.pk).update(decision_reference="KS 2026/42")

    goals_history = apps.get_model("programme", "ProgrammeGoalsEvent").objects
    investment_history = apps.get_model("programme", "InvestmentEvent").objects
    assert list(
        goals_history.order_by("pgh_id").values_list("service_points", flat=True)
    ) == [3, 4]
    assert list(
        investment_history.order_by("pgh_id").values_list(
            "decision_reference", flat=True
        )
    ) == ["KS 2026/41", "KS 2026/42"]
