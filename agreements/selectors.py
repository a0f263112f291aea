"""Reads across agreements, payouts and budgets: the budget and the coming deadlines."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementVersion,
    Payout,
    ProgrammeBudget,
    Signature,
)
from core.history import HistoryEntry, history_of


def days_within(start, end, year):
    """How many days of [start, end] fall in the calendar year."""
    first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    return max((last - first).days + 1, 0)


def year_length(year):
    return (date(year, 12, 31) - date(year, 1, 1)).days + 1


@dataclass(frozen=True)
class ChangeUnderWork:
    """An amendment or a renewal of a signed agreement that is being drafted or
    waits for signatures. It counts nowhere until both sides have signed; the
    pages that sum agreements show it beside what is in force."""

    agreement: Agreement  # the signed agreement it would change
    version: AgreementVersion  # the amendment, or the renewal's first version

    @property
    def is_renewal(self):
        return self.version.agreement_id != self.agreement.pk

    @property
    def annual_compensation(self):
        return self.version.annual_compensation

    @property
    def starts_on(self):
        return self.version.effective_on

    @property
    def url(self):
        return self.version.agreement.get_absolute_url()

    def changes_year(self, year) -> bool:
        """Whether, once signed, it would change the commitment of the calendar
        year: it takes effect by the year's end, and the terms it changes (the
        agreement amended, or the renewal's fixed term) still run in the year."""
        if self.starts_on > date(year, 12, 31):
            return False
        if self.is_renewal:
            end = self.version.term.fixed_end()
        else:
            end = self.agreement.ends_on
        return end is None or end >= date(year, 1, 1)


def changes_under_work(*, agreements) -> list[ChangeUnderWork]:
    """The amendments and renewals of these agreements that are drafted or wait
    for signatures, by outlet and date."""
    signed = agreements.filter(state=Agreement.State.SIGNED).values("pk")
    amendments = AgreementVersion.objects.filter(
        agreement__in=signed,
        number__gt=1,
        signed_at__isnull=True,
        withdrawn_at__isnull=True,
    ).select_related("agreement__outlet")
    renewals = AgreementVersion.objects.filter(
        number=1,
        agreement__replaces__in=signed,
        agreement__state__in=[Agreement.State.DRAFT, Agreement.State.READY],
    ).select_related("agreement__replaces__outlet")
    changes = [ChangeUnderWork(version.agreement, version) for version in amendments]
    changes += [
        ChangeUnderWork(version.agreement.replaces, version) for version in renewals
    ]
    return sorted(
        changes,
        key=lambda change: (change.agreement.outlet.name, change.starts_on),
    )


def changes_under_work_in(municipality) -> list[ChangeUnderWork]:
    return changes_under_work(
        agreements=Agreement.objects.filter(municipality=municipality)
    )


def changes_under_work_of(agreement) -> list[ChangeUnderWork]:
    """`changes_under_work` of one agreement, read from its versions and its
    renewal (`replaced_by`) with the renewal's versions, prefetched for a list."""
    if agreement.state != Agreement.State.SIGNED:
        return []
    changes = [
        ChangeUnderWork(agreement, version)
        for version in agreement.versions.all()
        if version.number > 1 and not version.signed_at and not version.withdrawn_at
    ]
    renewal = agreement.replaced_by
    if renewal is not None and renewal.state in (
        Agreement.State.DRAFT,
        Agreement.State.READY,
    ):
        changes.append(ChangeUnderWork(agreement, renewal.first_version()))
    return changes


@dataclass(frozen=True)
class BudgetSummary:
    year: int
    budget: int | None
    committed: int
    approved: int
    paid: int
    # Amendments and renewals under work that would change `committed` once
    # signed; not counted in it.
    changes: tuple[ChangeUnderWork, ...] = ()

    @property
    def over_budget(self):
        return self.budget is not None and self.committed > self.budget


