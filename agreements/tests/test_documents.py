"""The agreement document, checked with real PDF tools (poppler-utils)."""

import asyncio
import datetime
import difflib
import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from unittest import mock

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader

from agreements.documents import (
    Attachment,
    agreement_render_pdf,
    pdf_seal,
    pdf_seal_problems,
    sha256_hex,
    signing_certificate_create,
)
from agreements.models import Agreement, AgreementVersion
from agreements.tests.factories import AgreementVersionFactory, SignatureFactory

pytestmark = pytest.mark.django_db

POPPLER = ["pdftotext", "pdffonts", "pdfinfo", "pdfsig", "pdfdetach", "pdftoppm"]


@pytest.fixture(autouse=True)
def poppler():
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"These tests need poppler-utils ({', '.join(missing)}).")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def pdf_text(tmp_path, data: bytes, name="document.pdf") -> str:
    return run("pdftotext", write(tmp_path, name, data), "-")


@pytest.fixture
def version():
    """The first version of an agreement made ready: it has its reference number."""
    return AgreementVersionFactory(
        agreement__state=Agreement.State.READY,
        agreement__party__name="Pers Livs AB",
        agreement__party__organisation_number="556036-0793",
        agreement__party__bankgiro="5050-1055",
        agreement__outlet__name="Pers Livs",
        decision_registration_number="KS 2025/417",
        decision_body="Kommunstyrelsen",
        decision_date=datetime.date(2025, 11, 18),
        decision_paragraph="142",
    )


@pytest.fixture
def signatures(version):
    return [
        SignatureFactory(
            version=version,
            signed_by_name="Eva Lindström",
            signed_by_title="Kommunstyrelsens ordförande",
        ),
        SignatureFactory(
            version=version,
            party=True,
            on_paper=True,
            signed_by_name="Per Persson",
            signed_by_title="Verkställande direktör",
            signed_at=timezone.make_aware(datetime.datetime(2025, 12, 3, 14, 40)),
        ),
    ]


@pytest.fixture
def certificate(tmp_path, settings):
    """A self-signed certificate made with our own command, configured in settings."""
    path = tmp_path / "signing" / "test.p12"
    call_command(
        "create_signing_certificate",
        path=path,
        passphrase="hemlig-fras",
        stdout=StringIO(),
    )
    settings.SIGNING_CERTIFICATE_PATH = str(path)
    settings.SIGNING_CERTIFICATE_PASSPHRASE = "hemlig-fras"
    return path


def test_the_compensation_reads_40_000_kr_in_a_pdf_reader(tmp_path, version):
    text = pdf_text(tmp_path, agreement_render_pdf(version=version))

    assert "40 000 kr" in text
    # VAT 25 % and the total including it, and the three services' fees.
    assert "10 000 kr" in text
    assert "50 000 kr" in text
    assert text.count("15 000 kr") == 2


def test_the_document_states_the_parties_decision_services_and_term(tmp_path, version):
    text = " ".join(pdf_text(tmp_path, agreement_render_pdf(version=version)).split())

    for expected in [
        "Nordmalings kommun",
        "Pers Livs AB",
        "556036-0793",
        "5050-1055",
        "SP-2401-2026-",
        "KS 2025/417",
        "Kommunstyrelsen",
        "2025-11-18",
        "§ 142",
        "Kommunal information",
        "Mötesplats",
        "Paketutlämning",
        "öppet måndag–lördag 10–18",
        "6 m²",
        "2026-01-01",
        # The end of the initial 36 months, and the last day to give notice for it.
        "2028-12-31",
        "2028-09-30",
    ]:
        assert expected in text, expected


def test_the_document_is_in_swedish_whatever_the_active_language(tmp_path, version):
    with translation.override("en"):
        pdf = agreement_render_pdf(version=version)

    assert "Nordmalings kommun" in pdf_text(tmp_path, pdf)
    assert translation.get_language() == "sv"


