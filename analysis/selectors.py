"""Reads for the analysis pages: whose analysis a user sees, and the map's squares."""

import numpy as np
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, When
from django.http import Http404

from analysis import engine
from analysis.models import (
    AnalysisSettings,
    PopulationImport,
    Scenario,
    ScenarioAddedOutlet,
    ScenarioClosedOutlets,
    ScenarioMovedOutlet,
)
from analysis.permissions import can_read_analysis, can_recompute_analysis
from analysis.services import (
    ScenarioSpec,
    analysis_fingerprint,
    analysis_with_scenario,
    distance_for,
    localities_load,
    outlets_load,
    road_network_current,
    squares_copy_out,
)
from analysis.services.staleness import result_staleness
from core.history import HistoryEntry, history_of
from core.pickers import municipality_pick
from outlets.geo import wgs84_from_sweref
from outlets.models import Municipality, Outlet

SQUARES_CACHE_SECONDS = 60 * 60
SQUARE_SCALE = 100_000


def analysis_municipality(request):
    """The municipality the user analyses, and the others they may choose.

    Administrators and officials analyse their own municipality; regional viewers
    choose among their county's, the system owner among all (those with a population
    first). Shop owners are refused; a code the user may not choose is not found.
    """
    if request.user.is_shop_owner:
        raise PermissionDenied
    # All 290 would bury the few taking part: those with outlets or population.
    offered = Municipality.objects.filter(
        Q(pk__in=Outlet.objects.values("municipality"))
        | Q(pk__in=PopulationImport.objects.values("municipality"))
    )
    chosen, choices = municipality_pick(
        request,
        offered=offered,
        preferred=[PopulationImport.objects.values_list("municipality_id", flat=True)],
    )
    if chosen is None:
        raise Http404
    return chosen, choices


def added_kinds(kind, is_agent=False, is_service_point=False):
    """The analysis kinds a new outlet of a register kind counts for."""
    kinds = {
        "grocery_full": ("grocery_full", "grocery"),
        "grocery": ("grocery",),
        "fuel": ("fuel",),
        "agent": ("agent",),
    }.get(kind, ())
    if is_agent and "agent" not in kinds:
        kinds += ("agent",)
    if is_service_point:
        kinds += ("service_point",)
    return kinds


def square_bands(*, municipality, kind, bands, scenario=None):
    """The map's squares: centres in WGS84, sides in metres, distance band index.

    Computed with the same inputs as the cached result and kept in the cache under
    the same fingerprint, so a changed input draws a fresh map.
    """
    scenario = scenario or ScenarioSpec()
    settings = AnalysisSettings.for_municipality(municipality)
    population_import = (
        PopulationImport.objects.filter(municipality=municipality)
        .order_by("-imported_at", "-pk")
        .first()
    )
    if population_import is None:
        return compact_squares([], [], [], [])
    table = outlets_load()
    road_network = road_network_current(municipality=municipality)
    localities, _locality_xy = localities_load(municipality=municipality)
    key = "analysis-squares:" + analysis_fingerprint(
        municipality=municipality,
        kind=kind,
        bands=bands,
        settings=settings,
        population_import=population_import,
        road_network=road_network,
        table=table,
        localities=localities,
        scenario=scenario,
    )
    found = cache.get(key)
    if found is not None:
        return found
    easting, northing, size_m, population, ages = squares_copy_out(
        municipality=municipality
    )
    squares = engine.Squares.from_corners(easting, northing, size_m, population)
    analysis = engine.Analysis(
        squares,
        table.outlets,
        distance_for(settings=settings, road_network=road_network, squares=squares),
        kinds=(kind,),
    )
    analysis = analysis_with_scenario(analysis, scenario)
    near_km = np.round(analysis.nearest[kind].dist[:, 0] / 1000.0, 6)
    band = np.searchsorted(np.asarray(bands, dtype=float), near_km, side="right")
    latitude, longitude = wgs84_from_sweref(squares.xy[:, 1], squares.xy[:, 0])
    found = compact_squares(latitude, longitude, size_m, band)
    cache.set(key, found, SQUARES_CACHE_SECONDS)
    return found