def budget_summary(*, municipality, year, changes=None) -> BudgetSummary:
    """Committed (agreements in force, pro rata by days of the calendar year),
    approved and paid (payouts, pro rata by the days of their periods in the year).
    Amendments and renewals under work are listed beside, never counted;
    `changes`: the municipality's changes_under_work, when the caller has them."""
    summary = budget_summaries(municipalities=[municipality], year=year)[
        municipality.pk
    ]
    if changes is None:
        changes = changes_under_work_in(municipality)
    return replace(
        summary,
        changes=tuple(change for change in changes if change.changes_year(year)),
    )


def budget_summaries(*, municipalities, year) -> dict[int, BudgetSummary]:
    """`budget_summary` of each municipality, by its id, in the same few queries
    however many there are (a county side by side); without the changes under
    work."""
    ids = [municipality.pk for municipality in municipalities]
    budgets = dict(
        ProgrammeBudget.objects.filter(municipality__in=ids, year=year).values_list(
            "municipality_id", "amount"
        )
    )
    # Each agreement's compensation under the terms in force when the year (or the
    # agreement) starts, read in SQL rather than from every agreement's versions (a
    # county has thousands).
    terms_then = AgreementVersion.objects.terms_on(
        Greatest(OuterRef("starts_on"), Value(date(year, 1, 1)))
    )
    agreements = (
        Agreement.objects.signed()
        .filter(municipality__in=ids, starts_on__lte=date(year, 12, 31))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
        .annotate(compensation=Subquery(terms_then.values("annual_compensation")[:1]))
        .values_list("municipality_id", "compensation", "starts_on", "ends_on")
    )
    committed = dict.fromkeys(ids, 0)
    for municipality_id, compensation, starts_on, ends_on in agreements:
        if compensation is None:  # no terms signed by then
            continue
        end = ends_on or date(year, 12, 31)
        committed[municipality_id] += (
            compensation * days_within(starts_on, end, year) // year_length(year)
        )
    sums = {pk: {Payout.Status.APPROVED: 0, Payout.Status.PAID: 0} for pk in ids}
    payouts = Payout.objects.filter(
        agreement__municipality__in=ids,
        status__in=[Payout.Status.APPROVED, Payout.Status.PAID],
        period_start__lte=date(year, 12, 31),
        period_end__gte=date(year, 1, 1),
    ).values_list(
        "agreement__municipality_id", "status", "amount", "period_start", "period_end"
    )
    for municipality_id, status, amount, start, end in payouts:
        days = (end - start).days + 1
        sums[municipality_id][status] += amount * days_within(start, end, year) // days
    return {
        pk: BudgetSummary(
            year=year,
            budget=budgets.get(pk),
            committed=committed[pk],
            approved=sums[pk][Payout.Status.APPROVED],
            paid=sums[pk][Payout.Status.PAID],
        )
        for pk in ids
    }


@dataclass(frozen=True)
class Deadline:
    on: date
    kind: str  # "decision", "notice" or "payout"
    agreement: Agreement
    amount: int | None = None


def agreements_with_open_terms(*, municipality, today=None):
    """The municipality's agreements in force with no notice given: their decision
    dates and notice deadlines are still to be met. Each says whether a renewal
    (not withdrawn) takes over from it."""
    today = today or timezone.localdate()
    renewals = Agreement.objects.filter(replaces=OuterRef("pk")).exclude(
        state=Agreement.State.WITHDRAWN
    )
    return (
        Agreement.objects.in_force(on=today)
        .filter(municipality=municipality, notice_given_on__isnull=True)
        .annotate(has_renewal=Exists(renewals))
        .select_related("outlet")
        .prefetch_related("versions")
    )


def deadlines(
    *, municipality, within_days=90, today=None, agreements=None
) -> list[Deadline]:
    """Decision dates, notice deadlines and payouts due in the coming days;
    `agreements`: agreements_with_open_terms, when the caller has them."""
    today = today or timezone.localdate()
    until = today + timedelta(days=within_days)
    found = []
    if agreements is None:
        agreements = agreements_with_open_terms(municipality=municipality, today=today)
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


