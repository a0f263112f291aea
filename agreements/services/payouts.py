"""Payouts: planning them from the signed terms, their approval, payment and
withholding, the conditions they wait for, and the finance system's file."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementVersion, Payout
from agreements.payouts import payout_schedule
from agreements.services.access import check_manager
from agreements.services.attestation import check_payout_attestation
from agreements.signals import payouts_planned


@transaction.atomic
def payouts_plan(
    *, agreement: Agreement, today: date | None = None, again: Iterable[date] = ()
):
    """Plan the payouts through the agreement's end, or its current period's end.

    A period that already has a payout is not planned again, even when that payout
    was cancelled (an official decided it is not paid), except the periods in
    `again`, whose payouts were cancelled to be planned anew (`payouts_replan`).

    The agreement's row is locked while its payouts are planned, so that two plannings
    at once (the daily job and a notice, say) take turns and the second sees the
    first's payouts; the one-per-period constraint backs this up for any writer
    that does not take the lock, refusing (IntegrityError) rather than skipping a
    payout that meets one already there.
    """
    agreement = _locked(agreement)
    again = set(again)
    existing = {
        period_start
        for period_start, status in agreement.payouts.values_list(
            "period_start", "status"
        )
        if status != Payout.Status.CANCELLED or period_start not in again
    }
    # What a cancelled payout's period had already met carries over to the new one.
    met = {
        payout.period_start: payout
        for payout in agreement.payouts.filter(
            status=Payout.Status.CANCELLED, period_start__in=again
        )
    }
    new = []
    for payout in _payouts_wanted(agreement, today):
        if payout.period_start in existing:
            continue
        before = met.get(payout.period_start)
        if before is not None and before.condition_year == payout.condition_year:
            payout.followup_complete = before.followup_complete
            payout.report_received = before.report_received
        new.append(payout)
    # No ON CONFLICT DO NOTHING: a payout that met one already there would be
    # dropped without a word (issue 16: an early end's part period vanished
    # under a withheld payout). The constraint refuses it instead, loudly.
    Payout.objects.bulk_create(new)
    if new:
        payouts_planned.send(sender=Agreement, agreement=agreement)


@transaction.atomic
def payouts_replan(
    *,
    agreement: Agreement,
    from_day: date,
    by,
    reason: str,
    approved_too: bool = False,
):
    """Bring the payouts of periods that end on or after `from_day` in line with
    the agreement as it now stands (an earlier end, amended terms): each planned
    payout (and approved or withheld one, with `approved_too`: an early end) that
    the terms no longer give as it is, is cancelled with `reason`, and its period
    is planned anew, pro rata when the agreement now ends inside it, keeping the
    condition the cancelled payout had met. Paid payouts never change; money paid
    for days after an early end is claimed back (`payouts_recover_after`)."""
    agreement = _locked(agreement)
    statuses = (
        (*Payout.PAYABLE, Payout.Status.WITHHELD)
        if approved_too
        else (Payout.Status.PLANNED,)
    )
    payouts = list(
        agreement.payouts.filter(status__in=statuses, period_end__gte=from_day)
    )
    # As far ahead as payouts were planned, so that none is taken for one the
    # terms no longer give only because it lies beyond today's period.
    horizon = max([timezone.localdate(), *(payout.period_start for payout in payouts)])
    wanted = {
        payout.period_start: payout for payout in _payouts_wanted(agreement, horizon)
    }
    again = []
    for payout in payouts:
        new = wanted.get(payout.period_start)
        if new is not None and _same_terms(payout, new):
            continue
        _payout_cancel(payout, by, reason)
        again.append(payout.period_start)
    payouts_plan(agreement=agreement, today=horizon, again=again)


def _same_terms(payout, new):
    fields = ("period_end", "due_on", "amount", "vat_amount", "condition_year")
    return all(getattr(payout, name) == getattr(new, name) for name in fields)


def _locked(agreement):
    return (
        Agreement.objects.select_for_update(of=("self",))
        .prefetch_related("versions")
        .get(pk=agreement.pk)
    )


def _payouts_wanted(agreement, today):
    """The payouts the signed terms give through the agreement's end, or its
    current period's end, unsaved."""
    version = agreement.first_version()
    term = version.term
    today = today or timezone.localdate()
    until = agreement.ends_on or term.period_on(max(today, term.starts_on)).ends_on
    signed_versions = sorted(
        (v for v in agreement.versions.all() if v.signed_at), key=lambda v: v.number
    )
    return [
        Payout(
            agreement=agreement,
            agreement_year=planned.agreement_year,
            period_start=planned.period_start,
            period_end=planned.period_end,
            due_on=planned.due_on,
            condition_year=planned.condition_year,
            requires_followup=planned.requires_followup,
            requires_report=planned.requires_report,
            **_amounts_by_version(planned, signed_versions),
        )
        for planned in payout_schedule(
            starts_on=version.starts_on,
            until=until,
            annual_compensation=version.annual_compensation,
            vat_rate_percent=version.vat_rate_percent,
            frequency_months=version.payout_frequency_months,
            in_advance=version.payout_timing == AgreementVersion.PayoutTiming.ADVANCE,
            payment_days=version.payment_days,
            requires_followup=version.payout_requires_followup,
            requires_report=version.payout_requires_report,
            condition_previous_year=version.payout_waits_for_previous_year,
        )
    ]