def test_a_fixed_term_ends_after_its_initial_term_without_notice(tmp_path):
    version = AgreementVersionFactory(
        starts_on=datetime.date(2026, 5, 31),
        initial_term_months=3,
        extension_months=None,
    )

    text = pdf_text(tmp_path, agreement_render_pdf(version=version))

    assert "2026-08-30" in text


def test_the_document_is_pdf_a_3a_with_tags(tmp_path, version):
    path = write(tmp_path, "document.pdf", agreement_render_pdf(version=version))

    metadata = run("pdfinfo", "-meta", path)
    assert re.search(r'pdfaid:part(="|>)3', metadata)
    assert re.search(r'pdfaid:conformance(="|>)A', metadata)
    info = run("pdfinfo", path)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE)


def test_every_font_is_embedded_and_is_the_vendored_one(tmp_path, version, signatures):
    pdf = agreement_render_pdf(version=version, signatures=signatures, draft=True)

    rows = run("pdffonts", write(tmp_path, "document.pdf", pdf)).splitlines()[2:]
    assert rows
    for row in rows:
        name, *_columns, emb, _sub, _uni, _object, _generation = row.split()
        assert emb == "yes", row
        assert "Source-Sans-3" in name, row


def test_two_renders_of_the_same_version_are_byte_identical(version, signatures):
    assert agreement_render_pdf(version=version) == agreement_render_pdf(
        version=version
    )
    assert agreement_render_pdf(
        version=version, signatures=signatures
    ) == agreement_render_pdf(version=version, signatures=signatures)


def test_rendering_restores_the_environment(version, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234")
    agreement_render_pdf(version=version)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1234"


def test_the_signed_document_differs_from_the_frozen_one_only_by_the_signatures(
    tmp_path, version, signatures
):
    frozen = agreement_render_pdf(version=version)
    signed = agreement_render_pdf(version=version, signatures=signatures)
    frozen_text = pdf_text(tmp_path, frozen, "frozen.pdf").splitlines()
    signed_text = pdf_text(tmp_path, signed, "signed.pdf").splitlines()
    signature_words = set()
    for signature in signatures:
        signature_words.update(signature.signed_by_name.split())
        signature_words.update(signature.signed_by_title.split())
        signature_words.add(timezone.localtime(signature.signed_at).date().isoformat())
    with translation.override("sv"):
        for method in ("Signed in Servicepunkter", "Signed on paper"):
            signature_words.update(translation.gettext(method).split())

    changes = [
        (frozen_text[i1:i2], signed_text[j1:j2])
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            a=frozen_text, b=signed_text, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    ]

    assert changes, "the signatures are missing from the signed document"
    added = " ".join(" ".join(lines) for _frozen, lines in changes).split()
    assert "Lindström" in added and "Persson" in added and "2025-12-03" in added
    for removed, inserted in changes:
        assert all(not line.strip() for line in removed), removed
        for line in inserted:
            assert set(line.split()) <= signature_words, line


def test_the_frozen_and_signed_documents_have_as_many_pages(
    tmp_path, version, signatures
):
    def pages(pdf, name):
        info = run("pdfinfo", write(tmp_path, name, pdf))
        return re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1)

    assert pages(agreement_render_pdf(version=version), "frozen.pdf") == pages(
        agreement_render_pdf(version=version, signatures=signatures), "signed.pdf"
    )


def test_a_paper_scan_is_embedded_as_an_attachment(tmp_path, version, signatures):
    scan = b"%PDF-1.4\n% the signed paper, scanned\n"
    pdf = agreement_render_pdf(
        version=version,
        signatures=signatures,
        attachments=[("SP-2401-2026-001-v1-party.pdf", scan)],
    )
    path = write(tmp_path, "signed.pdf", pdf)

    listing = run("pdfdetach", "-list", path)
    assert "1 embedded files" in listing
    assert "SP-2401-2026-001-v1-party.pdf" in listing
    saved = tmp_path / "extracted.pdf"
    run("pdfdetach", "-save", "1", "-o", str(saved), path)
    assert saved.read_bytes() == scan


