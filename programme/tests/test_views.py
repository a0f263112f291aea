"""Administrators set the year's goals; officials and administrators record a
service point's investments; the owner and the county read them; the key figures
show both."""

import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from outlets.tests.factories import OutletFactory, municipality
from programme.models import Investment, ProgrammeGoals
from programme.tests.factories import (
    InvestmentFactory,
    ProgrammeGoalsFactory,
    in_programme,
)

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def goals_data(**changes):
    return {
        "service_points": "4",
        "visitors_change_percent": "5",
        "staff_trained": "",
        "activities_held": "",
        "own_goal": "",
        "own_goal_outcome": "",
        "own_goal_met": "unknown",
    } | changes


def investment_data(**changes):
    return {
        "description": "Uttagsautomat",
        "made_on": "2026-03-15",
        "decision_reference": "KS 2026/41",
        "cost": "120 000 kr",
        "regional_grant": "60 000",
        "municipal_funding": "30 000",
        "own_funding": "30 000",
        "other_aid": "",
        "other_aid_from": "",
        "note": "",
    } | changes


@pytest.mark.smoke
def test_the_administrator_sets_the_years_goals_and_sees_them_on_the_goals_page(
    client, administrator, nordmaling
):
    client.force_login(administrator)

    response = client.post(
        reverse("programme:goals_edit", args=[2026]),
        goals_data(
            own_goal="Alla servicepunkter kan vara trygghetspunkter",
            own_goal_outcome="Tre av fem",
            own_goal_met="false",
        ),
    )

    assert response.status_code == 302
    goals = ProgrammeGoals.objects.get(municipality=nordmaling, year=2026)
    assert (goals.service_points, goals.visitors_change_percent) == (4, 5)
    assert (goals.staff_trained, goals.own_goal_met) == (None, False)
    page = text(client.get(reverse("programme:goals")))
    assert "minst 4" in page
    assert "Ej uppnått" in page
    assert "Tre av fem" in page


def test_changing_a_years_goals_changes_the_one_set_of_that_year(
    client, administrator, nordmaling
):
    ProgrammeGoalsFactory(municipality=nordmaling, year=2026, service_points=3)
    client.force_login(administrator)

    page = text(client.get(reverse("programme:goals_edit", args=[2026])))
    client.post(reverse("programme:goals_edit", args=[2026]), goals_data())

    assert 'value="3"' in page
    assert ProgrammeGoals.objects.get().service_points == 4


@pytest.mark.parametrize(
    "data,message",
    [
        (
            goals_data(service_points="", visitors_change_percent=""),
            "Sätt minst ett mål för året.",
        ),
        (goals_data(visitors_change_percent="fem"), "Skriv ett helt antal procent"),
        (
            goals_data(visitors_change_percent="5000"),
            "Ange en förändring från −100 till 1000 procent.",
        ),
        (
            goals_data(own_goal_met="true"),
            "Skriv ert eget mål innan dess utfall och om det uppnåddes.",
        ),
    ],
)
def test_bad_goals_are_refused_with_a_message_and_nothing_is_stored(
    client, administrator, data, message
):
    client.force_login(administrator)

    response = client.post(reverse("programme:goals_edit", args=[2026]), data)

    assert response.status_code == 400
    assert message in text(response)
    assert not ProgrammeGoals.objects.exists()


def test_officials_and_other_municipalities_cannot_set_goals(
    client, official, nordmaling
):
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    ProgrammeGoalsFactory(municipality=nordmaling, year=2026, service_points=4)

    client.force_login(official)
    assert client.get(reverse("programme:goals")).status_code == 404
    client.force_login(umea_admin)
    client.post(reverse("programme:goals_edit", args=[2026]), goals_data())

    # Umeå's administrator sets Umeå's goals, never Nordmaling's.
    assert ProgrammeGoals.objects.get(municipality=nordmaling).service_points == 4
    assert ProgrammeGoals.objects.filter(municipality__code="2480").count() == 1


@pytest.mark.smoke
def test_an_official_records_an_investment_split_across_sources(
    client, official, own_outlet
):
    in_programme(own_outlet)
    client.force_login(official)

    response = client.post(
        reverse("programme:investment_create", args=[own_outlet.pk]),
        investment_data(),
    )

    assert response.status_code == 302
    investment = Investment.objects.get()
    assert (investment.outlet, investment.cost) == (own_outlet, 120_000)
    assert (
        investment.regional_grant,
        investment.municipal_funding,
        investment.own_funding,
        investment.other_aid,
    ) == (60_000, 30_000, 30_000, 0)
    page = text(client.get(response["Location"]))
    assert "Uttagsautomat" in page
    assert "Regionens investeringsbidrag: 60\xa0000 kr" in page
    assert "KS 2026/41" in page


