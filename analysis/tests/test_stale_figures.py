"""A locality page whose stored figures are older than the register, the population
data or the settings they were computed from says so and offers to recompute."""

import re

import pytest
from django.urls import reverse

from analysis.models import AnalysisResult, AnalysisSettings, PopulationImport
from analysis.tests.grids import hand_grid
from analysis.tests.test_locality_figures import ANALYSIS, page
from outlets.bulk import bulk_insert
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

RECOMPUTE = reverse("analysis:recompute")
STALE = "Siffrorna bygger på registret och underlagen den"


@pytest.fixture
def shops():
    return hand_grid()


def text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def computed(client, official, shops):
    client.force_login(official)
    client.get(ANALYSIS)  # computes and stores today's grocery analysis
    return shops


def test_fresh_figures_carry_no_notice(client, computed):
    assert STALE not in text(page(client, computed["A"]))


def test_a_changed_kind_makes_the_figures_stale_and_recomputing_clears_it(
    client, computed
):
    shop = computed["B"]
    shop.kind = Outlet.Kind.FUEL
    shop.save()

    stale = page(client, computed["A"])
    recomputed = client.post(
        RECOMPUTE, {"municipality": "2401", "locality": shop.locality_id}
    )
    after = client.get(recomputed["Location"])

    assert "Registret har ändrats sedan dess" in text(stale)
    # Computed and changed the same day: the times tell which came first.
    assert re.search(
        r"den \d{4}-\d\d-\d\d kl\. \d\d:\d\d\. Registret har ändrats sedan "
        r"dess \(senast \d{4}-\d\d-\d\d kl\. \d\d:\d\d\)",
        text(stale),
    )
    assert f'action="{RECOMPUTE}"' in stale.content.decode()
    assert recomputed.status_code == 302
    assert recomputed["Location"].startswith(shop.locality.get_absolute_url())
    assert "Siffrorna är beräknade på nytt" in text(after)
    assert STALE not in text(page(client, computed["A"]))
    # Handlarn B no longer counts: Byn B's people now go to Handlarn A.
    row = AnalysisResult.objects.get().result["localities"]
    assert sum(entry["population"] for entry in row) == 200


def test_opening_hours_do_not_make_the_figures_stale(client, computed):
    Outlet.objects.filter(pk=computed["A"].pk).update(opening_hours="Alltid")

    assert STALE not in text(page(client, computed["A"]))


def test_an_imports_bulk_writes_make_the_figures_stale(client, computed):
    """Imports insert with COPY and update with bulk_update: both count."""
    bulk_insert(
        [
            OutletFactory.build(
                municipality=municipality("2401"),
                locality=None,
                name="Ny butik",
                latitude=computed["A"].latitude,
                longitude=computed["A"].longitude,
            )
        ]
    )
    inserted = text(page(client, computed["A"]))
    client.post(RECOMPUTE, {"municipality": "2401"})
    shop = Outlet.objects.get(name="Handlarn A")
    shop.latitude += 0.01
    Outlet.objects.bulk_update([shop], ["latitude"])

    assert "Registret har ändrats sedan dess" in inserted
    assert "Registret har ändrats sedan dess" in text(page(client, computed["A"]))


def test_another_municipalitys_far_outlet_does_not_make_the_figures_stale(
    client, computed
):
    OutletFactory(municipality=municipality("1280"), locality=None, name="Malmö")

    assert STALE not in text(page(client, computed["A"]))


def test_new_population_data_makes_the_figures_stale(client, computed):
    old = PopulationImport.objects.get()
    PopulationImport.objects.create(
        municipality=old.municipality,
        file_name="nya-rutor.csv",
        format=old.format,
        square_count=old.square_count,
        population=old.population,
    )

    response = page(client, computed["A"])

    assert "Ett nytt befolkningsunderlag har importerats sedan dess" in text(response)
    assert "Registret har ändrats" not in text(response)


def test_changed_settings_make_the_figures_stale_even_with_other_bands(
    client, computed
):
    AnalysisSettings.objects.filter(municipality__code="2401").update(
        distance_bands_km=[10, 20]
    )
    settings = AnalysisSettings.objects.get(municipality__code="2401")
    settings.detour_factor = 1.5
    settings.save()

    response = page(client, computed["A"])

    assert "Analysinställningarna har ändrats sedan dess" in text(response)
    assert "Registret har ändrats" not in text(response)


def test_the_regional_viewer_sees_the_notice_without_the_button(
    client, computed, regional_viewer
):
    Outlet.objects.filter(pk=computed["B"].pk).update(kind=Outlet.Kind.FUEL)
    client.force_login(regional_viewer)

    response = page(client, computed["A"])
    refused = client.post(RECOMPUTE, {"municipality": "2401"})

    assert "Registret har ändrats sedan dess" in text(response)
    assert f'action="{RECOMPUTE}"' not in response.content.decode()
    assert "Kommunens handläggare kan beräkna dem på nytt." in text(response)
    assert refused.status_code == 404


def test_recomputing_an_unknown_municipality_finds_nothing(client, official):
    client.force_login(official)

    assert client.post(RECOMPUTE, {"municipality": "9999"}).status_code == 404
    assert client.post(RECOMPUTE, {}).status_code == 404
