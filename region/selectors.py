"""A county at a glance: every municipality's service points, agreements, budget
and key figures side by side, and the county-wide service analysis.

Each read takes the same few queries however many municipalities the county has:
figures are grouped by municipality in the database, never asked for one
municipality at a time (the one-municipality selectors of reports and agreements
would take a dozen queries each).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from agreements.models import Agreement
from agreements.selectors import BudgetSummary, budget_summaries
from analysis import engine
from analysis.models import (
    DEFAULT_BANDS_KM,
    AnalysisJob,
    AnalysisResult,
    AnalysisSettings,
    PopulationImport,
)
from analysis.services import (
    ScenarioSpec,
    analysis_fingerprint,
    inputs_fingerprint,
    outlets_load,
    road_network_current,
)
from analysis.services.inputs import sweref_xy
from analysis.services.jobs import analysis_job_defer
from followup.models import FollowUp
from outlets.models import County, Locality, Municipality, Outlet
from programme.models import ProgrammeGoals
from programme.selectors import goal_results

# The county compares its municipalities by the distance to the nearest grocery
# shop of any range, in the same bands for all (a municipality's own bands may
# differ; its analysis page keeps them).
KIND = "grocery"
BANDS_KM = list(DEFAULT_BANDS_KM)


def county_municipalities(*, county):
    return list(Municipality.objects.filter(county=county).order_by("name"))


def counties_to_choose(counties):
    """The counties offered to choose among: those with outlets in the register,
    those with an agreement in force first."""
    with_outlets = counties.filter(
        municipalities__in=Outlet.objects.values("municipality")
    ).distinct()
    return list(with_outlets.order_by("name"))


def county_preferred(counties):
    """The county to show first: one with an agreement in force, else the first."""
    with_agreements = County.objects.filter(
        pk__in=[c.pk for c in counties],
        municipalities__in=Agreement.objects.in_force().values("municipality"),
    ).first()
    return with_agreements or (counties[0] if counties else None)


@dataclass
class MunicipalityFigures:
    """A municipality's row in the county table for a calendar year."""

    municipality: Municipality
    outlets: int
    service_points: int
    agreements_in_force: int
    budget: BudgetSummary
    followups_total: int
    followups_done: int
    # programme.selectors.goal_results: each goal of the year, its outcome and
    # whether it was met; empty when the municipality set none.
    goals: list = field(default_factory=list)

    @property
    def goals_judged(self):
        return [goal for goal in self.goals if goal.met is not None]

    @property
    def goals_met(self):
        return [goal for goal in self.goals if goal.met]


def reference_day(year, today=None):
    """The day service points are counted on: today in this year, else the
    year's last day (or first, for a year to come)."""
    today = today or timezone.localdate()
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))


def municipality_figures(*, municipalities, year, today=None) -> list:
    """Each municipality's outlets, service points (outlets with an agreement in
    force on `reference_day`), agreements in force in the year, budget and
    follow-ups, in the order given."""
    ids = [m.pk for m in municipalities]
    day = reference_day(year, today)
    outlets = _counts(
        Outlet.objects.open().filter(municipality__in=ids), "municipality", "pk"
    )
    service_points = _counts(
        Agreement.objects.in_force(on=day).filter(municipality__in=ids),
        "municipality",
        "outlet",
    )
    in_year = _counts(
        Agreement.objects.signed()
        .filter(municipality__in=ids, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1))),
        "municipality",
        "pk",
    )
    followups = {
        row["agreement__municipality"]: row
        for row in FollowUp.objects.filter(
            agreement__municipality__in=ids, due_on__year=year
        )
        .values("agreement__municipality")
        .annotate(
            total=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False))
        )
    }
    budgets = budget_summaries(municipalities=municipalities, year=year)
    # Where the cost grows with the county: goal_results takes a handful of queries
    # per municipality that set goals for the year (their figures are each measured
    # its own way); those without goals cost nothing beyond this one query.
    with_goals = set(
        ProgrammeGoals.objects.filter(municipality__in=ids, year=year).values_list(
            "municipality", flat=True
        )
    )
    return [
        MunicipalityFigures(
            municipality=m,
            outlets=outlets.get(m.pk, 0),
            service_points=service_points.get(m.pk, 0),
            agreements_in_force=in_year.get(m.pk, 0),
            budget=budgets[m.pk],
            followups_total=followups.get(m.pk, {}).get("total", 0),
            followups_done=followups.get(m.pk, {}).get("done", 0),
            goals=goal_results(municipality=m, year=year, today=today)
            if m.pk in with_goals
            else [],
        )
        for m in municipalities
    ]