@pytest.mark.parametrize(
    "changes,message",
    [
        (
            {"regional_grant": "50 000"},
            "Beloppen från varje källa blir 110 000 kr, inte kostnaden",
        ),
        ({"cost": "ca 120 000"}, "Skriv det exakta beloppet"),
        ({"cost": "0"}, "Ange 1 kr eller mer."),
        (
            {"own_funding": "20 000", "other_aid": "10 000"},
            "Ange varifrån det andra stödet kommer.",
        ),
        ({"decision_reference": ""}, "Ange beslutets diarienummer."),
    ],
)
def test_a_bad_investment_gets_a_message_and_nothing_is_stored(
    client, official, own_outlet, changes, message
):
    in_programme(own_outlet)
    client.force_login(official)

    response = client.post(
        reverse("programme:investment_create", args=[own_outlet.pk]),
        investment_data(**changes),
    )

    assert response.status_code == 400
    assert message in text(response)
    assert not Investment.objects.exists()


def test_a_forged_post_for_another_municipalitys_outlet_changes_nothing(
    client, official
):
    umea_outlet = OutletFactory(municipality=municipality("2480"))
    umea_investment = InvestmentFactory(outlet=umea_outlet)
    client.force_login(official)

    created = client.post(
        reverse("programme:investment_create", args=[umea_outlet.pk]),
        investment_data(),
    )
    changed = client.post(
        reverse("programme:investment_update", args=[umea_investment.pk]),
        investment_data(description="Ändrad"),
    )

    assert (created.status_code, changed.status_code) == (404, 404)
    assert list(Investment.objects.values_list("description", flat=True)) == [
        "Uttagsautomat"
    ]


def test_the_shop_owner_reads_their_own_outlets_investments_only(
    client, shop_owner, own_outlet
):
    InvestmentFactory(outlet=own_outlet)
    other = InvestmentFactory(outlet=OutletFactory(), description="Kylrum")
    client.force_login(shop_owner)

    own_page = client.get(reverse("programme:investment_list", args=[own_outlet.pk]))
    other_page = client.get(
        reverse("programme:investment_list", args=[other.outlet.pk])
    )

    assert "Uttagsautomat" in text(own_page)
    assert "Registrera en investering" not in text(own_page)
    assert other_page.status_code == 404


def test_the_regional_viewer_reads_the_countys_investments(client, regional_viewer):
    umea_investment = InvestmentFactory(
        outlet=OutletFactory(municipality=municipality("2480"))
    )
    stockholm = InvestmentFactory(
        outlet=OutletFactory(municipality=municipality("0188"))
    )
    client.force_login(regional_viewer)

    page = client.get(
        reverse("programme:investment_list", args=[umea_investment.outlet.pk])
    )
    elsewhere = client.get(
        reverse("programme:investment_list", args=[stockholm.outlet.pk])
    )

    assert "Uttagsautomat" in text(page)
    assert elsewhere.status_code == 404


def test_the_key_figures_show_the_goals_and_the_investments_per_year_and_source(
    client, official, own_outlet, nordmaling
):
    ProgrammeGoalsFactory(
        municipality=nordmaling, year=2026, service_points=4, staff_trained=5
    )
    InvestmentFactory(outlet=own_outlet)
    InvestmentFactory(outlet=own_outlet, made_on=datetime.date(2025, 5, 1))
    client.force_login(official)

    page = text(client.get(reverse("reports:kpis"), {"year": 2026}))

    assert "Programmets mål 2026" in page
    assert "Servicepunkter med avtal i kraft" in page
    assert "minst 4" in page
    assert "Personal utbildad" in page
    assert "Investeringar per år och källa" in page
    assert page.count("120\xa0000 kr") == 2
    assert page.count("60\xa0000 kr") == 2


def test_no_investment_is_recorded_for_an_outlet_that_never_had_an_agreement(
    client, official, own_outlet
):
    client.force_login(official)
    url = reverse("programme:investment_create", args=[own_outlet.pk])

    form = client.get(url)
    posted = client.post(url, investment_data())
    outlet_page = text(client.get(own_outlet.get_absolute_url()))

    assert (form.status_code, posted.status_code) == (404, 404)
    assert not Investment.objects.exists()
    assert "Investeringar hos" not in outlet_page
    # A draft agreement will do: the investment grant often comes first.
    in_programme(own_outlet)
    assert "Investeringar hos" in text(client.get(own_outlet.get_absolute_url()))
    assert client.post(url, investment_data()).status_code == 302
    assert Investment.objects.get().outlet == own_outlet


def test_the_key_figures_count_no_investment_at_an_outlet_without_an_agreement(
    client, official, own_outlet, nordmaling
):
    InvestmentFactory(outlet=own_outlet)
    # Recorded before the rule, at an outlet that never had an agreement.
    InvestmentFactory(
        outlet=OutletFactory(municipality=nordmaling),
        cost=999_000,
        regional_grant=999_000,
        municipal_funding=0,
        own_funding=0,
        with_agreement=False,
    )
    client.force_login(official)

    page = text(client.get(reverse("reports:kpis"), {"year": 2026}))

    assert "Investeringar per år och källa" in page
    assert "120\xa0000 kr" in page
    assert "999\xa0000" not in page
    assert "1\xa0119\xa0000" not in page
