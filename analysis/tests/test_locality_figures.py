"""The stored analysis' figures on a locality's page (the grid of grids.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from analysis.models import AnalysisResult
from analysis.tests.grids import hand_grid
from analysis.tests.test_views import table

pytestmark = pytest.mark.django_db

ANALYSIS = reverse("analysis:analysis")


@pytest.fixture
def shops():
    return hand_grid()


def page(client, shop):
    return client.get(reverse("outlets:locality_detail", args=[shop.locality_id]))


def test_a_candidate_locality_shows_its_bands_ages_and_sole_outlet(
    client, official, shops
):
    client.force_login(official)
    client.get(ANALYSIS)  # computes and stores today's grocery analysis

    response = page(client, shops["A"])

    assert response.status_code == 200
    assert table(response, "Invånare efter avstånd till närmaste dagligvarubutik") == [
        ["0–5 km", "100"],
        ["5–10 km", "50"],
        ["10–20 km", "0"],
        ["20–30 km", "20"],
        ["30 km eller mer", "0"],
        ["Totalt", "170"],
    ]
    assert table(response, "Invånare efter åldersgrupp") == [
        ["0–19", "100"],
        ["20–64", "40"],
        ["65–79", "30"],
        ["80+", "0"],
        ["70+", "10"],
    ]
    text = " ".join(response.content.decode().split())
    assert "Kandidat till strategisk ort." in text
    assert "Handlarn A är den enda dagligvarubutiken inom 10 km för 50 invånare." in (
        text
    )


def test_a_locality_below_the_threshold_is_not_a_candidate(client, official, shops):
    client.force_login(official)
    client.get(ANALYSIS)

    response = page(client, shops["B"])

    assert table(response, "Invånare efter avstånd")[0] == ["0–5 km", "30"]
    text = " ".join(response.content.decode().split())
    assert "Inte en kandidat till strategisk ort" in text
    assert "Kandidat till strategisk ort." not in text


def test_without_a_stored_result_the_page_links_to_the_analysis_and_computes_nothing(
    client, official, shops
):
    client.force_login(official)

    response = page(client, shops["A"])

    text = " ".join(response.content.decode().split())
    assert "Ingen serviceanalys av Nordmaling" in text
    assert "har beräknats ännu." in text
    assert f'href="{ANALYSIS}"' in response.content.decode()
    assert not AnalysisResult.objects.exists()


def test_the_figures_cost_a_fixed_number_of_queries(client, official, shops):
    client.force_login(official)
    client.get(ANALYSIS)
    page(client, shops["A"])

    with CaptureQueriesContext(connection) as with_figures:
        page(client, shops["A"])
    AnalysisResult.objects.all().delete()
    with CaptureQueriesContext(connection) as without:
        page(client, shops["A"])

    # The settings, the stored result and its inputs' versions (to tell whether it
    # is stale): a fixed number of queries, whatever the result's size.
    assert len(with_figures) == len(without) + 1 <= 14
    assert sum("analysis_analysisresult" in q["sql"] for q in with_figures) == 1


def test_the_regional_viewer_sees_the_figures_with_a_link_naming_the_municipality(
    client, regional_viewer, official, shops
):
    client.force_login(official)
    client.get(ANALYSIS)
    client.force_login(regional_viewer)

    response = page(client, shops["A"])

    assert table(response, "Invånare efter avstånd")[-1] == ["Totalt", "170"]
    assert f"{ANALYSIS}?municipality=2401" in response.content.decode()


def test_staff_of_another_municipality_see_the_page_without_figures(
    client, official, umea_official, shops
):
    client.force_login(official)
    client.get(ANALYSIS)
    client.force_login(umea_official)

    response = page(client, shops["A"])

    assert response.status_code == 200
    assert "locality-analysis" not in response.content.decode()


def test_shop_owners_are_refused_the_locality_page_as_before(
    client, official, shop_owner, shops
):
    client.force_login(official)
    client.get(ANALYSIS)
    client.force_login(shop_owner)

    assert page(client, shops["A"]).status_code == 403


def test_anonymous_visitors_still_go_to_the_login_page(client, shops):
    response = page(client, shops["A"])

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_system_owner_sees_the_figures(client, official, shops):
    client.force_login(official)
    client.get(ANALYSIS)
    client.force_login(UserFactory(system_owner=True, email="s@example.org"))

    assert table(page(client, shops["A"]), "Invånare efter avstånd")[1] == [
        "5–10 km",
        "50",
    ]
