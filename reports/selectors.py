"""Key figures (Swedish: *nyckeltal*) read across agreements, follow-ups and
deliveries: per outlet year over year, and per municipality and calendar year."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Q
from django.utils import timezone

from agreements.models import Agreement, Payout
from agreements.selectors import BudgetSummary, budget_summary, days_within
from agreements.selectors import year_length as days_in_year
from followup.models import AgreedAction, FollowUp

# The figures the programme's goals are measured against are defined with the goals.
from programme.selectors import COUNTED_REPORTS as COUNTED_REPORTS
from programme.selectors import OutletKpis as OutletKpis
from programme.selectors import YearFigures as YearFigures
from programme.selectors import agreements_in_year as agreements_in_year
from programme.selectors import goals_for
from programme.selectors import outlet_kpis as outlet_kpis
from programme.selectors import visitors_change as visitors_change


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
    target_percent: int | None

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
        target_percent=getattr(
            goals_for(municipality=municipality, year=year),
            "visitors_change_percent",
            None,
        ),
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