@dataclass(frozen=True)
class MissedDeadline:
    """A decision date or notice deadline of the current period that has passed
    with no action registered: no notice given and no renewal drafted. Past the
    notice deadline the agreement runs on for another period."""

    kind: str  # "decision" or "notice"
    on: date
    notice_deadline: date
    period_end: date
    agreement: Agreement

    @property
    def message(self) -> str:
        if self.kind == "notice":
            return _(
                "The last day to give notice was %(deadline)s and no decision is "
                "registered: the agreement runs on after %(end)s."
            ) % {
                "deadline": self.on.isoformat(),
                "end": self.period_end.isoformat(),
            }
        return _(
            "The municipality's decision date was %(decision)s and no decision is "
            "registered; the last day to give notice is %(deadline)s."
        ) % {
            "decision": self.on.isoformat(),
            "deadline": self.notice_deadline.isoformat(),
        }


def missed_deadline(agreement, *, term, renewed, today=None) -> MissedDeadline | None:
    """The agreement's passed decision date or notice deadline, if nothing was done
    about it: `term` is its first version's, `renewed` whether a renewal (signed
    or being drafted) takes over from it."""
    today = today or timezone.localdate()
    if agreement.status_on(today) != "in_force" or renewed or term.is_fixed:
        return None
    period = term.period_on(today)
    deadline = term.notice_deadline(period)
    decision = term.decision_date(period)
    if deadline < today:
        kind, on = "notice", deadline
    elif decision < today:
        kind, on = "decision", decision
    else:
        return None
    return MissedDeadline(kind, on, deadline, period.ends_on, agreement)


def missed_deadlines(
    *, municipality, today=None, agreements=None
) -> list[MissedDeadline]:
    """The municipality's agreements in force whose decision date or notice
    deadline has passed without action, the oldest first; `agreements`:
    agreements_with_open_terms, when the caller has them."""
    today = today or timezone.localdate()
    if agreements is None:
        agreements = agreements_with_open_terms(municipality=municipality, today=today)
    found = [
        missed_deadline(
            agreement,
            term=agreement.first_version().term,
            renewed=agreement.has_renewal,
            today=today,
        )
        for agreement in agreements
    ]
    return sorted(
        (missed for missed in found if missed is not None),
        key=lambda missed: (missed.on, missed.agreement.reference),
    )


def agreement_history(*, agreement, versions, limit=200) -> list[HistoryEntry]:
    """Every recorded change to the agreement, its versions, signatures and payouts,
    and to its party (whose bank details payouts go to), newest first, with who
    made it. Not the party's other agreements: they have pages of their own."""
    return history_of([agreement], versions, tracked=[agreement.party], limit=limit)


@dataclass(frozen=True)
class AwaitingSignature:
    """A document ready for signature that the service point has not signed: a new
    agreement, an amendment or a renewal, whether the municipality has signed."""

    version: AgreementVersion

    @property
    def agreement(self):
        return self.version.agreement

    @property
    def municipality_signed(self):
        return any(
            signature.side == Signature.Side.MUNICIPALITY
            for signature in self.version.signatures.all()
        )


def awaiting_party_signature(*, user) -> list[AwaitingSignature]:
    """The documents waiting for the shop owner's signature: the latest version of
    an agreement of their outlets, frozen for signature, that the service point has
    not signed (nor withdrawn by the municipality)."""
    versions = (
        AgreementVersion.objects.filter(
            agreement__in=Agreement.objects.signable_by(
                user, Signature.Side.PARTY
            ).exclude(state=Agreement.State.WITHDRAWN),
            signed_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .exclude(document_sha256="")
        .exclude(signatures__side=Signature.Side.PARTY)
        .select_related("agreement__outlet", "agreement__replaces")
        .prefetch_related("signatures")
        .order_by("agreement__outlet__name", "agreement__pk", "number")
    )
    return [AwaitingSignature(version) for version in versions]
