"""The agreement document: rendering to PDF/A-3a, sealing, hashing.

Rendering returns bytes and stores nothing; storing the files and recording their
hashes belongs to the services that freeze and sign a version.
"""

import asyncio
import datetime
import hashlib
import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from weasyprint import Attachment as PdfAttachment

from agreements.models import AgreementVersion, Signature
from core.documents import (
    StaticFileFetcher,
    css_string,
    html_render_pdf_a3a,
    municipality_logo,
    page_counter_content,
)

TEMPLATE_NAME = "agreements/agreement_pdf.html"
DEFAULT_CERTIFICATE_PATH = "var/signing/servicepunkter.p12"
SIGNATURE_FIELD_NAME = "Signatur"
# The creation time fontTools stamps into the embedded font subsets when a document
# has no signature yet (2000-01-01T00:00:00Z): any constant keeps renders identical.
UNSIGNED_EPOCH = 946_684_800

PAYOUT_CONDITIONS = {
    ("followup", "arrears"): gettext_lazy(
        "Each payout requires that the follow-up of the agreement year it covers "
        "has been completed."
    ),
    ("followup", "advance"): gettext_lazy(
        "Each payout requires that the follow-up of the previous agreement year has "
        "been completed; the payouts of the first agreement year have no such "
        "condition."
    ),
    ("report", "arrears"): gettext_lazy(
        "Each payout requires that the service point's yearly report on the agreement "
        "year it covers has been received."
    ),
    ("report", "advance"): gettext_lazy(
        "Each payout requires that the service point's yearly report on the previous "
        "agreement year has been received; the payouts of the first agreement year "
        "have no such condition."
    ),
}


class Attachment(NamedTuple):
    """A file embedded in the PDF, e.g. the scan of a contract signed on paper.

    A plain (filename, content) pair will do as well.
    """

    filename: str
    content: bytes
    description: str = ""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _payout_conditions(version):
    conditions = []
    if version.payout_requires_followup:
        conditions.append(PAYOUT_CONDITIONS[("followup", version.payout_timing)])
    if version.payout_requires_report:
        conditions.append(PAYOUT_CONDITIONS[("report", version.payout_timing)])
    return conditions


def _signature_lines(signature):
    """The lines of one side's signature block: value (or blank) and label."""
    if signature is None:
        values = ["", "", "", ""]
    else:
        method = (
            _("Signed in Servicepunkter")
            if signature.method == Signature.Method.IN_APP
            else _("Signed on paper")
        )
        values = [
            method,
            signature.signed_by_name,
            signature.signed_by_title,
            timezone.localtime(signature.signed_at).date().isoformat(),
        ]
    labels = [_("Signature"), _("Name in print"), _("Title"), _("Date")]
    return list(zip(values, labels, strict=True))


def _document_time(signatures) -> datetime.datetime | None:
    """The signed document is dated by its last signature; the frozen one not at all."""
    return max((signature.signed_at for signature in signatures), default=None)


def document_snapshot(version) -> dict:
    """What the document says of the rows it names, as they are now.

    Freezing a version stores this with it; the frozen and the signed document are
    rendered from the stored copy, so renaming a party or a service later changes
    neither.
    """
    agreement = version.agreement
    party = agreement.party
    outlet = agreement.outlet
    municipality = agreement.municipality
    with translation.override("sv"):
        municipality_name = str(municipality)
    return {
        "municipality": {
            "name": municipality_name,
            "code": municipality.code,
            "county": {"name": municipality.county.name},
        },
        "party": {
            name: getattr(party, name)
            for name in (
                "name",
                "organisation_number",
                "address",
                "bankgiro",
                "plusgiro",
                "signatory_name",
                "signatory_title",
            )
        },
        "outlet": {
            name: getattr(outlet, name)
            for name in ("name", "street_address", "postcode", "town")
        },
        "services": [
            {
                "service": {
                    "name": item.service.name,
                    "shop_commitment": item.service.shop_commitment,
                    "municipality_provides": item.service.municipality_provides,
                },
                "annual_fee": item.annual_fee,
                "commitments": item.commitments,
            }
            for item in version.services.select_related("service").order_by(
                "service__name", "pk"
            )
        ],
    }


