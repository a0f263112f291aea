"""Ending an agreement that was never signed: withdrawing a draft or an agreement
ready for signature, which stays as a record, or deleting a draft, which has no
reference number yet and was never offered. The same for an amendment of a signed
agreement: one ready for signature is withdrawn, a draft deleted, and the
agreement can be amended again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementService, AgreementVersion
from agreements.services.access import check_manager

WITHDRAWABLE = (Agreement.State.DRAFT, Agreement.State.READY)


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, by, reason: str) -> Agreement:
    """Withdraw a draft or an agreement ready for signature (Swedish: *återkalla*).

    The row, its versions and the frozen document stay: a document offered for
    signature is a public record. Nobody can sign or change it afterwards."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state == Agreement.State.SIGNED:
        amendment_withdraw(agreement=agreement, by=by, reason=reason)
        return agreement
    if agreement.state not in WITHDRAWABLE:
        raise ValidationError(
            _("Only a draft or an agreement ready for signature can be withdrawn."),
            code="not_withdrawable",
        )
    if agreement.versions.filter(signatures__isnull=False).exists():
        raise ValidationError(
            _("One side has already signed: the agreement can no longer be withdrawn."),
            code="signed_by_one_side",
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the agreement is withdrawn.")}, code="no_reason"
        )
    agreement.state = Agreement.State.WITHDRAWN
    agreement.withdrawn_at = timezone.now()
    agreement.withdrawn_by = by
    agreement.withdrawn_reason = reason.strip()
    agreement.full_clean()
    agreement.save(
        update_fields=["state", "withdrawn_at", "withdrawn_by", "withdrawn_reason"]
    )
    return agreement


@transaction.atomic
def agreement_draft_delete(*, agreement: Agreement, by) -> None:
    """Delete a draft with its versions and services; the history keeps the delete.

    Only a draft: it has no reference number and no document, so nothing is lost
    from the records and no number leaves a gap."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state == Agreement.State.SIGNED:
        amendment_draft_delete(agreement=agreement, by=by)
        return
    if agreement.state != Agreement.State.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted; withdraw the agreement instead."),
            code="not_a_draft",
        )
    AgreementService.objects.filter(version__agreement=agreement).delete()
    agreement.versions.all().delete()
    agreement.delete()


def pending_amendment(agreement: Agreement) -> AgreementVersion | None:
    """The signed agreement's amendment under work, drafted or ready for
    signature, or None."""
    return (
        agreement.versions.filter(
            number__gt=1, signed_at__isnull=True, withdrawn_at__isnull=True
        )
        .order_by("-number")
        .first()
    )


@transaction.atomic
def amendment_withdraw(*, agreement: Agreement, by, reason: str) -> AgreementVersion:
    """Withdraw the amendment ready for signature of a signed agreement: it stays,
    with its frozen document, as a record; nobody can sign it, and the agreement
    can be amended again. A draft amendment is deleted instead."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = pending_amendment(agreement)
    if version is None:
        raise ValidationError(
            _("Only a draft or an agreement ready for signature can be withdrawn."),
            code="not_withdrawable",
        )
    if not version.is_frozen:
        raise ValidationError(
            _("Only an amendment ready for signature can be withdrawn."),
            code="not_withdrawable",
        )
    if version.signatures.exists():
        raise ValidationError(
            _("One side has already signed: the amendment can no longer be withdrawn."),
            code="signed_by_one_side",
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the amendment is withdrawn.")}, code="no_reason"
        )
    version.withdrawn_at = timezone.now()
    version.withdrawn_by = by
    version.withdrawal_reason = reason.strip()
    version.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return version


@transaction.atomic
def amendment_draft_delete(*, agreement: Agreement, by) -> None:
    """Delete the draft amendment of a signed agreement with its services; the
    history keeps the delete. One ready for signature is withdrawn instead."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = pending_amendment(agreement)
    if version is None:
        raise ValidationError(
            _("Only a draft can be deleted; withdraw the agreement instead."),
            code="not_a_draft",
        )
    if version.is_frozen:
        raise ValidationError(
            _("Only a draft amendment can be deleted; withdraw it instead."),
            code="not_a_draft",
        )
    version.services.all().delete()
    version.delete()