def compact_squares(latitude, longitude, size_m, band):
    """Squares as small integers: centres in 1e-5 degrees (about a metre) from the
    south-western-most centre, one side for all when the grid is uniform."""
    latitude, longitude = np.asarray(latitude), np.asarray(longitude)
    sizes = np.asarray(size_m, dtype=int)
    uniform = bool(len(sizes)) and bool((sizes == sizes[0]).all())
    lat0 = float(latitude.min()) if len(latitude) else 0.0
    lng0 = float(longitude.min()) if len(longitude) else 0.0
    return {
        "lat0": round(lat0, 5),
        "lng0": round(lng0, 5),
        "scale": SQUARE_SCALE,
        "lat": np.round((latitude - lat0) * SQUARE_SCALE).astype(int).tolist(),
        "lng": np.round((longitude - lng0) * SQUARE_SCALE).astype(int).tolist(),
        "size": int(sizes[0]) if uniform else sizes.tolist(),
        "band": np.asarray(band, dtype=int).tolist(),
    }


def outlets_for_choice(*, municipality, result):
    """Outlets a scenario may close or move: the municipality's open outlets with a
    position, and the neighbours' that serve some of its squares."""
    serving = [entry["id"] for entry in (result or {}).get("outlets", [])]
    return list(
        Outlet.objects.open()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .filter(Q(municipality=municipality) | Q(pk__in=[i for i in serving if i > 0]))
        .select_related("municipality")
        .order_by("municipality__name", "name", "pk")
    )


def locality_figures(*, user, locality):
    """The stored grocery analysis' figures of one locality, never recomputed.

    None for users who may not read the analysis; otherwise a dict with the result
    (None when nothing is stored for the default bands yet), the locality's row and
    its candidacy as a strategic locality.
    """
    from analysis.models import AnalysisResult

    municipality = locality.municipality
    if not can_read_analysis(user, municipality):
        return None
    settings = AnalysisSettings.for_municipality(municipality)
    # Today's bands first; else the latest of other bands, which the settings'
    # change has made stale and the page says so.
    bands = [float(edge) for edge in settings.bands]
    stored = (
        AnalysisResult.objects.filter(
            municipality=municipality, kind="grocery", is_scenario=False
        )
        .annotate(
            other_bands=Case(When(bands_km=bands, then=0), default=1),
        )
        .order_by("other_bands", "-computed_at", "-pk")
        .only("pk", "municipality_id", "computed_at", "result", "input_versions")
        .first()
    )
    figures = {
        "municipality": municipality,
        "result": None,
        "can_recompute": can_recompute_analysis(user, municipality),
        "job": _grocery_job(municipality, stored),
    }
    if stored is None:
        return figures
    figures["staleness"] = result_staleness(stored=stored)
    result = stored.result
    row = next(
        (e for e in result["localities"] if e["locality_id"] == locality.pk), None
    )
    figures.update(
        result=result,
        computed_at=stored.computed_at,
        row=row,
        candidates=[
            e for e in result["strategic_candidates"] if e["locality_id"] == locality.pk
        ],
        threshold=settings.strategic_threshold,
    )
    return figures


def _grocery_job(municipality, stored):
    """Today's grocery figures being computed in the background, or failed since
    the stored ones were computed; None if neither."""
    from analysis.models import AnalysisJob

    job = (
        AnalysisJob.objects.filter(
            municipality=municipality,
            kind="grocery",
            scenario=ScenarioSpec().as_json(),
        )
        .exclude(status=AnalysisJob.Status.DONE)
        .order_by("-queued_at", "-pk")
        .first()
    )
    if job is None or job.is_unfinished:
        return job
    return job if stored is None or job.queued_at > stored.computed_at else None


def scenario_history(*, scenario) -> list[HistoryEntry]:
    """The scenario's changes: its outlets closed, added and moved among them."""
    return history_of(
        [scenario],
        models=[
            Scenario,
            ScenarioAddedOutlet,
            ScenarioClosedOutlets,
            ScenarioMovedOutlet,
        ],
    )
