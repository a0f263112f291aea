"""Service analysis: storing population grids, loading the engine's inputs, results.

The engine (`analysis.engine`) knows nothing of Django; these functions feed it the
register's outlets, the municipality's squares and settings, and cache what it returns
under a fingerprint of every input.
"""

import hashlib
import json
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Transformer

from analysis import engine
from analysis.models import (
    AGE_COLUMNS,
    SWEDEN_EASTING,
    SWEDEN_NORTHING,
    AnalysisResult,
    AnalysisSettings,
    PopulationImport,
    PopulationSquare,
    RoadNetwork,
)
from analysis.population import PopulationGrid
from outlets.models import Locality, Municipality, Outlet

# Bumped when the engine's figures change meaning, so cached results are not reused.
ENGINE_VERSION = 1
SYNTHETIC_SQUARE_M = 250


class AnalysisError(ValueError):
    """Input the analysis cannot run on; the message says what to do."""


# Storing and loading squares with binary COPY ------------------------------------

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)


def _binary_rows(columns):
    """PostgreSQL binary COPY rows for (name, values, '>i4' or '>i8') columns."""
    count = len(columns[0][1])
    dtype = [("fields", ">i2")]
    for name, _values, kind in columns:
        dtype += [(f"{name}_length", ">i4"), (name, kind)]
    rows = np.empty(count, dtype=dtype)
    rows["fields"] = len(columns)
    for name, values, kind in columns:
        rows[f"{name}_length"] = np.dtype(kind).itemsize
        rows[name] = values
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def squares_copy_in(*, population_import, grid):
    """Insert the grid's squares with one binary COPY."""
    count = len(grid)
    columns = [
        ("population_import_id", np.full(count, population_import.pk), ">i8"),
        ("municipality_id", np.full(count, population_import.municipality_id), ">i8"),
        ("easting", grid.easting, ">i4"),
        ("northing", grid.northing, ">i4"),
        ("size_m", grid.size_m, ">i4"),
        ("population", grid.population, ">i4"),
    ]
    if grid.ages is not None:
        columns += [
            (name, grid.ages[:, j], ">i4") for j, name in enumerate(AGE_COLUMNS)
        ]
    names = ", ".join(name for name, _values, _kind in columns)
    table = PopulationSquare._meta.db_table
    statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(_binary_rows(columns))


def squares_copy_out(*, municipality):
    """The municipality's squares as arrays: corners, sides, people, ages or None."""
    ages = ", ".join(f"coalesce({name}, -1)" for name in AGE_COLUMNS)
    query = (
        f"COPY (SELECT easting, northing, size_m, population, {ages} "
        f"FROM {PopulationSquare._meta.db_table} WHERE municipality_id = "
        f"{int(municipality.pk)}) TO STDOUT (FORMAT BINARY)"
    )
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        for chunk in copy:
            buffer += chunk
    width = 4 + len(AGE_COLUMNS)
    dtype = [("fields", ">i2")]
    for j in range(width):
        dtype += [(f"l{j}", ">i4"), (f"v{j}", ">i4")]
    body = bytes(buffer[len(_COPY_HEADER) : len(buffer) - len(_COPY_TRAILER)])
    rows = np.frombuffer(body, dtype=dtype)
    values = np.column_stack([rows[f"v{j}"] for j in range(width)]).astype(np.int64)
    ages = values[:, 4:]
    if (ages < 0).any():
        ages = None
    return values[:, 0], values[:, 1], values[:, 2], values[:, 3], ages


@transaction.atomic
def population_store(
    *, municipality, grid, file_name, by=None, synthetic=False
) -> PopulationImport:
    """Replace the municipality's squares with the grid's, all or nothing."""
    record = PopulationImport.objects.create(
        municipality=municipality,
        file_name=file_name,
        format=PopulationImport.Format.SYNTHETIC if synthetic else grid.format,
        synthetic=synthetic,
        imported_by=by,
        square_count=len(grid),
        population=int(grid.population.sum()),
        has_ages=grid.ages is not None,
        note=grid.note,
    )
    PopulationSquare.objects.filter(municipality=municipality).delete()
    squares_copy_in(population_import=record, grid=grid)
    return record


# Synthetic population -------------------------------------------------------------

# Sweden's population by five-year class (0-4 … 85-89, 90+), in per mille, rounded.
SWEDISH_AGE_SHARES = np.array(
    [55, 58, 62, 60, 60, 66, 67, 65, 64, 63, 64, 62, 58, 55, 52, 50, 36, 20, 13],
    dtype=float,
)


@dataclass
class _Place:
    x: float
    y: float
    weight: float
    spread_m: float = 700.0


def _sweref_xy(latitudes, longitudes):
    transformer = Transformer.from_crs(4326, 3006, always_xy=True)
    easting, northing = transformer.transform(
        np.asarray(longitudes, dtype=float), np.asarray(latitudes, dtype=float)
    )
    return np.column_stack([easting, northing])


