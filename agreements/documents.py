"""The agreement document: rendering to PDF/A-3a, sealing, hashing; reading a
paper scan; opening a stored document only if it matches its hash.

Rendering returns bytes and stores nothing; storing the files and recording their
hashes belongs to the services that freeze and sign a version.
"""

import asyncio
import datetime
import functools
import hashlib
import io
import logging
import os
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import NamedTuple

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from weasyprint import Attachment as PdfAttachment

from accounts.models import Role, User
from agreements.clauses import agreement_clauses, clause_paragraphs
from agreements.models import AgreementVersion, Signature
from core.documents import (
    StaticFileFetcher,
    css_string,
    html_render_pdf_a3a,
    image_render_pdf_a3a,
    municipality_logo,
    page_counter_content,
)

TEMPLATE_NAME = "agreements/agreement_pdf.html"
DEFAULT_CERTIFICATE_PATH = "var/signing/servicepunkter.p12"
SIGNATURE_FIELD_NAME = "Signatur"
# The creation time fontTools stamps into the embedded font subsets when a document
# has no signature yet (2000-01-01T00:00:00Z): any constant keeps renders identical.
UNSIGNED_EPOCH = 946_684_800

# A paper scan: a PDF of at most 50 pages, or a JPEG or PNG image of at most 50
# million pixels (an A4 page at 600 dpi has 35 million), each of at most 20 MB. An
# image is scaled to at most 3508 pixels a side (A4 at 300 dpi) on its PDF/A page.
PAPER_SCAN_MAX_BYTES = 20_000_000
PAPER_SCAN_MAX_PAGES = 50
PAPER_SCAN_MAX_PIXELS = 50_000_000
PAPER_SCAN_IMAGE_SIDE = 3508
PAPER_SCAN_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

integrity_logger = logging.getLogger("agreements.integrity")

# The wording of the rule every version made before December 2026 was signed with
# (`PayoutConditionYear.COVERED`), by payout timing; its versions keep it as signed.
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
# The previous agreement year's follow-up or report, whatever the timing.
PAYOUT_CONDITIONS_PREVIOUS_YEAR = {
    "followup": gettext_lazy(
        "A payout requires that the follow-up of the previous agreement year has "
        "been completed; the first agreement year's payouts have no such condition."
    ),
    "report": gettext_lazy(
        "A payout requires that the service point's yearly report on the previous "
        "agreement year has been received; the first agreement year's payouts have "
        "no such condition."
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
    kinds = [
        kind
        for kind, required in (
            ("followup", version.payout_requires_followup),
            ("report", version.payout_requires_report),
        )
        if required
    ]
    if version.payout_condition_year == AgreementVersion.PayoutConditionYear.PREVIOUS:
        return [PAYOUT_CONDITIONS_PREVIOUS_YEAR[kind] for kind in kinds]
    return [PAYOUT_CONDITIONS[(kind, version.payout_timing)] for kind in kinds]


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
    """What the document says of the rows it names, as they are now, and the
    municipality's agreement text as it stands.

    Freezing a version stores this with it; the frozen and the signed document are
    rendered from the stored copy, so renaming a party or a service, or changing
    the agreement text, later changes neither.
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
            "organisation_number": municipality.organisation_number,
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
        "clauses": agreement_clauses(municipality),
    }


def _clauses(version, snapshot) -> list[dict]:
    """The clauses the document prints, each a title and its paragraphs. A version
    frozen before agreements had the municipality's text has none."""
    if version.is_frozen and "clauses" not in version.document_snapshot:
        return []
    return [
        {"title": clause["title"], "paragraphs": clause_paragraphs(clause["text"])}
        for clause in snapshot.get("clauses", [])
    ]


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
        "clauses": _clauses(version, snapshot),
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
            _("%(reference)s, %(version)s")
            % {"reference": agreement.reference_display, "version": version.name}
        ),
        "page_counter": page_counter_content(),
        "draft": draft,
    }