def payouts_plan_ahead(*, today: date | None = None) -> int:
    """Plan the payouts of every signed agreement through its current period.

    A tacitly extended agreement's next period's payouts are planned once that period
    has begun: the daily job calls this. Returns the number of agreements looked at.
    """
    today = today or timezone.localdate()
    agreements = Agreement.objects.signed().filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    count = 0
    for agreement in agreements.only("pk").iterator(chunk_size=200):
        payouts_plan(agreement=agreement, today=today)
        count += 1
    return count


def _amounts_by_version(planned, versions):
    """A payout's amount and VAT under the versions in force during its period.

    The first version's schedule gives each instalment's share of the year; a period
    that an amendment's effective date splits is paid pro rata by days under each
    version, rounded down to whole kronor.
    """
    if len(versions) <= 1:
        return {"amount": planned.amount, "vat_amount": planned.vat_amount}
    first = versions[0]
    days_total = (planned.period_end - planned.period_start).days + 1
    amount = vat = 0
    for index, version in enumerate(versions):
        following = versions[index + 1] if index + 1 < len(versions) else None
        start = max(planned.period_start, version.effective_on)
        end = planned.period_end
        if following is not None:
            end = min(end, following.effective_on - timedelta(days=1))
        days = (end - start).days + 1
        if days <= 0:
            continue
        part = (
            planned.amount
            * version.annual_compensation
            * days
            // (first.annual_compensation * days_total)
        )
        amount += part
        vat += round(part * version.vat_rate_percent / 100)
    return {"amount": amount, "vat_amount": vat}


@transaction.atomic
def payout_approve(*, payout: Payout, by) -> Payout:
    check_manager(by, payout.agreement)
    _lock_and_refresh(payout)
    if payout.status != Payout.Status.PLANNED:
        raise ValidationError(_("Only a planned payout can be approved."))
    if payout.awaits_followup:
        raise ValidationError(
            _("The payout waits for the follow-up of agreement year %(year)s.")
            % {"year": payout.condition_year},
            code="condition_not_met",
        )
    if payout.awaits_report:
        raise ValidationError(
            _("The payout waits for the yearly report of agreement year %(year)s.")
            % {"year": payout.condition_year},
            code="condition_not_met",
        )
    check_payout_attestation(payout=payout, by=by)
    return _payout_set_status(payout, Payout.Status.APPROVED, by)