def _counts(queryset, by, counted):
    return dict(
        queryset.values(by)
        .annotate(n=Count(counted, distinct=True))
        .values_list(by, "n")
    )


@dataclass
class BorderLocality:
    """A locality whose nearest grocery shop lies in another municipality."""

    locality: Locality
    municipality: Municipality
    nearest_id: int
    nearest_name: str
    nearest_municipality: str
    nearest_km: float
    # The nearest in its own municipality; None when it has none.
    own_name: str | None
    own_km: float | None


@dataclass
class SharedOutlet:
    """An outlet that is the nearest for people of several of the county's
    municipalities: its closure hits each of them."""

    id: int
    name: str
    municipality: str
    # (municipality, its people for whom the outlet is the nearest, those of them
    # who would be more than 10 km from the next if it closed), largest first.
    hits: list = field(default_factory=list)

    @property
    def dependent(self):
        return sum(people for _m, people, _far in self.hits)

    @property
    def stranded(self):
        return sum(far for _m, _people, far in self.hits)


@dataclass
class CountyAnalysis:
    bands_km: list
    # Per municipality id, today's grocery analysis; absent without a population.
    results: dict
    borders: list
    shared_outlets: list
    # Per municipality id, the computation of a result not stored yet; its figures
    # in `results` meanwhile are the previous ones (ids in `outdated`), if any.
    jobs: dict = field(default_factory=dict)
    outdated: set = field(default_factory=set)

    @property
    def jobs_waiting(self):
        return [job for job in self.jobs.values() if job.is_unfinished]

    @property
    def jobs_failed(self):
        return [job for job in self.jobs.values() if not job.is_unfinished]


def county_analysis(*, municipalities) -> CountyAnalysis:
    """The service analysis of every municipality of the county side by side.

    Where the cost is: the inputs are read once for the county (every open outlet
    of the register, the settings, populations and localities: a fixed number of
    queries), each municipality's fingerprint is hashed from them, and the results
    stored under those fingerprints are read in one query. A municipality whose
    result is not stored (a new population, a changed register) is computed by a
    background job, queued once for every visitor; its job's `service_analysis_run`
    stores it for every later visit, the county page's and the municipality's own
    analysis page's alike. Meanwhile its previous figures stand in, out of date.
    """
    ids = [m.pk for m in municipalities]
    stored_settings = {
        s.municipality_id: s
        for s in AnalysisSettings.objects.filter(municipality__in=ids)
    }
    imports = {
        population.municipality_id: population
        for population in PopulationImport.objects.filter(municipality__in=ids)
        .order_by("municipality_id", "-imported_at", "-pk")
        .distinct("municipality_id")
    }
    table = outlets_load()
    road_network = road_network_current()
    localities = defaultdict(list)
    for place in Locality.objects.filter(
        municipality__in=ids, latitude__isnull=False, longitude__isnull=False
    ).order_by("pk"):
        localities[place.municipality_id].append(place)

    def settings_of(municipality):
        return stored_settings.get(municipality.pk) or AnalysisSettings(
            municipality=municipality
        )

    wanted = {}
    for municipality in municipalities:
        if municipality.pk not in imports:
            continue
        inputs = inputs_fingerprint(
            municipality=municipality,
            settings=settings_of(municipality),
            population_import=imports[municipality.pk],
            road_network=road_network,
            table=table,
            localities=localities[municipality.pk],
        )
        fingerprint = analysis_fingerprint(
            kind=KIND, bands=BANDS_KM, scenario=ScenarioSpec(), inputs=inputs
        )
        wanted[fingerprint] = municipality
    results = {}
    stored = list(
        AnalysisResult.objects.filter(fingerprint__in=list(wanted)).only(
            "pk", "fingerprint", "result"
        )
    )
    for found in stored:
        results[wanted[found.fingerprint].pk] = found.result
    if stored:
        AnalysisResult.objects.filter(pk__in=[found.pk for found in stored]).update(
            used_at=timezone.now()
        )
    missing = {
        fingerprint: municipality
        for fingerprint, municipality in wanted.items()
        if municipality.pk not in results
    }
    jobs, outdated = _computed_in_background(missing, results)
    names = dict(Municipality.objects.values_list("code", "name"))
    return CountyAnalysis(
        bands_km=BANDS_KM,
        results=results,
        borders=_border_localities(
            municipalities, localities, table, settings_of, names
        ),
        shared_outlets=_shared_outlets(municipalities, results, names),
        jobs=jobs,
        outdated=outdated,
    )


