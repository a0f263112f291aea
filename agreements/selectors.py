"""Reads across agreements, payouts and budgets: the budget and the coming deadlines."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from agreements.models import Agreement, Payout, ProgrammeBudget
from core.history import HistoryEntry, history_of


def days_within(start, end, year):
    """How many days of [start, end] fall in the calendar year."""
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    return max((last - first).days + 1, 0)


def year_length(year):
    return (date(year, 12, 31) - date(year, 1, 1)).days + 1


@dataclass(frozen=True)
class BudgetSummary:
    year: int
    budget: int | None
    committed: int
    approved: int
    paid: int

    @property
    def over_budget(self):
        return self.budget is not None and self.committed > self.budget


def budget_summary(*, municipality, year) -> BudgetSummary:
    """Committed (agreements in force, pro rata by days of the calendar year),
    approved and paid (payouts, pro rata by the days of their periods in the year)."""
    budget = ProgrammeBudget.objects.filter(
        municipality=municipality, year=year
    ).first()
    agreements = (
        Agreement.objects.signed()
        .filter(municipality=municipality, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
        .prefetch_related("versions")
    )
    committed = 0
    for agreement in agreements:
        version = agreement.version_on(max(agreement.starts_on, date(year, 1, 1)))
        if version is None:
            continue
        end = agreement.ends_on or date(year, 12, 31)
        committed += (
            version.annual_compensation
            * days_within(agreement.starts_on, end, year)
            // year_length(year)
        )
    sums = {Payout.Status.APPROVED: 0, Payout.Status.PAID: 0}
    payouts = Payout.objects.filter(
        agreement__municipality=municipality,
        status__in=list(sums),
        period_start__lte=date(year, 12, 31),
        period_end__gte=date(year, 1, 1),
    )
    for payout in payouts:
        days = (payout.period_end - payout.period_start).days + 1
        share = days_within(payout.period_start, payout.period_end, year)
        sums[payout.status] += payout.amount * share // days
    return BudgetSummary(
        year=year,
        budget=budget.amount if budget else None,
        committed=committed,
        approved=sums[Payout.Status.APPROVED],
        paid=sums[Payout.Status.PAID],
    )


@dataclass(frozen=True)
class Deadline:
    on: date
    kind: str  # "decision", "notice" or "payout"
    agreement: Agreement
    amount: int | None = None


def deadlines(*, municipality, within_days=90, today=None) -> list[Deadline]:
    """Decision dates, notice deadlines and payouts due in the coming days."""
    today = today or timezone.localdate()
    until = today + timedelta(days=within_days)
    found = []
    agreements = (
        Agreement.objects.in_force(on=today)
        .filter(municipality=municipality, notice_given_on__isnull=True)
        .select_related("outlet")
        .prefetch_related("versions")
    )
    for agreement in agreements:
        term = agreement.first_version().term
        if term.is_fixed:
            continue
        period = term.period_on(today)
        for kind, day in (
            ("decision", term.decision_date(period)),
            ("notice", term.notice_deadline(period)),
        ):
            if today <= day <= until:
                found.append(Deadline(day, kind, agreement))
    payouts = (
        Payout.objects.payable()
        .filter(agreement__municipality=municipality, due_on__range=(today, until))
        .select_related("agreement__outlet")
    )
    found += [
        Deadline(payout.due_on, "payout", payout.agreement, payout.amount)
        for payout in payouts
    ]
    return sorted(found, key=lambda deadline: (deadline.on, deadline.kind))


def agreement_history(*, agreement, versions, limit=200) -> list[HistoryEntry]:
    """Every recorded change to the agreement, its versions, signatures and payouts,
    and its party (whose bank details payouts go to), newest first, with who made
    it."""
    return history_of([agreement], versions, [agreement.party], limit=limit)