def _lock_and_refresh(payout):
    """Lock the payout's row and read it as it now stands, into the caller's
    object: of two approvals at once, the second sees the first's."""
    Payout.objects.select_for_update().filter(pk=payout.pk).values_list("pk").get()
    payout.refresh_from_db()


@dataclass
class PayoutRefusal:
    payout: Payout
    reason: str


@transaction.atomic
def payouts_approve(*, payouts: Iterable[Payout], by) -> tuple[list, list]:
    """Approve several payouts at once, each on its own (Swedish: *beslutsattest*).

    Each payout is approved or refused by itself under the same rules as one
    approved alone (`payout_approve`): a refused one (its condition does not hold,
    the payee's bank details are not confirmed or were entered by `by`, `by`
    drafted the agreement, it is no longer planned) leaves the others approved.
    Per payout rather than all or nothing, because each is a decision of its own
    and one waiting follow-up should not hold back a shop that has done its part.
    The rows are locked in one order, so two officials approving overlapping
    selections take turns, and the second is told the payout is already approved.
    Returns (the approved payouts, a refusal with its reason per refused one).
    """
    approved, refused = [], []
    payouts = sorted(payouts, key=lambda payout: payout.pk)
    list(
        Payout.objects.select_for_update()
        .filter(pk__in=[payout.pk for payout in payouts])
        .order_by("pk")
        .values_list("pk")
    )
    for payout in payouts:
        try:
            with transaction.atomic():
                approved.append(payout_approve(payout=payout, by=by))
        except ValidationError as error:
            refused.append(PayoutRefusal(payout, " ".join(error.messages)))
    return approved, refused


@transaction.atomic
def payout_mark_paid(*, payout: Payout, by) -> Payout:
    check_manager(by, payout.agreement)
    if payout.status != Payout.Status.APPROVED:
        raise ValidationError(_("Only an approved payout can be marked paid."))
    return _payout_set_status(payout, Payout.Status.PAID, by)


