"""Key figures (Swedish: *nyckeltal*) read across agreements, follow-ups and
deliveries: per outlet year over year, and per municipality and calendar year."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Min, Q
from django.utils import timezone

from agreements.models import Agreement, Payout
from agreements.selectors import BudgetSummary, budget_summary, days_within
from agreements.selectors import year_length as days_in_year
from followup.models import AgreedAction, FollowUp, FollowUpSettings, OwnerReport

# Reports whose figures count: sent in by the owner, not drafts or sent back.
COUNTED_REPORTS = [OwnerReport.Status.SUBMITTED, OwnerReport.Status.ACCEPTED]


@dataclass(frozen=True)
class YearFigures:
    """One year of an outlet's report. `year` is the calendar year in which the
    reported agreement year ends."""

    year: int
    report: OwnerReport
    change_percent: float | None = None
    target_met: bool | None = None

    @property
    def visitors_per_week(self):
        return self.report.visitors_per_week


@dataclass
class OutletKpis:
    outlet: object
    target_percent: int
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
    week against its municipality's target (met when the change reaches it)."""
    reports = (
        OwnerReport.objects.filter(
            followup__agreement__outlet__in=outlets, status__in=COUNTED_REPORTS
        )
        .select_related("followup__agreement__outlet__municipality")
        .order_by("followup__period_end")
    )
    if until_year is not None:
        reports = reports.filter(followup__period_end__year__lte=until_year)
    by_outlet: dict[int, OutletKpis] = {}
    targets: dict[int, int] = {}
    for report in reports:
        outlet = report.followup.agreement.outlet
        if outlet.municipality_id not in targets:
            targets[outlet.municipality_id] = FollowUpSettings.for_municipality(
                outlet.municipality
            ).visitors_target_percent
        kpis = by_outlet.setdefault(
            outlet.pk, OutletKpis(outlet, targets[outlet.municipality_id])
        )
        year = report.followup.period_end.year
        previous = kpis.latest
        change = None
        if previous is not None and previous.year == year - 1:
            change = visitors_change(
                previous.visitors_per_week, report.visitors_per_week
            )
        kpis.years.append(
            YearFigures(
                year=year,
                report=report,
                change_percent=change,
                target_met=None if change is None else change >= kpis.target_percent,
            )
        )
    return sorted(by_outlet.values(), key=lambda kpis: kpis.outlet.name)


@dataclass(frozen=True)
class MunicipalityKpis:
    """A municipality's key figures for a calendar year. Follow-ups count in the
    year of their due date; money is pro rata by the days of the year."""

    municipality: object
    year: int
    agreements_in_force: int
    budget: BudgetSummary
    followups_total: int
    followups_done: int
    followups_overdue: int
    actions_open: int
    actions_late: int
    actions_total: int
    target_percent: int

    @property
    def committed(self):
        return self.budget.committed

    @property
    def paid(self):
        return self.budget.paid

    @property
    def followups_pending(self):
        return self.followups_total - self.followups_done - self.followups_overdue


def report_years(*, municipality, today=None) -> range:
    """The years a municipality's report can be asked for: from the year before its
    first agreement to next year (a year without agreements starts this year)."""
    this_year = (today or timezone.localdate()).year
    first = Agreement.objects.filter(municipality=municipality).aggregate(
        first=Min("starts_on")
    )["first"]
    return range(min(first.year if first else this_year, this_year) - 1, this_year + 2)


def kpi_years(*, municipality, shown, today=None) -> list[int]:
    """The years the key-figures page offers, newest first: next year too when
    follow-ups already fall due then."""
    this_year = (today or timezone.localdate()).year
    newest = this_year
    if FollowUp.objects.filter(
        agreement__municipality=municipality, due_on__year=this_year + 1
    ).exists():
        newest += 1
    return list(range(newest, this_year - shown, -1))


