"""Drafting an agreement: its first version, changes to the draft, and freezing a
version for signature."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from sequences import get_next_value

from agreements.models import (
    Agreement,
    AgreementService,
    AgreementVersion,
    Party,
    ProgrammeSettings,
)
from agreements.services.access import check_manager, check_not_withdrawn
from agreements.services.attestation import check_compensation_approved
from agreements.signals import agreement_ready_for_signature
from core.documents import files_removed_on_rollback, stored_file_save


@dataclass(frozen=True)
class ServiceLine:
    """A service chosen for an agreement, with its fee and commitments."""

    service: object
    annual_fee: int
    commitments: str = ""


def agreement_reference_next(*, municipality, year: int) -> str:
    """The next reference number of the municipality and year, SP-2401-2026-001.

    One gapless counter per municipality and year (django-sequences): the row is
    locked until the caller's transaction ends, so numbers are given in commit
    order and a rolled-back transaction gives its number back. Call it inside the
    transaction that stores the reference.
    """
    number = get_next_value(f"agreement-reference-{municipality.code}-{year}")
    return f"SP-{municipality.code}-{year}-{number:03d}"


def _validate_services(version, lines: list[ServiceLine]):
    programme = ProgrammeSettings.for_municipality(version.agreement.municipality)
    if len(lines) < programme.minimum_services:
        raise ValidationError(
            _("Choose at least %(count)s services.")
            % {"count": programme.minimum_services},
            code="too_few_services",
        )
    services = [line.service for line in lines]
    if len(set(services)) != len(services):
        raise ValidationError(
            _("Each service can be chosen once."), code="service_twice"
        )
    if any(
        line.service.municipality_id != version.agreement.municipality_id
        for line in lines
    ):
        raise PermissionDenied


@transaction.atomic
def agreement_create(
    *,
    by,
    outlet,
    party: Party,
    version_fields: dict,
    services: Iterable[ServiceLine],
) -> Agreement:
    """A draft agreement with its first version (Swedish: *utkast*)."""
    check_manager(by, outlet.municipality_id)
    if party.municipality_id != outlet.municipality_id:
        raise PermissionDenied
    lines = list(services)
    agreement = Agreement(
        municipality=outlet.municipality, outlet=outlet, party=party, created_by=by
    )
    agreement.full_clean()
    agreement.save()
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        effective_on=version_fields["starts_on"],
        **version_fields,
    )
    _version_save(version, lines)
    return agreement


@transaction.atomic
def agreement_update_draft(
    *, agreement: Agreement, by, version_fields: dict, services: Iterable[ServiceLine]
) -> Agreement:
    """Change a draft's terms; a version ready for signature no longer changes."""
    check_manager(by, agreement)
    check_not_withdrawn(agreement)
    version = agreement.versions.select_for_update().order_by("-number").first()
    if version.is_frozen:
        raise ValidationError(
            _("The version is frozen for signature and cannot be changed."),
            code="frozen",
        )
    for name, value in version_fields.items():
        setattr(version, name, value)
    if version.number == 1:
        version.effective_on = version.starts_on
    version.services.all().delete()
    _version_save(version, list(services))
    return agreement


def _version_save(version, lines):
    _validate_services(version, lines)
    if not version.annual_compensation:
        version.annual_compensation = sum(line.annual_fee for line in lines)
    version.full_clean()
    version.save()
    version_services_create(version=version, lines=lines)


def version_services_create(*, version, lines) -> None:
    """The version's services: each line's service, fee and commitments."""
    AgreementService.objects.bulk_create(
        AgreementService(
            version=version,
            service=line.service,
            annual_fee=line.annual_fee,
            commitments=line.commitments,
        )
        for line in lines
    )


@files_removed_on_rollback()
def agreement_mark_ready(*, agreement: Agreement, by) -> Agreement:
    """Freeze the latest version: render its document, store it with its hash.

    The first version's freezing gives the agreement its reference number, in this
    transaction, so that the frozen document carries it. A compensation outside the
    recommended range or above `by`'s delegation needs an administrator's approval
    first. A failure after the document is written leaves no file behind. Once
    committed, `agreement_ready_for_signature` is sent: the shop owners are
    e-mailed.
    """
    from agreements.documents import (
        agreement_render_pdf,
        document_snapshot,
        sha256_hex,
    )

    check_manager(by, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    check_not_withdrawn(agreement)
    version = agreement.versions.order_by("-number").first()
    if version.is_frozen:
        raise ValidationError(_("The version is already frozen."), code="frozen")
    if not version.services.exists():
        raise ValidationError(
            _("Choose the services before the agreement is signed."),
            code="no_services",
        )
    version.full_clean()
    check_compensation_approved(version=version, by=by)
    if version.number == 1:
        agreement.reference = agreement_reference_next(
            municipality=agreement.municipality, year=version.starts_on.year
        )
        agreement.state = Agreement.State.READY
        agreement.full_clean()
        agreement.save(update_fields=["reference", "state"])
    version.document_snapshot = document_snapshot(version)
    pdf = agreement_render_pdf(version=version)
    stored_file_save(
        version.document,
        f"{agreement.reference}-v{version.number}.pdf",
        ContentFile(pdf),
    )
    version.document_sha256 = sha256_hex(pdf)
    version.save(update_fields=["document_snapshot", "document", "document_sha256"])
    # The shop owners hear of it once the marking is committed: a rolled-back one
    # tells nobody, and a failing mail does not undo the marking.
    transaction.on_commit(
        lambda: agreement_ready_for_signature.send(
            sender=Agreement, agreement=agreement, version=version
        ),
        robust=True,
    )
    return agreement