@transaction.atomic
def payout_withhold(*, payout: Payout, by, reason: str) -> Payout:
    check_manager(by, payout.agreement)
    if payout.status not in (Payout.Status.PLANNED, Payout.Status.APPROVED):
        raise ValidationError(_("Only a planned or approved payout can be withheld."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the payout is withheld.")}, code="no_reason"
        )
    payout.withheld_reason = reason
    return _payout_set_status(payout, Payout.Status.WITHHELD, by)


@transaction.atomic
def payout_release(*, payout: Payout, by) -> Payout:
    """Release a withheld payout (Swedish: *släppa*): it is planned again, to be
    approved as any planned payout, its condition and the attestation rules
    included. Who released it and when are on the row and in its history, which
    keeps the reason it was withheld for."""
    check_manager(by, payout.agreement)
    _lock_and_refresh(payout)
    if payout.status != Payout.Status.WITHHELD:
        raise ValidationError(
            _("Only a withheld payout can be released."), code="not_withheld"
        )
    payout.withheld_reason = ""
    return _payout_set_status(payout, Payout.Status.PLANNED, by)


@transaction.atomic
def payout_cancel(*, payout: Payout, by, reason: str) -> Payout:
    """Cancel a planned, approved or withheld payout (Swedish: *makulera*): it
    will not be paid. The row stays, with the reason, who and when; its period is
    not planned again."""
    check_manager(by, payout.agreement)
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status not in (*Payout.PAYABLE, Payout.Status.WITHHELD):
        raise ValidationError(
            _("Only a planned, approved or withheld payout can be cancelled."),
            code="not_cancellable",
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the payout is cancelled.")}, code="no_reason"
        )
    return _payout_cancel(payout, by, reason)


def _payout_cancel(payout, by, reason):
    payout.cancelled_reason = reason
    return _payout_set_status(payout, Payout.Status.CANCELLED, by)


def _payout_set_status(payout, status, by):
    payout.status = status
    payout.status_changed_at = timezone.now()
    payout.status_changed_by = by
    payout.full_clean()
    payout.save()
    return payout


@transaction.atomic
def payout_condition_set(
    *,
    agreement: Agreement,
    agreement_year: int,
    followup_complete: bool | None = None,
    report_received: bool | None = None,
) -> int:
    """Called by the follow-up when the year's follow-up is completed (or reopened)
    or the shop's yearly report is received (or sent back): the payouts waiting for
    that agreement year may then be approved. Returns the number of payouts touched.

    Approved and paid payouts keep their state: the database refuses a condition
    that stops holding under an approved payout, so reopening comes first.
    """
    changes = {}
    if followup_complete is not None:
        changes["followup_complete"] = followup_complete
    if report_received is not None:
        changes["report_received"] = report_received
    if not changes:
        return 0
    return agreement.payouts.filter(
        condition_year=agreement_year,
        status__in=[Payout.Status.PLANNED, Payout.Status.WITHHELD],
    ).update(**changes)


FINANCE_COLUMNS = [
    "Avtal",
    "Betalningsmottagare",
    "Organisationsnummer",
    "Leverantörsnummer",
    "Bankgiro",
    "Plusgiro",
    "Belopp exkl. moms",
    "Moms",
    "Totalt",
    "Period från",
    "Period till",
    "Förfallodag",
    "Kontering",
    "Avser",
]


def party_confirmed_accounts(party) -> tuple[str, str]:
    """The party's bankgiro and plusgiro that a second person has confirmed, the
    only ones money may go to or be claimed from: none while a new party's details
    wait for confirmation; the confirmed ones while a change waits (the change
    is in the pending fields until confirmed)."""
    if party.bank_details_confirmed_at is None:
        return "", ""
    return party.bankgiro, party.plusgiro


def payouts_finance_rows(*, payouts, accounting_code, recoveries=()):
    """The rows of the finance system's file: one per payout, amounts in kronor,
    then one per recovery (*återkrav*) with its amounts negative.

    Every line is a payment or a claim with its payee: no sums line, which an
    import could read as a payment to nobody. The payouts page shows the file's
    sums beside its link (`payouts_finance_sums`) for the person who checks it."""

    def line(agreement, amounts, period_start, period_end, due_on, kind):
        party = agreement.party
        return [
            agreement.reference,
            party.name,
            party.organisation_number,
            party.supplier_number,
            *party_confirmed_accounts(party),
            *amounts,
            period_start.isoformat(),
            period_end.isoformat(),
            due_on.isoformat(),
            accounting_code,
            kind,
        ]

    for payout in payouts:
        yield line(
            payout.agreement,
            (payout.amount, payout.vat_amount, payout.total),
            payout.period_start,
            payout.period_end,
            payout.due_on,
            "Utbetalning",
        )
    for recovery in recoveries:
        yield line(
            recovery.payout.agreement,
            (-recovery.amount, -recovery.vat_amount, -recovery.total),
            recovery.period_start,
            recovery.period_end,
            timezone.localdate(recovery.created_at),
            "Återkrav",
        )


@dataclass
class FinanceSums:
    payouts: int
    recoveries: int
    amount: int
    vat_amount: int

    @property
    def total(self):
        return self.amount + self.vat_amount


def payouts_finance_sums(*, payouts, recoveries) -> FinanceSums:
    """What the finance system's file of these approved payouts and recoveries
    adds up to: the payouts less the recoveries, in kronor."""
    paid = payouts.aggregate(n=Count("pk"), amount=Sum("amount"), vat=Sum("vat_amount"))
    back = recoveries.aggregate(
        n=Count("pk"), amount=Sum("amount"), vat=Sum("vat_amount")
    )
    return FinanceSums(
        payouts=paid["n"],
        recoveries=back["n"],
        amount=(paid["amount"] or 0) - (back["amount"] or 0),
        vat_amount=(paid["vat"] or 0) - (back["vat"] or 0),
    )
