"""The programme's goals measured against the year's figures, and the investments
at the service points summed by year and source.

The figures a goal is measured against (agreements in a year, visitors per week
year over year) are read here; the key figures and the annual report (reports)
read them from here too, so that a goal and its figure are one definition.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from followup.models import Activity, OwnerReport, Training
from programme.models import Investment, ProgrammeGoals

# Reports whose figures count: sent in by the owner, not drafts or sent back.
COUNTED_REPORTS = [OwnerReport.Status.SUBMITTED, OwnerReport.Status.ACCEPTED]


def goals_for(*, municipality, year) -> ProgrammeGoals | None:
    return ProgrammeGoals.objects.filter(municipality=municipality, year=year).first()


def visitors_targets(*, municipality_ids) -> dict[tuple[int, int], int]:
    """The visitors goal per (municipality, year), where one is set."""
    return {
        (municipality_id, year): percent
        for municipality_id, year, percent in ProgrammeGoals.objects.filter(
            municipality__in=municipality_ids, visitors_change_percent__isnull=False
        ).values_list("municipality", "year", "visitors_change_percent")
    }


def agreements_in_year(*, municipality, year):
    """Signed agreements whose term overlaps the calendar year."""
    return (
        Agreement.objects.signed()
        .filter(municipality=municipality, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
    )


@dataclass(frozen=True)
class YearFigures:
    """One year of an outlet's report. `year` is the calendar year in which the
    reported agreement year ends; `target_percent` is that year's visitors goal."""

    year: int
    report: OwnerReport
    change_percent: float | None = None
    target_percent: int | None = None
    target_met: bool | None = None

    @property
    def visitors_per_week(self):
        return self.report.visitors_per_week


@dataclass
class OutletKpis:
    outlet: object
    years: list[YearFigures] = field(default_factory=list)

    @property
    def latest(self):
        return self.years[-1] if self.years else None


def visitors_change(previous: int | None, current: int | None) -> float | None:
    """The change in percent, one decimal; None without a base to compare with."""
    if not previous or current is None:
        return None
    return round((current - previous) * 100 / previous, 1)


def outlet_kpis(*, outlets, until_year: int | None = None) -> list[OutletKpis]:
    """Each outlet's counted reports year over year, with the change in visitors per
    week against the year's visitors goal (met when the change reaches it)."""
    reports = (
        OwnerReport.objects.filter(
            followup__agreement__outlet__in=outlets, status__in=COUNTED_REPORTS
        )
        .select_related("followup__agreement__outlet__municipality")
        .order_by("followup__period_end")
    )
    if until_year is not None:
        reports = reports.filter(followup__period_end__year__lte=until_year)
    reports = list(reports)
    targets = visitors_targets(
        municipality_ids={r.followup.agreement.outlet.municipality_id for r in reports}
    )
    by_outlet: dict[int, OutletKpis] = {}
    for report in reports:
        outlet = report.followup.agreement.outlet
        kpis = by_outlet.setdefault(outlet.pk, OutletKpis(outlet))
        year = report.followup.period_end.year
        previous = kpis.latest
        change = None
        if previous is not None and previous.year == year - 1:
            change = visitors_change(
                previous.visitors_per_week, report.visitors_per_week
            )
        target = targets.get((outlet.municipality_id, year))
        kpis.years.append(
            YearFigures(
                year=year,
                report=report,
                change_percent=change,
                target_percent=target,
                target_met=None
                if change is None or target is None
                else change >= target,
            )
        )
    return sorted(by_outlet.values(), key=lambda kpis: kpis.outlet.name)


def municipality_visitors_change(*, municipality, year) -> float | None:
    """The change in visitors per week at all the service points together, from the
    year before: the outlets with a counted report in both years, summed."""
    previous = current = 0
    outlets = municipality.outlets.all()
    for kpis in outlet_kpis(outlets=outlets, until_year=year):
        by_year = {figures.year: figures for figures in kpis.years}
        if year in by_year and year - 1 in by_year:
            previous += by_year[year - 1].visitors_per_week or 0
            current += by_year[year].visitors_per_week or 0
    return visitors_change(previous, current) if previous else None


def staff_trained_in_year(*, municipality, year) -> int:
    return Training.objects.filter(
        municipality=municipality, held_on__year=year
    ).aggregate(total=Sum("participant_count", default=0))["total"]


def activities_in_year(*, municipality, year) -> int:
    return Activity.objects.filter(
        outlet__municipality=municipality, held_on__year=year
    ).count()


def service_points_in_year(*, municipality, year) -> int:
    """Outlets with a signed agreement in force some time in the year."""
    return (
        agreements_in_year(municipality=municipality, year=year)
        .values("outlet")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class GoalResult:
    """A goal of the year, what came of it, and whether it was met: True, False,
    or None when it cannot be told yet (the year is not over, no figures yet)."""

    key: str
    label: str
    target: object
    outcome: object
    met: bool | None
    unit: str = ""


def _count_met(outcome, target, *, year_over) -> bool | None:
    """A count only grows in its year: reached is met, short of it is not met
    only once the year is over."""
    if outcome >= target:
        return True
    return False if year_over else None


def goal_results(*, municipality, year, today=None) -> list[GoalResult]:
    """Each goal set for the municipality's year, its outcome from the year's
    figures, and whether it was met. An empty list when no goals are set.

    `target` and `outcome` are numbers (a count; a change in percent, one decimal)
    except for the goal of one's own, where both are text; `outcome` is None
    where there is no figure yet.
    """
    goals = goals_for(municipality=municipality, year=year)
    if goals is None:
        return []
    today = today or timezone.localdate()
    started = today >= date(year, 1, 1)
    year_over = today > date(year, 12, 31)

    def count_result(key, label, target, figure):
        outcome = figure(municipality=municipality, year=year) if started else None
        met = (
            None
            if outcome is None
            else _count_met(outcome, target, year_over=year_over)
        )
        return GoalResult(key, str(label), target, outcome, met)

    results = []
    if goals.service_points is not None:
        results.append(
            count_result(
                "service_points",
                _("Service points with an agreement in force"),
                goals.service_points,
                service_points_in_year,
            )
        )
    if goals.visitors_change_percent is not None:
        change = municipality_visitors_change(municipality=municipality, year=year)
        results.append(
            GoalResult(
                "visitors_change_percent",
                str(_("Change in visitors per week")),
                goals.visitors_change_percent,
                change,
                None if change is None else change >= goals.visitors_change_percent,
                unit="%",
            )
        )
    if goals.staff_trained is not None:
        results.append(
            count_result(
                "staff_trained",
                _("Staff trained"),
                goals.staff_trained,
                staff_trained_in_year,
            )
        )
    if goals.activities_held is not None:
        results.append(
            count_result(
                "activities_held",
                _("Activities held"),
                goals.activities_held,
                activities_in_year,
            )
        )
    if goals.own_goal:
        results.append(
            GoalResult(
                "own_goal",
                str(_("Goal of our own")),
                goals.own_goal,
                goals.own_goal_outcome or None,
                goals.own_goal_met,
            )
        )
    return results


def investments_by_year(*, investments) -> list[dict]:
    """Per year, newest first: the cost and each source's share, summed."""
    return list(
        investments.annotate(year=ExtractYear("made_on"))
        .values("year")
        .order_by("-year")
        .annotate(
            cost=Sum("cost"),
            **{source: Sum(source) for source in Investment.FINANCING_SOURCES},
        )
    )


def investments_in_year(*, municipality, year):
    return (
        Investment.objects.in_programme()
        .filter(outlet__municipality=municipality, made_on__year=year)
        .select_related("outlet")
    )
