"""The files of signing: a paper scan is what it claims to be, a download is the
file that was stored, and a signing that fails leaves no file behind."""

import io
import logging
import shutil
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter, copy_into_new_writer

from accounts.tests.factories import TEST_PASSWORD
from agreements import documents
from agreements.demo import DEMO_SCAN
from agreements.models import Agreement, AgreementVersion, Signature
from agreements.services import agreement_mark_ready, agreement_sign, signing
from agreements.tests.helpers import documents_made
from core.documents import files_removed_on_rollback, html_render_pdf_a3a
from securitylog.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def sign_in_app(agreement, user, side):
    return agreement_sign(
        agreement=agreement,
        by=user,
        side=side,
        name=user.full_name,
        title="VD",
        password=TEST_PASSWORD,
    )


def sign_on_paper(agreement, official, scan: bytes, name="scan.pdf"):
    return agreement_sign(
        agreement=agreement,
        by=official,
        side="party",
        name="Per Lindberg",
        title="VD",
        paper_scan=SimpleUploadedFile(name, scan),
    )


def pdf_of_pages(count: int) -> bytes:
    pages = "".join('<p style="break-after: page">Sida</p>' for _ in range(count))
    return html_render_pdf_a3a(
        f'<html lang="sv"><title>Skanning</title><body>{pages}</body></html>',
        created=timezone.now(),
    )


