"""Stored analysis results stay bounded: stale ones go, and the least recently used
beyond the kept numbers."""

import pytest

from analysis.models import AnalysisResult
from analysis.services import ScenarioSpec, cache, service_analysis_run
from analysis.tests.grids import hand_grid
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    return hand_grid()


def run(shops, **kwargs):
    return service_analysis_run(municipality=shops["A"].municipality, **kwargs)


def test_every_run_is_stored_once_and_found_again(shops):
    run(shops)
    run(shops, bands=[10, 20])
    run(shops, scenario=ScenarioSpec(closed=(shops["A"].pk,)))
    run(shops)

    stored = AnalysisResult.objects.order_by("pk")
    assert [(r.is_scenario, r.bands_km) for r in stored] == [
        (False, [5.0, 10.0, 20.0, 30.0]),
        (False, [10.0, 20.0]),
        (True, [5.0, 10.0, 20.0, 30.0]),
    ]
    assert len({r.inputs for r in stored}) == 1


def test_results_of_changed_inputs_are_deleted_when_the_next_is_stored(shops):
    run(shops)
    run(shops, scenario=ScenarioSpec(closed=(shops["A"].pk,)))
    OutletFactory(
        municipality=shops["A"].municipality,
        kind="grocery",
        latitude=shops["A"].latitude,
        longitude=shops["A"].longitude + 0.1,
    )

    run(shops)

    stored = AnalysisResult.objects.get()
    assert not stored.is_scenario
    assert len(stored.result["outlets"]) == 3


def test_at_most_the_kept_number_of_scenario_results_the_oldest_deleted_first(
    shops, monkeypatch
):
    monkeypatch.setattr(cache, "KEPT_SCENARIO_RESULTS", 2)
    today = run(shops)
    for easting in (500_000, 501_000, 502_000):
        run(
            shops,
            scenario=ScenarioSpec(added=(("Ny", ("grocery",), easting, 7_010_000),)),
        )

    scenarios = AnalysisResult.objects.filter(is_scenario=True)
    assert sorted(r.result["scenario"]["added"][0][2] for r in scenarios) == [
        501_000,
        502_000,
    ]
    # Today's result is kept apart from the scenarios'.
    assert AnalysisResult.objects.get(is_scenario=False).result == today


def test_a_result_read_from_the_cache_counts_as_recently_used(shops, monkeypatch):
    monkeypatch.setattr(cache, "KEPT_RESULTS", 2)
    run(shops)
    run(shops, bands=[10])
    run(shops)  # used again: now newer than the bands 10 result

    run(shops, bands=[20])

    assert sorted(
        r.bands_km for r in AnalysisResult.objects.filter(is_scenario=False)
    ) == [[5.0, 10.0, 20.0, 30.0], [20.0]]


def test_other_municipalities_results_are_left_alone(shops, monkeypatch):
    monkeypatch.setattr(cache, "KEPT_RESULTS", 1)
    run(shops)
    other = AnalysisResult.objects.get()
    other.municipality = municipality("2480")
    other.inputs = "other"
    other.fingerprint = "f" * 64
    other.save()

    run(shops, bands=[10])
    run(shops, bands=[20])

    assert AnalysisResult.objects.filter(pk=other.pk).exists()
    assert AnalysisResult.objects.count() == 2
