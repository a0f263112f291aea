"""Running the service analysis for a municipality: the kind, bands and scenario
asked for, the inputs gathered, the engine's report described, from the cache when
nothing changed."""

import time
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import engine
from analysis.models import AnalysisSettings, PopulationImport
from analysis.services.cache import (
    analysis_fingerprint,
    contract_order,
    inputs_fingerprint,
    result_cached,
    result_store,
    results_prune,
)
from analysis.services.errors import AnalysisError, NoPopulationError
from analysis.services.inputs import (
    distance_for,
    kind_row,
    localities_load,
    outlets_load,
    squares_load,
)
from analysis.services.staleness import (
    input_versions_kept,
    input_versions_now,
    input_versions_refresh,
)
from analysis.services.storage import road_network_current
from outlets.models import Municipality, Outlet


def parse_bands(text):
    """'5,10,20,30' → [5, 10, 20, 30]: increasing positive kilometres."""
    try:
        bands = [float(part) for part in str(text).split(",") if part.strip()]
    except ValueError:
        bands = []
    if (
        not bands
        or bands[0] <= 0
        or any(b <= a for a, b in zip(bands, bands[1:], strict=False))
        or not all(np.isfinite(bands))
    ):
        raise AnalysisError(
            _(
                "“%(bands)s” are not distance bands: give increasing kilometres "
                "separated by commas, e.g. 5,10,20,30."
            )
            % {"bands": text}
        )
    return [int(b) if b.is_integer() else b for b in bands]


@dataclass
class ScenarioSpec:
    """Changes to the register for one run: closed ids, added and moved outlets."""

    closed: tuple = ()
    added: tuple = ()  # (name, kinds tuple, easting, northing)
    moved: tuple = ()  # (outlet id, easting, northing)

    def is_empty(self):
        return not (self.closed or self.added or self.moved)

    def as_json(self):
        return {
            "closed": sorted(self.closed),
            "added": [list(map(_plain, a)) for a in self.added],
            "moved": [list(m) for m in sorted(self.moved)],
        }


def scenario_from_json(data) -> ScenarioSpec:
    """A ScenarioSpec back from its `as_json()`."""
    data = data or {}
    return ScenarioSpec(
        closed=tuple(data.get("closed", ())),
        added=tuple(
            (name, tuple(kinds), easting, northing)
            for name, kinds, easting, northing in data.get("added", ())
        ),
        moved=tuple(tuple(moved) for moved in data.get("moved", ())),
    )


def scenario_spec(scenario) -> ScenarioSpec:
    """A saved scenario as the changes one run makes to the register."""
    added = []
    for outlet in scenario.added_outlets.all():
        flags = kind_row(
            outlet.kind, ["agent"] if outlet.is_agent else [], outlet.is_service_point
        )
        kinds = tuple(k for k, f in zip(engine.KINDS, flags, strict=True) if f)
        added.append((outlet.name, kinds, outlet.easting, outlet.northing))
    return ScenarioSpec(
        closed=tuple(sorted(scenario.closed_outlets.values_list("pk", flat=True))),
        added=tuple(added),
        moved=tuple(
            (moved.outlet_id, moved.easting, moved.northing)
            for moved in scenario.moved_outlets.order_by("outlet_id")
        ),
    )


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def service_analysis_run(
    *, municipality, kind="grocery", bands=None, scenario=None, on=None, use_cache=True
):
    """The analysis of one kind for a municipality, from the cache when unchanged."""
    prepared = analysis_prepared(
        municipality=municipality, kind=kind, bands=bands, scenario=scenario, on=on
    )
    if use_cache:
        cached = analysis_cached(prepared)
        if cached is not None:
            return cached
    return analysis_computed(prepared)


@dataclass
class PreparedRun:
    """One analysis asked for: its inputs read (the squares excepted) and its
    fingerprint, before the cache is asked or the engine run."""

    kind: str
    bands: list
    scenario: "ScenarioSpec"
    versions: dict
    run: "_RunInputs"
    fingerprint: str

    @property
    def municipality(self):
        return self.run.municipality