def pdf_written(writer) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(DEMO_SCAN)))
    writer.encrypt("owner", "user")
    return pdf_written(writer)


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels; it holds far fewer, which is
    all a decompression bomb needs to be refused before it is decoded."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def photo(format_name: str) -> bytes:
    image = Image.new("RGB", (620, 877), "white")
    for x in range(100, 500):
        image.putpixel((x, 700 + x // 20), (0, 0, 80))
    buffer = io.BytesIO()
    image.save(buffer, format=format_name)
    return buffer.getvalue()


# 1. Uploaded signatures are what they claim.

CANNOT_BE_READ = "Filen går inte att läsa som en PDF"
REFUSED_SCANS = {
    "a 16-byte PDF header": (b"%PDF-1.4 nothing", "nothing.pdf", CANNOT_BE_READ),
    "HTML behind a PDF header": (
        b"%PDF-<html><script>alert(document.cookie)</script></html>",
        "scan.pdf",
        CANNOT_BE_READ,
    ),
    "a text file": (b"Underskrift: Per", "scan.txt", "Filen är varken en PDF"),
    "a PDF of no pages": (
        pdf_written(PdfFileWriter()),
        "scan.pdf",
        "PDF-filen har inga sidor.",
    ),
    "a PDF with a password": (
        encrypted_pdf(),
        "scan.pdf",
        "PDF-filen är lösenordsskyddad. Ladda upp den utan lösenord.",
    ),
    "a PDF of 51 pages": (
        "pdf_of_pages_51",
        "scan.pdf",
        "PDF-filen har fler än 50 sidor. Ladda bara upp de undertecknade sidorna.",
    ),
    "a PNG of 56 million pixels": (
        png_header(8000, 7000),
        "scan.png",
        "Bilden har fler än 50 miljoner pixlar.",
    ),
    "a PNG decompression bomb": (
        png_header(30000, 30000),
        "scan.png",
        "Bilden har fler än 50 miljoner pixlar.",
    ),
}


@pytest.fixture
def ready(draft, official):
    agreement_mark_ready(agreement=draft, by=official)
    # Its reference number was given in the database.
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("scan", REFUSED_SCANS.values(), ids=REFUSED_SCANS.keys())
def test_a_scan_that_is_not_what_it_claims_is_refused_on_the_form_and_nothing_stored(
    client, settings, official, ready, scan
):
    content, filename, message = scan
    if content == "pdf_of_pages_51":
        content = pdf_of_pages(51)
    before = media_files(settings)
    client.force_login(official)
    response = client.post(
        reverse("agreements:agreement_sign_paper", args=[ready.pk]),
        {
            "side": "party",
            "name": "Per Lindberg",
            "title": "VD",
            "paper_scan": SimpleUploadedFile(filename, content),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # The paper-signature form is shown open, its error in sight.
    assert '<details class="disclosure" open>' in page
    assert not ready.first_version().signatures.exists()
    assert media_files(settings) == before


def test_the_refusal_is_in_english_in_the_english_interface(client, official, ready):
    client.force_login(official)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        reverse("agreements:agreement_sign_paper", args=[ready.pk]),
        {
            "side": "party",
            "name": "Per Lindberg",
            "title": "VD",
            "paper_scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 nothing"),
        },
    )
    assert response.status_code == 400
    assert "The file cannot be read as a PDF" in response.content.decode()


def test_the_service_itself_refuses_a_false_pdf(official, ready):
    with pytest.raises(ValidationError) as error:
        sign_on_paper(ready, official, b"%PDF-1.4 nothing")
    assert error.value.error_dict["paper_scan"][0].code == "not_pdf"
    assert not ready.first_version().signatures.exists()


def test_a_pdf_scan_is_kept_as_uploaded_and_embedded_in_the_sealed_agreement(
    official, ready
):
    scan = pdf_of_pages(2)
    sign_in_app(ready, official, "municipality")
    sign_on_paper(ready, official, scan)
    documents_made()
    version = ready.first_version()
    signature = version.signatures.get(side="party")
    assert signature.paper_scan.read() == scan
    reader = PdfFileReader(io.BytesIO(version.signed_document.read()))
    embedded = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert embedded[0] == f"{ready.reference}-v1-party.pdf"
    assert embedded[1]["/EF"]["/F"].data == scan


@pytest.mark.parametrize("format_name", ["JPEG", "PNG"])
def test_a_photographed_signature_is_stored_as_a_one_page_pdf_a(
    official, ready, format_name
):
    sign_on_paper(ready, official, photo(format_name), name="scan.img")
    stored = ready.first_version().signatures.get(side="party").paper_scan
    assert stored.name.endswith("-v1-party.pdf")
    pdf = stored.read()
    reader = PdfFileReader(io.BytesIO(pdf))
    assert reader.root["/Pages"]["/Count"] == 1
    metadata = reader.root["/Metadata"].data
    assert b'pdfaid:part="3"' in metadata
    assert b'pdfaid:conformance="A"' in metadata


# 2. A download checks the stored hash.


@pytest.fixture
def signed(official, shop_owner, ready):
    sign_in_app(ready, official, "municipality")
    sign_in_app(ready, shop_owner, "party")
    documents_made()
    return ready.first_version()


def flip_one_byte(field_file):
    path = Path(field_file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def download(client, version, kind):
    return client.get(reverse("agreements:agreement_document", args=[version.pk, kind]))


def test_a_signed_pdf_with_one_flipped_byte_is_refused_with_a_page_that_says_so(
    client, caplog, official, system_owner, signed
):
    flip_one_byte(signed.signed_document)
    client.force_login(official)
    with caplog.at_level(logging.ERROR, logger="agreements.integrity"):
        response = download(client, signed, "signed")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Dokumentet klarade inte kontrollen av att det är oförändrat" in page
    assert "Systemägaren har fått besked" in page
    [record] = [r for r in caplog.records if r.name == "agreements.integrity"]
    assert record.levelno == logging.ERROR
    assert signed.signed_document.name in record.getMessage()
    assert signed.signed_document_sha256 in record.getMessage()
    [message] = mail.outbox
    assert message.to == [system_owner.email]
    assert message.subject == (
        "Servicepunkter: ett lagrat dokument klarade inte kontrollen av att det är "
        "oförändrat"
    )
    assert f"Det lagrade dokumentet {signed.signed_document.name} stämmer inte" in (
        message.body
    )
    # The security log keeps who met the altered file, and which it was.
    event = SecurityEvent.objects.get(kind=EventKind.DOCUMENT_ALTERED)
    assert (event.user, event.detail) == (official, signed.signed_document.name)
    assert event.municipality_id == signed.agreement.municipality_id

    # The untouched frozen document of the same version is served as stored.
    frozen = download(client, signed, "frozen")
    assert frozen.status_code == 200
    assert b"".join(frozen.streaming_content) == signed.document.read()


def test_the_daily_job_finds_a_flipped_byte_on_the_documents_day_and_mails_it(
    caplog, system_owner, signed
):
    from django.core.management import call_command

    from agreements.services.integrity import DOCUMENT_CHECK_CYCLE_DAYS

    flip_one_byte(signed.signed_document)
    turn = signed.pk % DOCUMENT_CHECK_CYCLE_DAYS
    # Another day of the month checks other documents.
    other_day = timezone.localdate().replace(day=(turn + 1) % 28 + 1)
    call_command("run_daily", today=other_day, stdout=io.StringIO())
    assert mail.outbox == []

    # Its own day comes at least once a month (day 28 for turn 0).
    own_day = timezone.localdate().replace(day=turn or DOCUMENT_CHECK_CYCLE_DAYS)
    out = io.StringIO()
    with caplog.at_level(logging.ERROR, logger="agreements.integrity"):
        call_command("run_daily", today=own_day, stdout=out)
    assert "Lagrade dokument som inte klarade kontrollen: 1" in out.getvalue()
    [record] = [r for r in caplog.records if r.name == "agreements.integrity"]
    assert signed.signed_document.name in record.getMessage()
    [message] = mail.outbox
    assert message.to == [system_owner.email]
    assert f"Det lagrade dokumentet {signed.signed_document.name} stämmer inte" in (
        message.body
    )
    assert "Den dagliga kontrollen av de lagrade dokumenten hittade det" in (
        message.body
    )


def test_every_stored_document_is_checked_once_in_any_month(signed):
    from agreements.services.integrity import agreement_documents_check_share

    flip_one_byte(signed.document)
    failures = [
        agreement_documents_check_share(today=date(2027, 2, day))
        for day in range(1, 29)
    ]
    assert failures.count(1) == 1 and sum(failures) == 1


def test_the_untouched_signed_pdf_is_served(client, official, signed):
    client.force_login(official)
    response = download(client, signed, "signed")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == signed.signed_document.read()


def test_a_missing_document_is_refused_with_the_same_page(client, official, ready):
    version = ready.first_version()
    Path(version.document.path).unlink()
    client.force_login(official)
    response = download(client, version, "frozen")
    assert response.status_code == 409
    assert "Systemägaren har fått besked" in response.content.decode()


# 3. Files after a rollback.


class Failure(Exception):
    pass


def fail(*args, **kwargs):
    raise Failure


# Each step of the second, completing signature, in order; each fails once. (The
# signed document is made afterwards, in the background: test_signed_document_job.)
STEPS = {
    "after the scan is stored": (Signature, "full_clean"),
    "when the version is marked signed": (AgreementVersion, "save"),
    "while queueing the signed document": (signing, "signed_document_queue"),
    "while planning the payouts": (signing, "payouts_plan"),
}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_a_signing_that_fails_at_any_step_leaves_no_file_and_no_row(
    settings, monkeypatch, official, ready, step
):
    sign_in_app(ready, official, "municipality")
    before = media_files(settings)
    monkeypatch.setattr(*step, fail)
    with pytest.raises(Failure):
        sign_on_paper(ready, official, photo("PNG"), name="scan.png")
    assert media_files(settings) == before
    ready.refresh_from_db()
    version = ready.first_version()
    assert ready.state == Agreement.State.READY
    assert list(version.signatures.values_list("side", flat=True)) == ["municipality"]
    assert not version.signed_document
    assert not ready.payouts.exists()


def test_a_signing_inside_a_larger_transaction_that_fails_leaves_no_file(
    settings, official, ready
):
    sign_in_app(ready, official, "municipality")
    before = media_files(settings)
    with pytest.raises(Failure), files_removed_on_rollback():
        sign_on_paper(ready, official, DEMO_SCAN)
        fail()
    assert media_files(settings) == before
    assert ready.first_version().signatures.count() == 1


def test_a_completed_signing_keeps_its_files(settings, official, ready):
    sign_in_app(ready, official, "municipality")
    before = media_files(settings)
    sign_on_paper(ready, official, photo("PNG"), name="scan.png")
    documents_made()
    assert media_files(settings) - before == {
        f"signatures/{ready.reference}-v1-party.pdf",
        f"agreements/{ready.reference}-v1-signed.pdf",
    }


@pytest.fixture
def poppler():
    if not shutil.which("pdfinfo"):
        pytest.skip("Poppler's pdfinfo is not installed")


def test_a_photographed_signature_reads_in_a_pdf_reader(tmp_path, poppler):
    pdf = documents.paper_scan_pdf(
        SimpleUploadedFile("scan.jpg", photo("JPEG")), created=timezone.now()
    )
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:           1" in info
    assert "Tagged:          yes" in info