def agreement_html(
    *, version: AgreementVersion, signatures: Iterable[Signature] = (), draft=False
) -> str:
    """The agreement document's HTML, in Swedish, that agreement_render_pdf()
    renders."""
    signatures = list(signatures)
    created = _document_time(signatures)
    with translation.override("sv"):
        context = agreement_context(version=version, signatures=signatures, draft=draft)
        context["created"] = created.isoformat() if created else ""
        return render_to_string(TEMPLATE_NAME, context)


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
    html = agreement_html(version=version, signatures=signatures, draft=draft)
    created = _document_time(signatures) or datetime.datetime.fromtimestamp(
        UNSIGNED_EPOCH, datetime.UTC
    )
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


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, with the private key kept as loaded.

    SimpleSigner loads its key again from DER for every signature it makes, and
    cryptography checks an RSA key's primes on each load: that was most of a
    seal's time.
    """

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self.private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = None
        key = self.private_key
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), digest)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


@functools.lru_cache(maxsize=1)
def _signer(pkcs12_data: bytes, passphrase: bytes | None) -> _LoadedKeySigner:
    """The signer of a PKCS#12 file's content, loaded once per process; a replaced
    file (other bytes) or another passphrase loads anew, and the replaced key is
    dropped from memory."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            pkcs12_data, passphrase
        )
    except Exception as error:  # cryptography fails in several ways
        raise ValueError("Could not load key material from PKCS#12 data") from error
    if key is None or certificate is None:
        raise ValueError("The PKCS#12 data holds no key and certificate")
    registry = SimpleCertificateStore()
    registry.register_multiple(
        asn1_x509.Certificate.load(other.public_bytes(serialization.Encoding.DER))
        for other in chain
    )
    signer = _LoadedKeySigner(
        private_key=key,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        signing_cert=asn1_x509.Certificate.load(
            certificate.public_bytes(serialization.Encoding.DER)
        ),
        cert_registry=registry,
    )
    signer.bytes_reserved = _outside_event_loop(
        lambda: asyncio.run(_signature_space(signer))
    )
    return signer