def test_attachments_keep_the_render_deterministic(version, signatures):
    attachment = Attachment("skanning.png", b"\x89PNG not really", "Skanning")

    assert agreement_render_pdf(
        version=version, signatures=signatures, attachments=[attachment]
    ) == agreement_render_pdf(
        version=version, signatures=signatures, attachments=[attachment]
    )


def test_a_draft_is_marked_utkast_on_every_page(tmp_path, version):
    draft = write(
        tmp_path, "draft.pdf", agreement_render_pdf(version=version, draft=True)
    )
    # The watermark is rotated: read the text in content order, not by layout.
    pages = run("pdftotext", "-raw", draft, "-").split("\f")[:-1]

    assert len(pages) >= 2
    assert all("UTKAST" in page for page in pages)
    frozen = write(tmp_path, "frozen.pdf", agreement_render_pdf(version=version))
    assert "UTKAST" not in run("pdftotext", "-raw", frozen, "-")


def test_a_drafts_preview_reads_utkast_where_the_reference_will_be(tmp_path):
    draft = AgreementVersionFactory()
    text = pdf_text(tmp_path, agreement_render_pdf(version=draft, draft=True))

    assert draft.agreement.reference == ""
    assert "Avtal\nUtkast" in text
    assert "Utkast, Avtal" in text


def test_pages_are_numbered_with_the_reference_in_the_footer(tmp_path, version):
    pages = pdf_text(tmp_path, agreement_render_pdf(version=version)).split("\f")[:-1]

    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number}\b\D+\b{len(pages)}\b", page), page
        assert version.agreement.reference in page


def test_the_pages_render_to_images(tmp_path, version, signatures):
    pdf = agreement_render_pdf(version=version, signatures=signatures)
    path = write(tmp_path, "signed.pdf", pdf)

    run("pdftoppm", "-png", "-r", "60", path, str(tmp_path / "page"))

    assert sorted(p.name for p in tmp_path.glob("page-*.png"))