def agreements_in_year(*, municipality, year):
    """Signed agreements whose term overlaps the calendar year."""
    return (
        Agreement.objects.signed()
        .filter(municipality=municipality, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
    )


def followups_in_year(*, municipality, year):
    return FollowUp.objects.filter(
        agreement__municipality=municipality, due_on__year=year
    )


def actions_in_year(*, municipality, year):
    """The agreed actions a year answers for: those of its follow-ups, and those of
    earlier years' follow-ups that are still open (they count until done)."""
    return AgreedAction.objects.filter(
        Q(meeting__followup__due_on__year=year)
        | Q(meeting__followup__due_on__year__lt=year, status=AgreedAction.Status.OPEN),
        meeting__followup__agreement__municipality=municipality,
    )


def actions_carried_over(*, municipality, year):
    """Actions agreed in earlier years' follow-ups and still open, oldest first."""
    return (
        actions_in_year(municipality=municipality, year=year)
        .filter(meeting__followup__due_on__year__lt=year)
        .select_related("meeting__followup__agreement__outlet")
        .order_by(
            "meeting__followup__due_on",
            "meeting__followup__agreement__outlet__name",
            "pk",
        )
    )


def municipality_kpis(*, municipality, year, today=None) -> MunicipalityKpis:
    today = today or timezone.localdate()
    followups = followups_in_year(municipality=municipality, year=year)
    counts = followups.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(completed_at__isnull=False)),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, due_on__lt=today)),
    )
    is_open = Q(status=AgreedAction.Status.OPEN)
    actions = actions_in_year(municipality=municipality, year=year).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        late=Count("pk", filter=is_open & Q(due_on__lt=today)),
    )
    return MunicipalityKpis(
        municipality=municipality,
        year=year,
        agreements_in_force=agreements_in_year(
            municipality=municipality, year=year
        ).count(),
        budget=budget_summary(municipality=municipality, year=year),
        followups_total=counts["total"],
        followups_done=counts["done"],
        followups_overdue=counts["overdue"],
        actions_open=actions["open"],
        actions_late=actions["late"],
        actions_total=actions["total"],
        target_percent=FollowUpSettings.for_municipality(
            municipality
        ).visitors_target_percent,
    )


@dataclass(frozen=True)
class ServicePointYear:
    """An agreement's service point in a calendar year: its terms then and its
    money pro rata by days, as budget_summary counts them."""

    agreement: Agreement
    version: object
    committed: int
    paid: int


def service_points(*, municipality, year) -> list[ServicePointYear]:
    agreements = (
        agreements_in_year(municipality=municipality, year=year)
        .select_related("outlet", "party")
        .prefetch_related("versions__services__service", "payouts")
        .order_by("outlet__name", "pk")
    )
    rows = []
    for agreement in agreements:
        version = agreement.version_on(max(agreement.starts_on, date(year, 1, 1)))
        if version is None:
            continue
        end = agreement.ends_on or date(year, 12, 31)
        committed = (
            version.annual_compensation
            * days_within(agreement.starts_on, end, year)
            // days_in_year(year)
        )
        paid = sum(
            payout_share(payout, year)
            for payout in agreement.payouts.all()
            if payout.status == Payout.Status.PAID
        )
        rows.append(ServicePointYear(agreement, version, committed, paid))
    return rows


def payout_share(payout, year) -> int:
    """The part of a payout that falls in the calendar year, by days."""
    days = (payout.period_end - payout.period_start).days + 1
    share = days_within(payout.period_start, payout.period_end, year)
    return payout.amount * share // days


def payouts_in_year(*, municipality, year):
    """Payouts whose period overlaps the year, with their share in it; cancelled
    ones are left out (they were never to be paid)."""
    payouts = (
        Payout.objects.filter(
            agreement__municipality=municipality,
            period_start__lte=date(year, 12, 31),
            period_end__gte=date(year, 1, 1),
        )
        .exclude(status=Payout.Status.CANCELLED)
        .select_related("agreement__outlet")
        .order_by("agreement__outlet__name", "period_start", "pk")
    )
    return [(payout, payout_share(payout, year)) for payout in payouts]
