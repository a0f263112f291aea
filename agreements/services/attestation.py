"""The municipality's delegation and attestation orders (Swedish:
*delegationsordning*, *attestordning*): who may commit to which compensation, a
second person's confirmation of a payee's bank details, and the approval of a
payout by someone other than who prepared it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementVersion,
    Delegation,
    Party,
    ProgrammeSettings,
)
from agreements.permissions import can_edit_catalogue
from agreements.services.access import check_manager
from core.templatetags.core import kronor


def delegation_limit(*, user, programme: ProgrammeSettings) -> int:
    """The highest yearly compensation the user commits to on their own: their
    delegation, or without one the recommended highest compensation."""
    delegation = Delegation.objects.filter(user=user).first()
    if delegation is None:
        return programme.compensation_max
    return delegation.max_annual_compensation


def compensation_approval_reasons(*, version: AgreementVersion, by) -> list[str]:
    """Why the version's compensation needs an administrator's approval before the
    agreement is made ready: outside the recommended range, above `by`'s delegation.
    Empty when it does not."""
    programme = ProgrammeSettings.for_municipality(version.agreement.municipality)
    amount = version.annual_compensation
    reasons = []
    if not programme.compensation_min <= amount <= programme.compensation_max:
        reasons.append(
            _("%(amount)s a year is outside the recommended range %(low)s–%(high)s.")
            % {
                "amount": kronor(amount),
                "low": kronor(programme.compensation_min),
                "high": kronor(programme.compensation_max),
            }
        )
    limit = delegation_limit(user=by, programme=programme)
    if amount > limit:
        reasons.append(
            _("%(amount)s a year is above your delegation of %(limit)s.")
            % {"amount": kronor(amount), "limit": kronor(limit)}
        )
    return reasons


def check_compensation_approved(*, version: AgreementVersion, by) -> None:
    """Refuse to freeze a version whose compensation an administrator must approve
    first, and has not (or approved another amount)."""
    if version.compensation_approved:
        return
    reasons = compensation_approval_reasons(version=version, by=by)
    if reasons:
        raise ValidationError(
            " ".join(
                [
                    *reasons,
                    _(
                        "An administrator must approve the compensation before the "
                        "agreement can be made ready for signature."
                    ),
                ]
            ),
            code="compensation_needs_approval",
        )


def check_signer_delegation(*, version: AgreementVersion, by) -> None:
    """Who signs for the municipality does so within their delegation, unless an
    administrator approved the compensation."""
    if version.compensation_approved:
        return
    programme = ProgrammeSettings.for_municipality(version.agreement.municipality)
    limit = delegation_limit(user=by, programme=programme)
    if version.annual_compensation > limit:
        raise ValidationError(
            _(
                "%(amount)s a year is above your delegation of %(limit)s: "
                "someone with a larger delegation signs for the municipality, or "
                "an administrator approves the compensation first."
            )
            % {"amount": kronor(version.annual_compensation), "limit": kronor(limit)},
            code="above_delegation",
        )


@transaction.atomic
def agreement_approve_compensation(*, agreement: Agreement, by) -> AgreementVersion:
    """An administrator approves the latest draft version's compensation: the amount
    as it stands; a changed amount needs a new approval."""
    check_manager(by, agreement)
    if not by.is_administrator:
        raise PermissionDenied
    version = agreement.versions.select_for_update().order_by("-number").first()
    if version.is_frozen:
        raise ValidationError(
            _("The version is frozen for signature and cannot be changed."),
            code="frozen",
        )
    version.compensation_approved_amount = version.annual_compensation
    version.compensation_approved_by = by
    version.compensation_approved_at = timezone.now()
    version.save(
        update_fields=[
            "compensation_approved_amount",
            "compensation_approved_by",
            "compensation_approved_at",
        ]
    )
    return version


@transaction.atomic
def delegation_set(*, user, max_annual_compensation: int, by) -> Delegation:
    """Set how much a colleague may commit to a year (administrators)."""
    if not can_edit_catalogue(by) or not by.manages(user.municipality_id):
        raise PermissionDenied
    if not user.is_municipal_staff:
        raise ValidationError(
            _("Only the municipality's officials and administrators sign agreements."),
            code="not_staff",
        )
    delegation, _created = Delegation.objects.select_for_update().get_or_create(
        user=user,
        defaults={
            "municipality_id": user.municipality_id,
            "max_annual_compensation": max_annual_compensation,
        },
    )
    delegation.max_annual_compensation = max_annual_compensation
    delegation.full_clean()
    delegation.save()
    return delegation


@transaction.atomic
def party_confirm_bank_details(*, party: Party, by) -> Party:
    """A second person confirms the party's new bank details: from now on payouts
    may go to them. Who entered them cannot confirm them."""
    check_manager(by, party.municipality_id)
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.bank_details_confirmed:
        raise ValidationError(
            _("The bank details are already confirmed."), code="confirmed"
        )
    entered_by_id = (
        party.pending_entered_by_id
        if party.has_pending_bank_details
        else party.bank_details_entered_by_id
    )
    if entered_by_id == by.pk:
        raise ValidationError(
            _(
                "You entered these bank details yourself: another official or "
                "administrator of the municipality must confirm them."
            ),
            code="own_bank_details",
        )
    if party.has_pending_bank_details:
        party.bankgiro = party.pending_bankgiro
        party.plusgiro = party.pending_plusgiro
        party.bank_details_entered_by_id = party.pending_entered_by_id
        party.pending_bankgiro = party.pending_plusgiro = ""
        party.pending_entered_by = None
        party.pending_entered_at = None
    party.bank_details_confirmed_by = by
    party.bank_details_confirmed_at = timezone.now()
    party.full_clean()
    party.save()
    return party


def payout_attestation_refusal(
    *, agreement: Agreement, by, party: Party | None = None
) -> ValidationError | None:
    """Why `by` may not approve the agreement's payouts under the attestation order
    (*beslutsattest*), or None: not by who drafted the agreement, nor by who entered
    or last changed the payee's bank details, and only to confirmed bank details.

    The payee is read afresh unless a list passes the `party` it read with its
    rows (as a hint beside each row; approving checks afresh)."""
    if party is None:
        party = Party.objects.get(pk=agreement.party_id)
    if agreement.created_by_id == by.pk:
        return ValidationError(
            _(
                "You drafted this agreement: under the attestation rules another "
                "official or administrator approves its payouts."
            ),
            code="drafted_by_approver",
        )
    if not party.bank_details_confirmed:
        return ValidationError(
            _(
                "The payee's bank details wait for a second person's confirmation: "
                "the payout can be approved once they are confirmed."
            ),
            code="bank_details_unconfirmed",
        )
    if party.bank_details_entered_by_id == by.pk:
        return ValidationError(
            _(
                "You entered the payee's bank details: under the attestation rules "
                "another official or administrator approves the payout."
            ),
            code="bank_details_by_approver",
        )
    return None


def check_payout_attestation(*, payout, by) -> None:
    refusal = payout_attestation_refusal(agreement=payout.agreement, by=by)
    if refusal is not None:
        raise refusal
