"""A signed agreement's life: amendments, renewals, a change of owner, notice, and
ending early."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Party, Payout, PayoutRecovery
from agreements.services.access import check_manager
from agreements.services.drafting import (
    ServiceLine,
    agreement_create,
    version_services_create,
)
from agreements.services.payouts import payouts_replan
from agreements.signals import agreement_ended_early


@transaction.atomic
def agreement_amend(*, agreement: Agreement, by, effective_on: date, reason: str):
    """Start an amendment (Swedish: *tillägg*): a new draft version, a copy of the
    terms in force, that is changed, frozen and signed in its turn."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    # A withdrawn amendment stays as a record; the next one starts from the
    # terms signed before it, under the next number.
    number = agreement.versions.order_by("-number").first().number + 1
    latest = (
        agreement.versions.filter(withdrawn_at__isnull=True).order_by("-number").first()
    )
    if agreement.state != Agreement.State.SIGNED or not latest.signed_at:
        raise ValidationError(
            _("Only a signed agreement without a pending amendment can be amended."),
            code="not_amendable",
        )
    if effective_on < agreement.starts_on or (
        agreement.ends_on and effective_on > agreement.ends_on
    ):
        raise ValidationError(
            {"effective_on": _("The amendment must take effect during the agreement.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the agreement is amended.")})
    services = list(latest.services.all())
    amendment = latest
    amendment.pk = None
    amendment._state.adding = True
    amendment.number = number
    amendment.effective_on = effective_on
    amendment.amendment_reason = reason
    amendment.document = amendment.signed_document = ""
    amendment.document_sha256 = amendment.signed_document_sha256 = ""
    amendment.is_sealed = False
    amendment.signed_at = None
    amendment.full_clean()
    amendment.save()
    version_services_create(version=amendment, lines=services)
    return amendment


# The terms a renewal copies from the agreement it replaces. Not the year a payout
# condition concerns: a renewal starts from today's rule, shown on the draft's form.
RENEWED_FIELDS = [
    "decision_registration_number",
    "decision_body",
    "decision_date",
    "decision_paragraph",
    "space",
    "annual_compensation",
    "compensation_justification",
    "vat_rate_percent",
    "payout_frequency_months",
    "payout_timing",
    "payment_days",
    "payout_requires_followup",
    "payout_requires_report",
    "initial_term_months",
    "extension_months",
    "notice_period_months",
    "decision_lead_days",
]


@transaction.atomic
def agreement_renew(
    *, agreement: Agreement, by, starts_on: date | None = None, party=None
) -> Agreement:
    """A renewal (Swedish: *förnyat avtal*): a new draft agreement for the same outlet
    that replaces this one once it is signed, starting as a copy of the terms in
    force. The party may be new (a change of owner). When the renewal is signed, the
    agreement it replaces ends the day before the renewal starts, if not before.
    """
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != Agreement.State.SIGNED:
        raise ValidationError(
            _("Only a signed agreement can be renewed."), code="not_renewable"
        )
    if (
        Agreement.objects.filter(replaces=agreement)
        .exclude(state=Agreement.State.WITHDRAWN)
        .exists()
    ):
        raise ValidationError(
            _("The agreement already has a renewal."), code="renewed_twice"
        )
    if starts_on is None:
        if agreement.ends_on is None:
            raise ValidationError(
                {"starts_on": _("Give the day the renewed agreement starts.")}
            )
        starts_on = agreement.ends_on + timedelta(days=1)
    if starts_on <= agreement.starts_on:
        raise ValidationError(
            {
                "starts_on": _(
                    "The renewed agreement must start after the agreement it "
                    "replaces has started."
                )
            }
        )
    source = agreement.version_on(starts_on - timedelta(days=1)) or max(
        (v for v in agreement.versions.all() if v.signed_at), key=lambda v: v.number
    )
    renewal = agreement_create(
        by=by,
        outlet=agreement.outlet,
        party=party or agreement.party,
        version_fields={
            **{name: getattr(source, name) for name in RENEWED_FIELDS},
            "starts_on": starts_on,
        },
        services=[
            ServiceLine(line.service, line.annual_fee, line.commitments)
            for line in source.services.all()
        ],
    )
    renewal.replaces = agreement
    renewal.save(update_fields=["replaces"])
    return renewal


def _agreement_end_early(agreement, last_day, reason, by):
    """End a signed agreement on `last_day`: planned and approved payouts for days
    after it are cancelled with `reason`, the period that day cuts is planned again
    pro rata, and money paid for days after it is claimed back. The later apps
    hear of it in the same transaction (the last year's follow-up stays due)."""
    agreement.ends_on = last_day
    agreement.early_end_reason = reason
    agreement.full_clean()
    agreement.save(update_fields=["ends_on", "early_end_reason"])
    payouts_end_after(agreement=agreement, last_day=last_day, by=by, reason=reason)
    agreement_ended_early.send(sender=Agreement, agreement=agreement)


def payouts_end_after(*, agreement: Agreement, last_day: date, by, reason: str):
    """The agreement now ends on `last_day`: payouts not yet paid for days after it
    are cancelled (the period it cuts planned again pro rata), paid ones are
    claimed back."""
    payouts_replan(
        agreement=agreement,
        from_day=last_day + timedelta(days=1),
        by=by,
        reason=reason,
        approved_too=True,
    )
    payouts_recover_after(agreement=agreement, last_day=last_day, reason=reason)


