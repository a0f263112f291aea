"""Signing a frozen version, and what follows when both sides have signed: the
sealed document (queued, see signed_documents), the payouts, and for a new
agreement its entry into force."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, Signature
from agreements.permissions import can_sign_for_party
from agreements.services.access import check_manager, check_not_withdrawn
from agreements.services.attestation import check_signer_delegation
from agreements.services.lifecycle import replaced_end
from agreements.services.payouts import payouts_plan, payouts_replan
from agreements.services.signed_documents import signed_document_queue
from agreements.signals import agreement_signed
from core.documents import files_removed_on_rollback, stored_file_save


@files_removed_on_rollback()
def agreement_sign(
    *,
    agreement: Agreement,
    by,
    side: str,
    name: str = "",
    title: str,
    password: str = "",
    paper_scan=None,
) -> Agreement:
    """One side's signature on the frozen version, in the app or as a paper scan.

    In the app the signatory is `by`, who confirms with their own password: the
    municipality's side by an official or administrator, the service point's by
    the outlet's owner; the signature bears `by`'s own name, whatever `name` says.
    On paper `name` is who signed the paper, typed by the official recording it.
    On paper, an official uploads the scan of the signed page for either side: a
    PDF, or a JPEG or PNG image stored as PDF/A (see paper_scan_pdf). When both
    sides have signed, the final document is queued to be rendered, sealed and
    stored in the background. A failure at any step leaves neither rows nor files.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    check_not_withdrawn(agreement)
    version = agreement.versions.order_by("-number").first()
    if not version.is_frozen or version.signed_at or version.withdrawn_at:
        raise ValidationError(
            _("Only a version ready for signature can be signed."),
            code="not_ready",
        )
    if paper_scan is not None:
        check_manager(by, agreement)
        # Who records the municipality's paper signature answers for it as its
        # signer does in the app: within their delegation.
        if side == Signature.Side.MUNICIPALITY:
            check_signer_delegation(version=version, by=by)
        method = Signature.Method.PAPER
    else:
        if side == Signature.Side.MUNICIPALITY:
            check_manager(by, agreement)
            check_signer_delegation(version=version, by=by)
        elif not can_sign_for_party(by, agreement):
            raise PermissionDenied
        if not by.check_password(password):
            raise ValidationError(
                {"password": _("The password is wrong.")}, code="wrong_password"
            )
        method = Signature.Method.IN_APP
        name = by.full_name
    if version.signatures.filter(side=side).exists():
        raise ValidationError(_("This side has already signed."), code="signed_twice")
    signature = Signature(
        version=version,
        side=side,
        method=method,
        signed_by_name=name,
        signed_by_title=title,
        signed_at=timezone.now(),
        user=by,
    )
    if paper_scan is not None:
        from agreements.documents import paper_scan_pdf

        stored_file_save(
            signature.paper_scan,
            f"{agreement.reference}-v{version.number}-{side}.pdf",
            ContentFile(paper_scan_pdf(paper_scan, created=signature.signed_at)),
        )
    signature.full_clean()
    signature.save()
    if version.signatures.count() == 2:
        _version_complete(agreement, version, by)
    return agreement


def _version_complete(agreement, version, by):
    """Both sides have signed `version`: it is signed at its last signature, its
    final document is queued to be rendered and sealed in the background, then the
    payouts are planned under an amendment or a new agreement enters into force."""
    signatures = list(version.signatures.all())
    version.signed_at = max(signature.signed_at for signature in signatures)
    version.save(update_fields=["signed_at"])
    signed_document_queue(version=version)
    if version.number > 1:
        _amendment_payouts_replan(agreement, version, by)
    else:
        _agreement_enter_into_force(agreement, version, by)


def _amendment_payouts_replan(agreement, version, by):
    """Payouts not yet approved whose amount the amendment changes are cancelled
    and planned again under the amended terms."""
    payouts_replan(
        agreement=agreement,
        from_day=version.effective_on,
        by=by,
        reason=_("Planned again under amendment %(number)s, in effect from %(date)s.")
        % {
            "number": version.amendment_number,
            "date": version.effective_on.isoformat(),
        },
    )


def _agreement_enter_into_force(agreement, version, by):
    """A signed first version: the agreement it replaces ends, this one is signed
    for its term, its payouts are planned, and `agreement_signed` is sent after
    commit."""
    if agreement.replaces_id:
        replaced_end(agreement, version.starts_on, by)
    agreement.state = Agreement.State.SIGNED
    agreement.signed_on = timezone.localdate(version.signed_at)
    agreement.starts_on = version.starts_on
    agreement.ends_on = version.term.fixed_end()
    try:
        with transaction.atomic():
            agreement.save(update_fields=["state", "signed_on", "starts_on", "ends_on"])
    except IntegrityError:
        raise ValidationError(
            _("The outlet already has an agreement in force during this term."),
            code="overlap",
        ) from None
    payouts_plan(agreement=agreement)
    transaction.on_commit(
        lambda: agreement_signed.send(sender=Agreement, agreement=agreement)
    )