def analysis_prepared(
    *, municipality, kind="grocery", bands=None, scenario=None, on=None
) -> PreparedRun:
    """The run's inputs and fingerprint; AnalysisError for a kind, population or
    scenario it cannot run on."""
    if kind not in engine.KINDS:
        raise AnalysisError(
            _("“%(kind)s” is not a kind; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(engine.KINDS)}
        )
    scenario = scenario or ScenarioSpec()
    settings = AnalysisSettings.for_municipality(municipality)
    bands = list(bands or settings.bands)
    # Read before the inputs: a change made meanwhile leaves the result stale.
    versions = input_versions_now(municipality=municipality)
    run = _run_inputs(municipality, settings, scenario, on)
    fingerprint = analysis_fingerprint(
        kind=kind, bands=bands, scenario=scenario, inputs=run.fingerprint
    )
    return PreparedRun(kind, bands, scenario, versions, run, fingerprint)


def analysis_cached(prepared: PreparedRun):
    """The stored result of the prepared run; None when it must be computed."""
    cached = result_cached(prepared.fingerprint)
    if cached is not None:
        input_versions_refresh(
            fingerprint=prepared.fingerprint, versions=prepared.versions
        )
    return cached


def analysis_computed(prepared: PreparedRun):
    """Run the engine on the prepared inputs and store the result."""
    run, municipality = prepared.run, prepared.municipality
    started = time.perf_counter()
    result = _result_computed(run, prepared.kind, prepared.bands, prepared.scenario)
    result_store(
        fingerprint=prepared.fingerprint,
        municipality=municipality,
        kind=prepared.kind,
        inputs=run.fingerprint,
        bands=prepared.bands,
        scenario=prepared.scenario,
        result=result,
        seconds=time.perf_counter() - started,
        input_versions=input_versions_kept(
            versions=prepared.versions, municipality=municipality, result=result
        ),
    )
    results_prune(municipality=municipality, inputs=run.fingerprint)
    return result


@dataclass
class _RunInputs:
    """What one run reads besides its kind, bands and scenario."""

    municipality: Municipality
    settings: AnalysisSettings
    population_import: PopulationImport
    table: object  # inputs.OutletTable
    road_network: object  # models.RoadNetwork or None
    localities: list
    locality_xy: np.ndarray
    fingerprint: str


def _run_inputs(municipality, settings, scenario, on) -> _RunInputs:
    """The run's inputs, the squares excepted (the cache may make them unneeded),
    with their fingerprint; AnalysisError without a population or for a scenario
    that changes outlets not in the analysis."""
    population_import = (
        PopulationImport.objects.filter(municipality=municipality)
        .order_by("-imported_at", "-pk")
        .first()
    )
    if population_import is None:
        raise NoPopulationError(
            _("%(municipality)s has no population loaded yet.")
            % {"municipality": municipality}
        )
    table = outlets_load(on=on)
    _check_scenario(scenario, table)
    road_network = road_network_current(municipality=municipality)
    localities, locality_xy = localities_load(municipality=municipality)
    fingerprint = inputs_fingerprint(
        municipality=municipality,
        settings=settings,
        population_import=population_import,
        road_network=road_network,
        table=table,
        localities=localities,
    )
    return _RunInputs(
        municipality,
        settings,
        population_import,
        table,
        road_network,
        localities,
        locality_xy,
        fingerprint,
    )


def _result_computed(run: _RunInputs, kind, bands, scenario):
    """The engine's report for the run, described for the JSON and the pages."""
    squares = squares_load(municipality=run.municipality, locality_xy=run.locality_xy)
    distance = distance_for(
        settings=run.settings, road_network=run.road_network, squares=squares
    )
    analysis = engine.Analysis(squares, run.table.outlets, distance, kinds=(kind,))
    analysis = analysis_with_scenario(analysis, scenario)
    report = analysis.report(
        kind, bands_km=bands, threshold=run.settings.strategic_threshold
    )
    return _described(
        report,
        municipality=run.municipality,
        table=run.table,
        localities=run.localities,
        population_import=run.population_import,
        scenario=scenario,
        road_network=run.road_network,
    )


def analysis_with_scenario(analysis, scenario):
    """The analysis with the scenario's closed, added (ids -1, -2, …) and moved
    outlets; the analysis itself when the scenario changes nothing."""
    if scenario.is_empty():
        return analysis
    added = None
    if scenario.added:
        added = engine.Outlets(
            ids=-np.arange(1, len(scenario.added) + 1),
            xy=np.array([(a[2], a[3]) for a in scenario.added], dtype=float),
            kinds=np.array([engine.kind_flags(*a[1]) for a in scenario.added]),
        )
    return analysis.scenario(
        closed=scenario.closed,
        added=added,
        moved={m[0]: (m[1], m[2]) for m in scenario.moved},
    )


def _check_scenario(scenario, table):
    for outlet_id in [*scenario.closed, *(m[0] for m in scenario.moved)]:
        if outlet_id in table.info:
            continue
        if outlet_id in table.closed_ids:
            message = _("Outlet %(id)s is already closed in the register.")
        elif Outlet.objects.filter(pk=outlet_id).exists():
            message = _("Outlet %(id)s has no position, so it is not in the analysis.")
        else:
            message = _("There is no outlet with id %(id)s.")
        raise AnalysisError(message % {"id": outlet_id})


def _described(
    report,
    *,
    municipality,
    table,
    localities,
    population_import,
    scenario,
    road_network,
):
    """The engine's report with names, as the command's JSON and the pages show it."""
    used_roads = report["method"] == "road_network"
    added_names = {-(i + 1): a[0] for i, a in enumerate(scenario.added)}
    for entry in report["outlets"]:
        info = table.info.get(entry["id"]) or {
            "name": added_names.get(entry["id"], ""),
            "org_number": "",
            "municipality_code": "",
        }
        entry.update(
            name=info["name"],
            org_number=info["org_number"],
            municipality_code=info["municipality_code"],
            added_in_scenario=entry["id"] < 0,
        )
    for entry in report["localities"]:
        place = localities[entry.pop("locality")]
        entry.update(locality_id=place.pk, name=place.name)
    for entry in report["strategic_candidates"]:
        place = localities[entry.pop("locality")]
        info = table.info.get(entry["outlet_id"]) or {
            "name": added_names.get(entry["outlet_id"], "")
        }
        entry.update(
            locality_id=place.pk, locality=place.name, outlet_name=info["name"]
        )
    report.update(
        municipality_code=municipality.code,
        computed_at=timezone.now().isoformat(timespec="seconds"),
        population_source={
            "file_name": population_import.file_name,
            "format": population_import.format,
            "synthetic": population_import.synthetic,
            "imported_at": population_import.imported_at.isoformat(timespec="seconds"),
            "squares": population_import.square_count,
        },
        road_network=road_network.name if road_network and used_roads else None,
        road_network_not_covering=(
            road_network.name if road_network and not used_roads else None
        ),
        scenario=scenario.as_json(),
    )
    return contract_order(report)


def municipality_by_code(code):
    found = Municipality.objects.filter(code=code).first()
    if found is None:
        raise AnalysisError(
            _("“%(code)s” is not a Swedish municipality code.") % {"code": code}
        )
    return found