def population_generate(*, municipality, seed=0, people=None) -> PopulationGrid:
    """A plausible synthetic 250 m grid clustered around the municipality's localities.

    Most people live close to a locality (more around the larger ones); a fifth are
    scattered over the countryside between them. Older people are a little more
    common outside the localities, as in rural Sweden.
    """
    localities = list(
        Locality.objects.filter(
            municipality=municipality, latitude__isnull=False, longitude__isnull=False
        ).order_by("pk")
    )
    if not localities:
        raise AnalysisError(
            _(
                "%(municipality)s has no localities with a position to cluster the "
                "population around."
            )
            % {"municipality": municipality}
        )
    xy = _sweref_xy(
        [place.latitude for place in localities],
        [place.longitude for place in localities],
    )
    weights = np.array([place.population or 300 for place in localities], dtype=float)
    if people is None:
        people = int(weights.sum())
    if people <= 0:
        raise AnalysisError(_("Give a positive number of people."))
    rng = np.random.default_rng(seed)
    village = int(round(people * 0.8))
    centres = rng.choice(len(localities), size=village, p=weights / weights.sum())
    spread = 400 + 400 * np.sqrt(weights / weights.max())
    positions = [xy[centres] + rng.normal(size=(village, 2)) * spread[centres, None]]
    rural = people - village
    positions.append(
        xy[rng.integers(0, len(localities), rural)] + rng.normal(size=(rural, 2)) * 6000
    )
    points = np.concatenate(positions)
    points[:, 0] = points[:, 0].clip(SWEDEN_EASTING[0] + 1, SWEDEN_EASTING[1] - 1)
    points[:, 1] = points[:, 1].clip(SWEDEN_NORTHING[0] + 1, SWEDEN_NORTHING[1] - 1)
    is_rural = np.r_[np.zeros(village, bool), np.ones(rural, bool)]
    corners = (np.floor(points / SYNTHETIC_SQUARE_M) * SYNTHETIC_SQUARE_M).astype(
        np.int64
    )
    unique, inverse = np.unique(corners, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    population = np.bincount(inverse, minlength=len(unique))
    rural_share = np.bincount(inverse, weights=is_rural, minlength=len(unique))
    rural_share = rural_share / np.maximum(population, 1)
    shares = SWEDISH_AGE_SHARES / SWEDISH_AGE_SHARES.sum()
    older = np.r_[np.full(13, 0.85), np.full(6, 1.6)]
    square_shares = shares * (1 + (older - 1) * rural_share[:, None])
    square_shares /= square_shares.sum(axis=1, keepdims=True)
    ages = np.stack(
        [rng.multinomial(n, p) for n, p in zip(population, square_shares, strict=True)]
    )
    return PopulationGrid(
        format="synthetic",
        easting=unique[:, 0],
        northing=unique[:, 1],
        size_m=np.full(len(unique), SYNTHETIC_SQUARE_M),
        population=population.astype(np.int64),
        ages=ages.astype(np.int64),
        note=_("Synthetic: generated around the localities (seed %(seed)s).")
        % {"seed": seed},
    )


def population_synthetic_store(*, municipality, seed=0, people=None):
    """Generate and store a synthetic population (for the demo and benchmarks)."""
    grid = population_generate(municipality=municipality, seed=seed, people=people)
    return population_store(
        municipality=municipality,
        grid=grid,
        file_name=_("synthetic (seed %(seed)s)") % {"seed": seed},
        synthetic=True,
    )


# The engine's inputs ---------------------------------------------------------------


@dataclass
class OutletTable:
    """The register's open outlets for the engine, and what to print about them."""

    outlets: engine.Outlets
    info: dict = field(default_factory=dict)
    closed_ids: set = field(default_factory=set)


def outlets_load(*, on=None) -> OutletTable:
    """Every open outlet with a position in any municipality: people cross borders."""
    from agreements.models import Agreement

    service_points = set(
        Agreement.objects.in_force(on=on).values_list("outlet_id", flat=True)
    )
    rows = list(
        Outlet.objects.open()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "kind",
            "agent_roles",
            "latitude",
            "longitude",
            "name",
            "organisation_number",
            "municipality__code",
        )
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    kinds = np.array(
        [_kind_row(row[1], row[2], row[0] in service_points) for row in rows]
    )
    xy = (
        _sweref_xy([row[3] for row in rows], [row[4] for row in rows])
        if rows
        else np.empty((0, 2))
    )
    info = {
        row[0]: {"name": row[5], "org_number": row[6], "municipality_code": row[7]}
        for row in rows
    }
    return OutletTable(
        outlets=engine.Outlets(
            ids=ids, xy=xy, kinds=kinds.reshape(-1, len(engine.KINDS))
        ),
        info=info,
        closed_ids=set(
            Outlet.objects.exclude(status=Outlet.Status.OPEN).values_list(
                "pk", flat=True
            )
        ),
    )


def _kind_row(kind, agent_roles, service_point):
    """Which analysis kinds an outlet counts for.

    A full-range shop is also a grocery shop; an agent is an outlet of kind agent or
    any outlet that is agent for someone (a shop with Systembolaget's agency, say).
    """
    return engine.kind_flags(
        *(["grocery_full"] if kind == "grocery_full" else []),
        *(["grocery"] if kind in ("grocery_full", "grocery") else []),
        *(["fuel"] if kind == "fuel" else []),
        *(["agent"] if kind == "agent" or agent_roles else []),
        *(["service_point"] if service_point else []),
    )


def localities_load(*, municipality):
    localities = list(
        Locality.objects.filter(
            municipality=municipality, latitude__isnull=False, longitude__isnull=False
        ).order_by("pk")
    )
    xy = (
        _sweref_xy([p.latitude for p in localities], [p.longitude for p in localities])
        if localities
        else np.empty((0, 2))
    )
    return localities, xy


def squares_load(*, municipality, locality_xy):
    easting, northing, size_m, population, ages = squares_copy_out(
        municipality=municipality
    )
    squares = engine.Squares.from_corners(easting, northing, size_m, population, ages)
    squares.locality = engine.localities_assign(squares.xy, locality_xy)
    return squares


@transaction.atomic
def road_network_store(*, path, name, by=None) -> RoadNetwork:
    """Read road lines, build the graph and store it; the newest network is used."""
    from analysis.roads import RoadFileError, road_lines_read
    from analysis.roads import RoadNetwork as Network

    network = Network.from_lines(road_lines_read(path))
    if not network.edge_count:
        raise RoadFileError(_("The road file's lines have no length."))
    return RoadNetwork.objects.create(
        name=name,
        file_name=Path(path).name,
        imported_by=by,
        node_count=len(network.node_xy),
        edge_count=network.edge_count,
        data=network.to_bytes(),
    )


def road_network_current():
    return RoadNetwork.objects.order_by("-imported_at", "-pk").first()


_networks = {}

# A road network measures a municipality's distances only where it reaches the people:
# a network of another region would otherwise snap every square to a road hundreds of
# kilometres away. Covered: at least this share of the people live within this distance
# of a road.
ROAD_REACH_M = 5_000
ROAD_COVERED_SHARE = 0.95


def road_network_loaded(road_network):
    if road_network.pk not in _networks:
        from analysis.roads import RoadNetwork as Network

        # A national network is large: keep the last one built in this process.
        _networks.clear()
        _networks[road_network.pk] = Network.from_bytes(bytes(road_network.data))
    return _networks[road_network.pk]


def road_network_covers(network, squares) -> bool:
    _, reach = network.nodes_nearest(squares.xy)
    reached = squares.population[reach <= ROAD_REACH_M].sum()
    return reached >= ROAD_COVERED_SHARE * squares.population.sum()


def distance_for(*, settings, road_network, squares=None):
    """Along the newest road network if there is one and it covers the squares, else
    straight line × factor."""
    if road_network is not None:
        network = road_network_loaded(road_network)
        if squares is None or road_network_covers(network, squares):
            return engine.RoadDistance(network)
    return engine.StraightLine(settings.detour_factor)


# Running, with the cache ----------------------------------------------------------


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


def scenario_spec(scenario) -> ScenarioSpec:
    """A saved scenario as the changes one run makes to the register."""
    added = []
    for outlet in scenario.added_outlets.all():
        flags = _kind_row(
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


def inputs_fingerprint(
    *, municipality, settings, population_import, road_network, table, localities
):
    """A hash of the inputs every kind, band and scenario of a municipality share."""
    outlets = table.outlets
    digest = hashlib.sha256()
    digest.update(outlets.ids.tobytes())
    digest.update(np.round(outlets.xy, 2).tobytes())
    digest.update(outlets.kinds.tobytes())
    payload = {
        "engine": ENGINE_VERSION,
        "municipality": municipality.pk,
        "detour_factor": settings.detour_factor,
        "threshold": settings.strategic_threshold,
        "population_import": population_import.pk,
        "road_network": road_network.pk if road_network else None,
        "localities": [(p.pk, p.name, p.latitude, p.longitude) for p in localities],
    }
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def analysis_fingerprint(*, kind, bands, scenario, inputs=None, **shared):
    """A hash of every input of one analysis; a changed input gives a new key.

    `inputs` is `inputs_fingerprint` of the shared inputs, computed from `shared`
    when not given.
    """
    inputs = inputs or inputs_fingerprint(**shared)
    payload = {"kind": kind, "bands": bands, "scenario": scenario.as_json()}
    digest = hashlib.sha256(inputs.encode())
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# At most so many results are kept per municipality: today's (kinds and bands) and
# scenarios' each, the least recently used deleted first.
KEPT_RESULTS = 20
KEPT_SCENARIO_RESULTS = 30


def results_prune(*, municipality, inputs):
    """Delete the municipality's results of other inputs (stale: no run asks for them
    again) and the least recently used beyond the kept numbers."""
    results = AnalysisResult.objects.filter(municipality=municipality)
    results.exclude(inputs=inputs).delete()
    for is_scenario, kept in [(False, KEPT_RESULTS), (True, KEPT_SCENARIO_RESULTS)]:
        surplus = list(
            results.filter(is_scenario=is_scenario)
            .order_by("-used_at", "-pk")
            .values_list("pk", flat=True)[kept:]
        )
        if surplus:
            AnalysisResult.objects.filter(pk__in=surplus).delete()


def service_analysis_run(
    *, municipality, kind="grocery", bands=None, scenario=None, on=None, use_cache=True
):
    """The analysis of one kind for a municipality, from the cache when unchanged."""
    if kind not in engine.KINDS:
        raise AnalysisError(
            _("“%(kind)s” is not a kind; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(engine.KINDS)}
        )
    scenario = scenario or ScenarioSpec()
    settings = AnalysisSettings.for_municipality(municipality)
    bands = list(bands or settings.bands)
    population_import = (
        PopulationImport.objects.filter(municipality=municipality)
        .order_by("-imported_at", "-pk")
        .first()
    )
    if population_import is None:
        raise AnalysisError(
            _(
                "%(municipality)s has no population imported yet: run "
                "import_population or generate_population first."
            )
            % {"municipality": municipality}
        )
    table = outlets_load(on=on)
    _check_scenario(scenario, table)
    road_network = road_network_current()
    localities, locality_xy = localities_load(municipality=municipality)
    inputs = inputs_fingerprint(
        municipality=municipality,
        settings=settings,
        population_import=population_import,
        road_network=road_network,
        table=table,
        localities=localities,
    )
    fingerprint = analysis_fingerprint(
        kind=kind, bands=bands, scenario=scenario, inputs=inputs
    )
    if use_cache:
        cached = (
            AnalysisResult.objects.filter(fingerprint=fingerprint)
            .only("pk", "result")
            .first()
        )
        if cached is not None:
            AnalysisResult.objects.filter(pk=cached.pk).update(used_at=timezone.now())
            return _contract_order(cached.result)
    started = time.perf_counter()
    squares = squares_load(municipality=municipality, locality_xy=locality_xy)
    distance = distance_for(
        settings=settings, road_network=road_network, squares=squares
    )
    analysis = engine.Analysis(squares, table.outlets, distance, kinds=(kind,))
    analysis = analysis_with_scenario(analysis, scenario)
    report = analysis.report(
        kind, bands_km=bands, threshold=settings.strategic_threshold
    )
    result = _described(
        report,
        municipality=municipality,
        table=table,
        localities=localities,
        population_import=population_import,
        scenario=scenario,
        road_network=road_network,
    )
    seconds = time.perf_counter() - started
    AnalysisResult.objects.update_or_create(
        fingerprint=fingerprint,
        defaults={
            "municipality": municipality,
            "kind": kind,
            "inputs": inputs,
            "bands_km": [float(edge) for edge in bands],
            "is_scenario": not scenario.is_empty(),
            "method": result["method"],
            "seconds": seconds,
            "result": result,
            "used_at": timezone.now(),
        },
    )
    results_prune(municipality=municipality, inputs=inputs)
    return result


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
    return _contract_order(report)


CONTRACT_KEYS = ["method", "detour_factor", "total_population", "bands", "outlets"]


def _contract_order(result):
    """The contract's keys first, for readers of the raw JSON (jsonb keeps no order)."""
    return {key: result[key] for key in CONTRACT_KEYS} | {
        key: value for key, value in result.items() if key not in CONTRACT_KEYS
    }


def municipality_by_code(code):
    found = Municipality.objects.filter(code=code).first()
    if found is None:
        raise AnalysisError(
            _("“%(code)s” is not a Swedish municipality code.") % {"code": code}
        )
    return found


def analysis_settings_save(*, analysis_settings, by) -> AnalysisSettings:
    """A municipality's analysis settings (its administrators). Stored results of the
    old settings are no longer found: the detour factor and the threshold are in
    their fingerprints."""
    from django.core.exceptions import PermissionDenied

    from accounts.models import Role

    if by.role != Role.ADMINISTRATOR or (
        by.municipality_id != analysis_settings.municipality_id
    ):
        raise PermissionDenied
    analysis_settings.full_clean()
    analysis_settings.save()
    return analysis_settings
