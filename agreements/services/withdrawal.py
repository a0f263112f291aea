"""Ending an agreement that was never signed: withdrawing a draft or an agreement
ready for signature, which stays as a record, or deleting a draft, which has no
reference number yet and was never offered."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementService
from agreements.services.access import check_manager

WITHDRAWABLE = (Agreement.State.DRAFT, Agreement.State.READY)


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, by, reason: str) -> Agreement:
    """Withdraw a draft or an agreement ready for signature (Swedish: *återkalla*).

    The row, its versions and the frozen document stay: a document offered for
    signature is a public record. Nobody can sign or change it afterwards."""
    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
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
    if agreement.state != Agreement.State.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted; withdraw the agreement instead."),
            code="not_a_draft",
        )
    AgreementService.objects.filter(version__agreement=agreement).delete()
    agreement.versions.all().delete()
    agreement.delete()