async def _signature_space(signer) -> int:
    """The room a seal by `signer` takes in the PDF, reckoned as pyHanko does for
    each signature unless told: a dry run's CMS, twice (hex) and half again. With
    neither a timestamp nor revocation data it depends on the signer alone."""
    dry_run = await signer.async_sign(
        hashlib.sha256().digest(),
        "sha256",
        dry_run=True,
        use_pades=True,
        signed_attr_settings=PdfCMSSignedAttributes(
            signing_time=datetime.datetime.now(datetime.UTC)
        ),
    )
    hex_length = len(dry_run.dump()) * 2
    return hex_length + 2 * (hex_length // 4)


def pdf_seal(pdf_bytes: bytes) -> bytes | None:
    """The PDF with an invisible PAdES signature by the deployment's certificate.

    None when no certificate is configured. The signature is an incremental update,
    so the unsealed bytes stay the sealed file's prefix.
    """
    path = signing_certificate_path()
    if path is None:
        return None
    try:
        signer = _signer(
            path.read_bytes(), _passphrase(settings.SIGNING_CERTIFICATE_PASSPHRASE)
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
        lambda: signers.sign_pdf(
            writer, metadata, signer=signer, bytes_reserved=signer.bytes_reserved
        )
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
        status = _outside_event_loop(
            partial(validate_pdf_signature, signature, context, skip_diff=True)
        )
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


def _scan_refused(message, code):
    return ValidationError({"paper_scan": ValidationError(message, code=code)})


def paper_scan_pdf(upload, *, created: datetime.datetime) -> bytes:
    """The scan of a paper signature as the PDF to store, or a ValidationError on
    `paper_scan` saying why not.

    A PDF is kept as uploaded once it reads as one, unencrypted, with 1 to
    PAPER_SCAN_MAX_PAGES pages; a JPEG or PNG image is re-encoded (its metadata
    dropped) and rendered as a page of PDF/A. Anything else is refused, whatever
    its first bytes say.
    """
    too_large = _scan_refused(
        _("The scan is larger than %(size)s MB.")
        % {"size": PAPER_SCAN_MAX_BYTES // 1_000_000},
        "too_large",
    )
    if upload.size > PAPER_SCAN_MAX_BYTES:
        raise too_large
    upload.seek(0)
    data = upload.read(PAPER_SCAN_MAX_BYTES + 1)
    if len(data) > PAPER_SCAN_MAX_BYTES:
        raise too_large
    if data.startswith(b"%PDF-"):
        _paper_scan_pdf_check(data)
        return data
    return _paper_scan_image_pdf(data, created=created)


def _paper_scan_pdf_check(data: bytes) -> None:
    unreadable = _scan_refused(
        _(
            "The file cannot be read as a PDF: it may be damaged or not a PDF at "
            "all. Scan the paper again, or upload the scan as a JPEG or PNG image."
        ),
        "not_pdf",
    )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
        pages = None if encrypted else _pdf_page_count(reader)
    except Exception:  # a damaged file fails in many ways
        raise unreadable from None
    if encrypted:
        raise _scan_refused(
            _("The PDF is protected by a password. Upload it without one."),
            "encrypted",
        )
    if pages is None:
        raise unreadable
    if pages == 0:
        raise _scan_refused(_("The PDF has no pages."), "no_pages")
    if pages > PAPER_SCAN_MAX_PAGES:
        raise _scan_refused(
            _("The PDF has more than %(pages)s pages. Upload the signed pages only.")
            % {"pages": PAPER_SCAN_MAX_PAGES},
            "too_many_pages",
        )


def _pdf_page_count(reader) -> int | None:
    """The pages found by walking the page tree (not its declared /Count), up to
    one past the limit; None if the tree is not a tree."""
    pending = [reader.root["/Pages"]]
    pages = nodes = 0
    while pending and pages <= PAPER_SCAN_MAX_PAGES:
        node = pending.pop()
        nodes += 1
        if nodes > 4 * PAPER_SCAN_MAX_PAGES + 16:  # a loop, or padding
            return None
        if node.get("/Type") == "/Pages":
            pending.extend(kid.get_object() for kid in node["/Kids"])
        elif node.get("/Type") == "/Page" and "/MediaBox" in _inherited(node):
            pages += 1
        else:
            return None
    return pages


def _inherited(page):
    """The keys a page has, its own and those it inherits from its parents."""
    keys, node, depth = set(page.keys()), page, 0
    while "/Parent" in node and depth < 32:
        node, depth = node["/Parent"], depth + 1
        keys |= set(node.keys())
    return keys


def _paper_scan_image_pdf(data: bytes, *, created) -> bytes:
    not_a_scan = _scan_refused(
        _(
            "The file is neither a PDF nor a JPEG or PNG image that can be read. "
            "Upload the scan as a PDF, JPEG or PNG."
        ),
        "not_a_scan",
    )
    too_many_pixels = _scan_refused(
        _(
            "The image has more than %(millions)s million pixels. Scan it at a "
            "lower resolution (300 dpi is enough)."
        )
        % {"millions": PAPER_SCAN_MAX_PIXELS // 1_000_000},
        "too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                format_name = probe.format
                if format_name not in PAPER_SCAN_IMAGE_FORMATS:
                    raise not_a_scan
                if probe.width * probe.height > PAPER_SCAN_MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((PAPER_SCAN_IMAGE_SIDE, PAPER_SCAN_IMAGE_SIDE))
                image = _on_white(image)
                encoded = io.BytesIO()
                image.save(encoded, format=format_name, quality=90)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_a_scan from None
    with translation.override("sv"):
        return image_render_pdf_a3a(
            encoded.getvalue(),
            content_type=PAPER_SCAN_IMAGE_FORMATS[format_name],
            title=_("Scan of the signed paper"),
            alt=_("Scan of the signed paper"),
            created=created,
        )


def _on_white(image):
    """The image in RGB, transparent parts white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


class DocumentIntegrityError(Exception):
    """A stored document is missing or differs from its recorded SHA-256."""


def stored_document_open(field_file, *, sha256: str, served: bool = True):
    """The stored document, open at its start, if its bytes match `sha256`.

    Otherwise DocumentIntegrityError, after document_integrity_report() (`served`:
    a user asked for it; otherwise the daily check did).
    """
    digest = hashlib.sha256()
    try:
        file = field_file.open("rb")
    except OSError as error:
        document_integrity_report(
            name=field_file.name, recorded=sha256, actual=None, served=served
        )
        raise DocumentIntegrityError(field_file.name) from error
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    if not sha256 or digest.hexdigest() != sha256:
        file.close()
        document_integrity_report(
            name=field_file.name,
            recorded=sha256,
            actual=digest.hexdigest(),
            served=served,
        )
        raise DocumentIntegrityError(field_file.name)
    file.seek(0)
    return file


def document_integrity_report(
    *, name: str, recorded: str, actual: str | None, served: bool = True
):
    """Log at ERROR on `agreements.integrity`, and e-mail the system owners, that
    the stored document `name` is missing (`actual` None) or its SHA-256 is not the
    recorded one, and was not served (`served`) or was found by the daily check."""
    integrity_logger.error(
        "The stored document %s %s (recorded SHA-256 %s); %s.",
        name,
        "is missing" if actual is None else f"has SHA-256 {actual}",
        recorded or "none",
        "it was not served" if served else "found by the daily check",
    )
    recipients = list(
        User.objects.filter(role=Role.SYSTEM_OWNER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Servicepunkter: a stored document failed its integrity check")
        problem = (
            _("The stored document %(name)s is missing.")
            if actual is None
            else _(
                "The stored document %(name)s does not match its recorded SHA-256 "
                "(recorded %(recorded)s, file %(actual)s)."
            )
        ) % {"name": name, "recorded": recorded or "-", "actual": actual}
        body = "\n\n".join(
            [
                problem,
                _(
                    "It was not served to the user who asked for it. Run "
                    "`manage.py verify_agreement_pdfs` to check every document, "
                    "and restore the file from a backup."
                )
                if served
                else _(
                    "The daily check of the stored documents found it. Run "
                    "`manage.py verify_agreement_pdfs` to check every document, "
                    "and restore the file from a backup."
                ),
            ]
        )
    # The log entry stands even if the mail cannot be sent.
    send_mail(subject, body, None, recipients, fail_silently=True)