def _computed_in_background(missing, results):
    """Queue a job for each municipality whose result is not stored (none is
    computed in the request: a county's take seconds), and put the previous
    figures, if any, in `results` meanwhile. The computations by municipality
    id, and the ids whose figures are out of date."""
    if not missing:
        return {}, set()
    jobs = {
        job.fingerprint: job
        for job in AnalysisJob.objects.filter(fingerprint__in=list(missing))
    }
    pending = {}
    for fingerprint, municipality in missing.items():
        job = jobs.get(fingerprint)
        if job is None or job.status == AnalysisJob.Status.DONE:
            job = analysis_job_defer(
                fingerprint=fingerprint,
                municipality=municipality,
                kind=KIND,
                bands=BANDS_KM,
            )
        job.municipality = municipality
        pending[municipality.pk] = job
    previous = (
        AnalysisResult.objects.filter(
            municipality__in=list(pending),
            kind=KIND,
            is_scenario=False,
            bands_km=[float(edge) for edge in BANDS_KM],
        )
        .order_by("municipality_id", "-computed_at", "-pk")
        .distinct("municipality_id")
        .only("pk", "municipality_id", "result")
    )
    outdated = set()
    for stored in previous:
        results[stored.municipality_id] = stored.result
        outdated.add(stored.municipality_id)
    return pending, outdated


def _border_localities(municipalities, localities, table, settings_of, names):
    """The localities whose nearest grocery shop (in a straight line: the same
    shop by road, nearly always) lies in another municipality, by municipality
    and name."""
    shops = table.outlets.members(KIND)
    if not len(shops):
        return []
    codes = np.array([table.info[i]["municipality_code"] for i in table.outlets.ids])
    found = []
    for municipality in municipalities:
        places = localities[municipality.pk]
        if not places:
            continue
        factor = settings_of(municipality).detour_factor
        xy = sweref_xy([p.latitude for p in places], [p.longitude for p in places])
        nearest = _nearest(table, shops, xy, factor)
        own = _nearest(table, shops[codes[shops] == municipality.code], xy, factor)
        for place, (row, km), (own_row, own_km) in zip(
            places, nearest, own, strict=True
        ):
            if row is None or codes[row] == municipality.code:
                continue
            info = table.info[int(table.outlets.ids[row])]
            own_info = (
                table.info[int(table.outlets.ids[own_row])]
                if own_row is not None
                else None
            )
            found.append(
                BorderLocality(
                    locality=place,
                    municipality=municipality,
                    nearest_id=int(table.outlets.ids[row]),
                    nearest_name=info["name"],
                    nearest_municipality=names.get(
                        info["municipality_code"], info["municipality_code"]
                    ),
                    nearest_km=km,
                    own_name=own_info["name"] if own_info else None,
                    own_km=own_km,
                )
            )
    return found


def _nearest(table, rows, xy, factor):
    """(outlet row, km) of the nearest of `rows` to each point; (None, None) when
    there is none."""
    if not len(rows):
        return [(None, None)] * len(xy)
    index = engine.StraightLine(factor).index(table.outlets.xy[rows])
    dist, local = index.nearest(xy, 1)
    return [
        (int(rows[i]), round(float(d) / 1000, 1)) if i >= 0 else (None, None)
        for d, i in zip(dist[:, 0], local[:, 0], strict=True)
    ]


def _shared_outlets(municipalities, results, names):
    """Outlets that are the nearest for people of two or more of the county's
    municipalities, as each municipality's stored closure figures tell: most
    people stranded more than 10 km from the next if it closed first."""
    hits = defaultdict(list)
    entries = {}
    for municipality in municipalities:
        for entry in (results.get(municipality.pk) or {}).get("outlets", []):
            if entry["id"] > 0 and entry["dependent_population"] > 0:
                entries[entry["id"]] = entry
                hits[entry["id"]].append(
                    (
                        municipality,
                        entry["dependent_population"],
                        entry["beyond_10_km_if_closed"],
                    )
                )
    shared = [
        SharedOutlet(
            id=outlet_id,
            name=entries[outlet_id]["name"],
            municipality=names.get(
                entries[outlet_id]["municipality_code"],
                entries[outlet_id]["municipality_code"],
            ),
            hits=sorted(found, key=lambda hit: (-hit[1], hit[0].name)),
        )
        for outlet_id, found in hits.items()
        if len(found) >= 2
    ]
    shared.sort(key=lambda s: (-s.stranded, -s.dependent, s.name))
    return shared
