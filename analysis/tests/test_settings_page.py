"""The analysis settings page: its administrators keep the municipality's settings."""

import pytest
from django.urls import reverse

from analysis.models import AnalysisResult, AnalysisSettings
from analysis.tests.grids import hand_grid
from analysis.tests.test_views import message_texts, table
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db

SETTINGS = reverse("analysis:settings")
ANALYSIS = reverse("analysis:analysis")


def test_the_administrator_sees_the_settings_tab_and_the_defaults(
    client, administrator
):
    client.force_login(administrator)

    response = client.get(SETTINGS)

    assert response.status_code == 200
    text = response.content.decode()
    assert 'aria-current="page">Serviceanalys</a>' in text
    assert "Programinställningar" in text
    assert 'value="1,3"' in text
    assert 'value="200"' in text
    assert "Omvägsfaktor" in text


def test_the_administrator_saves_the_settings(client, administrator):
    client.force_login(administrator)

    response = client.post(
        SETTINGS,
        {
            "detour_factor": "1,5",
            "distance_bands_km": " 3, 6 ,12",
            "strategic_threshold": "150",
        },
    )

    assert response.status_code == 302
    stored = AnalysisSettings.objects.get(municipality=administrator.municipality)
    assert (stored.detour_factor, stored.distance_bands_km) == (1.5, [3, 6, 12])
    assert stored.strategic_threshold == 150
    assert "Inställningarna är sparade." in message_texts(client.get(response.url))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("detour_factor", "0,9", "större än eller lika med 1"),
        ("detour_factor", "6", "mindre än eller lika med 5"),
        ("detour_factor", "abc", "Fyll i ett tal"),
        ("distance_bands_km", "10,5", "stigande hela kilometer"),
        ("distance_bands_km", "5,5", "stigande hela kilometer"),
        ("distance_bands_km", "2.5,10", "stigande hela kilometer"),
        ("distance_bands_km", ",".join(map(str, range(1, 13))), "högst 10"),
        ("strategic_threshold", "0", "större än eller lika med 1"),
        ("strategic_threshold", "", "Detta fält måste fyllas i"),
    ],
)
def test_bad_input_gets_a_swedish_message_and_changes_nothing(
    client, administrator, field, value, message
):
    client.force_login(administrator)
    data = {"detour_factor": "1,3", "distance_bands_km": "", "strategic_threshold": 200}

    response = client.post(SETTINGS, data | {field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AnalysisSettings.objects.exists()


@pytest.mark.parametrize(
    "role", ["official", "shop_owner", "regional_viewer", "system_owner"]
)
def test_everyone_but_administrators_finds_nothing(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, {"strategic_threshold": 1}).status_code == 404
    assert not AnalysisSettings.objects.exists()


def test_an_administrator_changes_only_their_own_municipality(
    client, administrator, umea_official
):
    umea = umea_official.municipality
    AnalysisSettings.objects.create(municipality=umea, detour_factor=2.0)
    client.force_login(administrator)

    client.post(
        SETTINGS,
        {"detour_factor": "1,1", "distance_bands_km": "", "strategic_threshold": 9},
    )

    assert AnalysisSettings.objects.get(municipality=umea).detour_factor == 2.0
    assert (
        AnalysisSettings.objects.get(
            municipality=administrator.municipality
        ).detour_factor
    ) == 1.1


def test_the_saved_bands_and_detour_factor_change_the_analysis(client, administrator):
    hand_grid()  # in Nordmaling, detour factor 1.0
    assert administrator.municipality == municipality("2401")
    client.force_login(administrator)
    before = table(client.get(ANALYSIS), "Invånare efter avstånd")
    assert before[0][:2] == ["0–5 km", "130"]
    stored = AnalysisResult.objects.count()

    client.post(
        SETTINGS,
        {
            "detour_factor": "2",
            "distance_bands_km": "10,20",
            "strategic_threshold": "40",
        },
    )
    after = table(client.get(ANALYSIS), "Invånare efter avstånd")

    # Doubled: S1 6 km, S2 14 km, S3 8 km, S4 50 km from the nearest shop.
    assert [row[:2] for row in after] == [
        ["0–10 km", "130"],
        ["10–20 km", "50"],
        ["20 km eller mer", "20"],
        ["Totalt", "200"],
    ]
    # A new result under a new fingerprint; the old one is pruned as stale.
    assert AnalysisResult.objects.count() == stored
    assert AnalysisResult.objects.get().bands_km == [10.0, 20.0]


def test_a_changed_detour_factor_alone_misses_the_cache(client, administrator):
    hand_grid()
    client.force_login(administrator)
    client.get(ANALYSIS)
    first = AnalysisResult.objects.get()

    client.post(
        SETTINGS,
        {"detour_factor": "1,2", "distance_bands_km": "", "strategic_threshold": "40"},
    )
    response = client.get(ANALYSIS)

    second = AnalysisResult.objects.get()
    assert second.fingerprint != first.fingerprint
    assert second.result["detour_factor"] == 1.2
    assert "1,20" in response.content.decode()