def test_the_seal_is_valid_and_covers_the_whole_document(
    tmp_path, version, signatures, certificate
):
    pdf = agreement_render_pdf(version=version, signatures=signatures)

    sealed = pdf_seal(pdf)

    assert sealed.startswith(pdf)
    path = write(tmp_path, "sealed.pdf", sealed)
    report = run("pdfsig", path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: Servicepunkter" in report
    # An invisible signature adds no font: the sealed file stays PDF/A.
    for row in run("pdffonts", path).splitlines()[2:]:
        assert row.split()[-5] == "yes", row
    assert re.search(r'pdfaid:part(="|>)3', run("pdfinfo", "-meta", path))


def test_a_seal_is_made_and_checked_inside_a_running_event_loop(
    version, signatures, certificate
):
    """pyHanko runs asyncio.run(), which fails inside a running loop: an async
    server's, or Playwright's once a browser test has run on the test worker."""
    pdf = agreement_render_pdf(version=version, signatures=signatures)

    async def seal_and_check():
        sealed = pdf_seal(pdf)
        return sealed, pdf_seal_problems(sealed), pdf_seal_problems(sealed[:-200])

    # In a thread of its own: Playwright's loop may already run in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sealed, problems, damaged = pool.submit(asyncio.run, seal_and_check()).result()

    assert sealed.startswith(pdf)
    assert problems == []
    assert damaged != []


def test_without_a_certificate_nothing_is_sealed(settings, version):
    settings.SIGNING_CERTIFICATE_PATH = ""

    assert pdf_seal(agreement_render_pdf(version=version)) is None


def test_a_missing_certificate_file_is_a_configuration_error(settings, tmp_path):
    settings.SIGNING_CERTIFICATE_PATH = str(tmp_path / "none.p12")

    with pytest.raises(ImproperlyConfigured, match="SIGNING_CERTIFICATE_PATH"):
        pdf_seal(b"%PDF-1.7")


def sealed_by(sealed: bytes):
    """The serial number of the certificate that sealed the PDF."""
    (signature,) = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    return signature.signer_cert.serial_number


def test_the_certificate_is_loaded_once_and_a_replaced_one_is_used(
    version, certificate
):
    pdf = agreement_render_pdf(version=version)
    loads = []
    load = pkcs12.load_key_and_certificates

    def counted(*args, **kwargs):
        loads.append(args)
        return load(*args, **kwargs)

    with mock.patch.object(pkcs12, "load_key_and_certificates", counted):
        first, second = pdf_seal(pdf), pdf_seal(pdf)
        assert len(loads) == 1
        assert sealed_by(first) == sealed_by(second)

        replaced = signing_certificate_create(
            path=certificate, passphrase="hemlig-fras"
        )
        third = pdf_seal(pdf)

    assert len(loads) == 2
    assert sealed_by(third) == replaced.serial_number != sealed_by(first)
    assert pdf_seal_problems(third) == []


def test_a_wrong_passphrase_is_a_configuration_error_after_a_seal(
    settings, version, certificate
):
    pdf = agreement_render_pdf(version=version)
    assert pdf_seal(pdf) is not None

    settings.SIGNING_CERTIFICATE_PASSPHRASE = "fel-fras"

    with pytest.raises(ImproperlyConfigured, match="SIGNING_CERTIFICATE_PASSPHRASE"):
        pdf_seal(pdf)


def test_the_certificate_is_not_overwritten_without_force(certificate):
    before = certificate.read_bytes()

    with pytest.raises(CommandError, match="--force"):
        call_command("create_signing_certificate", path=certificate, stdout=StringIO())
    assert certificate.read_bytes() == before

    call_command(
        "create_signing_certificate",
        path=certificate,
        passphrase="hemlig-fras",
        force=True,
        stdout=StringIO(),
    )
    assert certificate.read_bytes() != before
    assert certificate.stat().st_mode & 0o077 == 0


def test_sha256_hex_is_the_hex_digest():
    assert sha256_hex(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_version(media_root, *, document: bytes, signed: bytes | None, **fields):
    """A version whose frozen (and signed) documents are stored, hashes recorded."""
    (media_root / "agreements").mkdir(parents=True, exist_ok=True)
    version = AgreementVersionFactory(
        agreement__state=Agreement.State.READY, services=[("Mötesplats", 40_000)]
    )
    reference = version.agreement.reference
    names = {"document": f"agreements/{reference}-v1.pdf"}
    (media_root / names["document"]).write_bytes(document)
    values = {"document": names["document"], "document_sha256": sha256_hex(document)}
    if signed is not None:
        names["signed"] = f"agreements/{reference}-v1-signed.pdf"
        (media_root / names["signed"]).write_bytes(signed)
        values |= {
            "signed_document": names["signed"],
            "signed_document_sha256": sha256_hex(signed),
        }
    values |= fields
    type(version).objects.filter(pk=version.pk).update(**values)
    version.refresh_from_db()
    return version


def verify():
    out = StringIO()
    try:
        call_command("verify_agreement_pdfs", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def test_verify_agreement_pdfs_passes_on_intact_sealed_documents(
    media_root, version, signatures, certificate
):
    frozen = agreement_render_pdf(version=version)
    sealed = pdf_seal(agreement_render_pdf(version=version, signatures=signatures))
    stored_version(media_root, document=frozen, signed=sealed, is_sealed=True)

    code, out, _error = verify()

    assert code == 0
    assert out.count("\n") == 1
    assert "2" in out


def test_verify_agreement_pdfs_detects_a_tampered_file(media_root, version):
    frozen = agreement_render_pdf(version=version)
    stored = stored_version(media_root, document=frozen, signed=None)
    path = media_root / stored.document.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    code, out, error = verify()

    assert code == 1
    reference = stored.agreement.reference
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{reference} v1: ")
    assert stored.document.name in lines[0]
    assert stored.document_sha256 in lines[0]
    assert "1" in error


def test_verify_agreement_pdfs_detects_a_broken_seal_even_with_a_matching_hash(
    media_root, version, signatures, certificate
):
    sealed = bytearray(
        pdf_seal(agreement_render_pdf(version=version, signatures=signatures))
    )
    # Change a byte inside the signed content, then record the altered file's hash
    # as if someone had replaced both.
    sealed[1000] ^= 0x01
    stored = stored_version(
        media_root,
        document=agreement_render_pdf(version=version),
        signed=bytes(sealed),
        is_sealed=True,
    )

    code, out, _error = verify()

    assert code == 1
    [line] = out.splitlines()
    assert line.startswith(f"{stored.agreement.reference} v1: ")
    assert "Signatur" in line


def test_verify_agreement_pdfs_reports_a_missing_file(media_root, version):
    stored = stored_version(
        media_root, document=agreement_render_pdf(version=version), signed=None
    )
    (media_root / stored.document.name).unlink()

    code, out, _error = verify()

    assert code == 1
    assert out.startswith(f"{stored.agreement.reference} v1: ")
    assert stored.document.name in out


@pytest.mark.parametrize("typed", ["145", "§ 145", "§145", " §  145 "])
def test_the_decisions_paragraph_prints_once_as_typed(tmp_path, typed):
    version = AgreementVersionFactory(decision_paragraph=typed)

    text = " ".join(pdf_text(tmp_path, agreement_render_pdf(version=version)).split())

    assert "§ 145" in text
    assert text.count("§") == 1


def test_the_first_amendment_is_tillagg_1_in_its_document(tmp_path, version):
    amendment = AgreementVersionFactory(
        agreement=version.agreement,
        number=2,
        effective_on=datetime.date(2027, 7, 1),
        amendment_reason="Hemsändning läggs till.",
    )

    text = " ".join(pdf_text(tmp_path, agreement_render_pdf(version=amendment)).split())

    assert "Det här är tillägg 1 till avtalet" in text
    assert f"{version.agreement.reference}, Tillägg 1" in text
    assert "Tillägg 2" not in text and "tillägg 2" not in text


def test_a_services_table_across_pages_repeats_its_header_and_sums_once_at_its_end(
    tmp_path,
):
    services = [(f"Tjänst nummer {n:02}", 1_000) for n in range(1, 31)]
    version = AgreementVersionFactory(services=services, annual_compensation=30_000)
    pdf = agreement_render_pdf(version=version)
    path = write(tmp_path, "long.pdf", pdf)
    count = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", path))[1])
    pages = [
        run("pdftotext", "-f", str(n), "-l", str(n), path, "-")
        for n in range(1, count + 1)
    ]
    table_pages = [
        number for number, page in enumerate(pages) if "Tjänst nummer" in page
    ]

    assert len(table_pages) >= 2
    for number in table_pages:
        assert "ERSÄTTNING PER ÅR" in pages[number], number
    summa = [number for number, page in enumerate(pages) if "Summa avgifter" in page]
    assert summa == [table_pages[-1]]
    assert pages[table_pages[-1]].count("Summa avgifter") == 1
    last = pages[table_pages[-1]]
    assert last.index("Tjänst nummer 30") < last.index("Summa avgifter")
    assert "30 000 kr" in last


def test_the_document_states_the_previous_years_follow_up_as_the_payout_condition(
    tmp_path, version
):
    text = " ".join(pdf_text(tmp_path, agreement_render_pdf(version=version)).split())
    assert (
        "Utbetalning förutsätter att uppföljningen av föregående avtalsår är "
        "genomförd; första årets utbetalningar har inget sådant villkor."
    ) in text
    assert "det avtalsår som utbetalningen gäller" not in text


def test_a_version_signed_under_the_old_rule_still_states_it(tmp_path):
    version = AgreementVersionFactory(
        agreement__state=Agreement.State.READY,
        payout_condition_year=AgreementVersion.PayoutConditionYear.COVERED,
    )
    text = " ".join(pdf_text(tmp_path, agreement_render_pdf(version=version)).split())
    assert (
        "Varje utbetalning kräver att uppföljningen av det avtalsår som "
        "utbetalningen gäller är klar."
    ) in text