def payouts_recover_after(*, agreement: Agreement, last_day: date, reason: str):
    """Money paid for days after `last_day` becomes a recovery (Swedish:
    *återkrav*) of each paid payout's share of those days; the payout stays as
    paid. What the party keeps is paid pro rata by days, rounded down, as a part
    period is planned (agreements.payouts), so the recovery is the rest."""
    paid = agreement.payouts.filter(
        status=Payout.Status.PAID, period_end__gt=last_day
    ).exclude(recoveries__isnull=False)
    for payout in paid:
        days = (payout.period_end - payout.period_start).days + 1
        kept_days = max((last_day - payout.period_start).days + 1, 0)
        kept = payout.amount * kept_days // days
        amount = payout.amount - kept
        if amount <= 0:
            continue
        recovery = PayoutRecovery(
            payout=payout,
            period_start=max(payout.period_start, last_day + timedelta(days=1)),
            period_end=payout.period_end,
            amount=amount,
            vat_amount=round(payout.vat_amount * amount / payout.amount),
            reason=reason,
        )
        recovery.full_clean()
        recovery.save()


def replaced_end(renewal, renewal_starts_on, by):
    """A signed renewal ends the agreement it replaces the day before it starts,
    unless that agreement ends earlier anyway."""
    replaced = Agreement.objects.select_for_update().get(pk=renewal.replaces_id)
    last_day = renewal_starts_on - timedelta(days=1)
    if replaced.ends_on is not None and replaced.ends_on <= last_day:
        return
    _agreement_end_early(
        replaced,
        last_day,
        _("Replaced by agreement %(reference)s.") % {"reference": renewal.reference},
        by,
    )


@transaction.atomic
def agreement_change_owner(
    *,
    agreement: Agreement,
    by,
    handover_on: date,
    party: Party,
    end_access_for: Iterable = (),
) -> Agreement:
    """Record a change of owner (Swedish: *ägarbyte*) once the new owner has taken
    over: the agreement ends the day before the handover, the old owner's accounts
    lose the outlet (and are deactivated when they run no other), and a renewal for
    the new party, starting on the handover day, is returned as a draft to sign.
    """
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status_on(timezone.localdate()) not in ("in_force", "notice_given"):
        raise ValidationError(
            _("A change of owner is recorded on an agreement in force."),
            code="not_in_force",
        )
    if party.pk == agreement.party_id:
        raise ValidationError(
            {"party": _("Choose the new owner's party, not the present one.")}
        )
    if handover_on > timezone.localdate():
        raise ValidationError(
            {
                "handover_on": _(
                    "Record the change of owner once the new owner has taken over."
                )
            }
        )
    if handover_on <= agreement.starts_on or (
        agreement.ends_on and handover_on > agreement.ends_on
    ):
        raise ValidationError(
            {"handover_on": _("The handover must fall within the agreement's term.")}
        )
    outlet = agreement.outlet
    chosen = {user.pk for user in end_access_for}
    leaving = list(outlet.owners.filter(pk__in=chosen))
    if len(leaving) != len(chosen):
        raise PermissionDenied
    _agreement_end_early(
        agreement,
        handover_on - timedelta(days=1),
        _("Change of owner: %(party)s took over on %(date)s.")
        % {"party": party.name, "date": handover_on.isoformat()},
        by,
    )
    for user in leaving:
        user.outlets.remove(outlet)
        if not user.outlets.exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
    return agreement_renew(
        agreement=agreement, by=by, starts_on=handover_on, party=party
    )


@transaction.atomic
def agreement_give_notice(
    *, agreement: Agreement, by, given_on: date, given_by: str, reason: str
) -> Agreement:
    """Record notice (Swedish: *uppsägning*); the agreement ends with the period the
    notice reaches, and planned payouts after that day are cancelled."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state != Agreement.State.SIGNED or agreement.notice_given_on:
        raise ValidationError(
            _("Notice can be given on a signed agreement, once."), code="no_notice"
        )
    term = agreement.first_version().term
    if term.is_fixed:
        raise ValidationError(
            _("A fixed-term agreement ends by itself; it takes no notice."),
            code="fixed_term",
        )
    agreement.notice_given_on = given_on
    agreement.notice_given_by = given_by
    agreement.notice_reason = reason
    agreement.notice_recorded_by = by
    agreement.ends_on = term.end_after_notice(given_on)
    agreement.full_clean()
    agreement.save()
    payouts_end_after(
        agreement=agreement,
        last_day=agreement.ends_on,
        by=by,
        reason=_("Notice given on %(date)s.") % {"date": given_on.isoformat()},
    )
    return agreement


def agreements_ending_at_closure(*, outlet, closed_on: date | None = None):
    """The outlet's signed agreements that a closure on `closed_on` (any day when
    None) ends early: begun by then and not ended before it."""
    agreements = Agreement.objects.signed().filter(outlet=outlet)
    if closed_on is None:
        today = timezone.localdate()
        return agreements.filter(starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
    return agreements.filter(starts_on__lte=closed_on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=closed_on)
    )


@transaction.atomic
def agreements_end_at_closure(*, outlet, by, closed_on: date) -> list[Agreement]:
    """The outlet has closed for good: its agreement ends on the closing date, the
    payouts after it are cancelled, the last period is paid pro rata, and money
    paid past it is claimed back. Returns the agreements ended."""
    ended = []
    for agreement in agreements_ending_at_closure(
        outlet=outlet, closed_on=closed_on
    ).select_for_update():
        check_manager(by, agreement)
        _agreement_end_early(
            agreement,
            closed_on,
            _("The outlet closed on %(date)s.") % {"date": closed_on.isoformat()},
            by,
        )
        ended.append(agreement)
    return ended