def agreement_context(*, version, signatures=(), draft=False):
    agreement = version.agreement
    term = version.term
    first_period = next(term.periods())
    snapshot = version.document_snapshot or document_snapshot(version)
    services = snapshot["services"]
    fees_total = sum(item["annual_fee"] for item in services)
    by_side = {signature.side: signature for signature in signatures}
    municipality = snapshot["municipality"]
    party = snapshot["party"]
    return {
        "version": version,
        "agreement": agreement,
        "municipality": municipality,
        "municipality_name": municipality["name"],
        "logo": municipality_logo(agreement.municipality),
        "party": party,
        "outlet": snapshot["outlet"],
        "services": services,
        "fees_total": fees_total,
        "is_lump_sum": fees_total != version.annual_compensation,
        "vat_amount": version.vat_amount,
        "total_with_vat": version.annual_compensation_with_vat,
        "payout_conditions": _payout_conditions(version),
        "term": term,
        "initial_period": first_period,
        "notice_deadline": term.notice_deadline(first_period),
        "signature_headings": [
            _("For %(name)s") % {"name": municipality["name"]},
            _("For %(name)s") % {"name": party["name"]},
        ],
        # One row per line to sign on, one column per side.
        "signature_rows": list(
            zip(
                _signature_lines(by_side.get(Signature.Side.MUNICIPALITY)),
                _signature_lines(by_side.get(Signature.Side.PARTY)),
                strict=True,
            )
        ),
        "footer_reference": css_string(
            _("%(reference)s, version %(number)s")
            % {"reference": agreement.reference_display, "number": version.number}
        ),
        "page_counter": page_counter_content(),
        "draft": draft,
    }


def agreement_render_pdf(
    *,
    version: AgreementVersion,
    signatures: Iterable[Signature] = (),
    draft: bool = False,
    attachments: Iterable[Attachment | tuple[str, bytes]] = (),
) -> bytes:
    """The agreement version as a PDF/A-3a document, in Swedish.

    Without signatures the signature block has empty lines to sign on: that is the
    frozen document both parties sign. With them, the same document with the
    signatures filled in; nothing else differs. `draft` marks every page UTKAST.
    `attachments` (e.g. a paper scan) are embedded as files. The same input gives
    the same bytes.
    """
    signatures = list(signatures)
    created = _document_time(signatures)
    with translation.override("sv"):
        context = agreement_context(version=version, signatures=signatures, draft=draft)
        context["created"] = created.isoformat() if created else ""
        html = render_to_string(TEMPLATE_NAME, context)
    created = created or datetime.datetime.fromtimestamp(UNSIGNED_EPOCH, datetime.UTC)
    fetcher = StaticFileFetcher()
    pdf_attachments = [
        PdfAttachment(
            string=attachment.content,
            name=attachment.filename,
            description=attachment.description or attachment.filename,
            created=created.astimezone(datetime.UTC),
            modified=created.astimezone(datetime.UTC),
            relationship="Supplement",
            url_fetcher=fetcher,
        )
        for attachment in (Attachment(*item) for item in attachments)
    ]
    return html_render_pdf_a3a(html, created=created, attachments=pdf_attachments)


def signing_certificate_path() -> Path | None:
    """The configured PKCS#12 file; a relative path is taken from the project."""
    if not settings.SIGNING_CERTIFICATE_PATH:
        return None
    path = Path(settings.SIGNING_CERTIFICATE_PATH)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def _passphrase(passphrase: str) -> bytes | None:
    return passphrase.encode() if passphrase else None


def pdf_seal(pdf_bytes: bytes) -> bytes | None:
    """The PDF with an invisible PAdES signature by the deployment's certificate.

    None when no certificate is configured. The signature is an incremental update,
    so the unsealed bytes stay the sealed file's prefix.
    """
    path = signing_certificate_path()
    if path is None:
        return None
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(),
            other_certs=(),
            passphrase=_passphrase(settings.SIGNING_CERTIFICATE_PASSPHRASE),
        )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"The signing certificate {path} cannot be used: {error} "
            "(check SIGNING_CERTIFICATE_PATH and SIGNING_CERTIFICATE_PASSPHRASE)."
        ) from error
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Servicepunkter",
    )
    output = _outside_event_loop(
        lambda: signers.sign_pdf(writer, metadata, signer=signer)
    )
    return output.getvalue()


def _outside_event_loop(function):
    """pyHanko signs through asyncio.run(), which refuses to run inside a running
    event loop (an async server, or Playwright driving a browser in tests): run it
    in a thread of its own then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def pdf_seal_problems(pdf_bytes: bytes) -> list[str]:
    """What is wrong with a sealed PDF's signature: nothing if intact and complete."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        embedded = reader.embedded_signatures
    except Exception as error:  # a damaged file fails in many ways
        return [_("the PDF cannot be read: %(error)s") % {"error": error}]
    if not embedded:
        return [_("the seal is missing")]
    problems = []
    for signature in embedded:
        # Integrity and coverage are checked here, not trust: with the signer's own
        # certificate as the trust root, path building stays quiet for self-signed
        # certificates.
        context = ValidationContext(trust_roots=[signature.signer_cert])
        status = validate_pdf_signature(signature, context, skip_diff=True)
        if not (status.intact and status.valid):
            problems.append(
                _("the seal %(field)s does not match the content")
                % {"field": signature.field_name}
            )
        elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(
                _("the seal %(field)s does not cover the whole document")
                % {"field": signature.field_name}
            )
    return problems


def signing_certificate_create(
    *,
    path: Path,
    passphrase: str,
    common_name: str = "Servicepunkter",
    organisation: str = "",
    days: int = 3650,
) -> x509.Certificate:
    """Write a self-signed certificate and its key as a PKCS#12 file at `path`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"))
    name = x509.Name(attributes)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, certificate, None, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return certificate
