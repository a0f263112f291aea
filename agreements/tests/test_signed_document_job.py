"""The signed document made in the background (issue 19): the second signature
stores no PDF but queues a job; a real worker renders, seals and stores it; a
killed worker's job is picked up again; a job that fails says why on the
agreement's page and is tried again by those who manage the agreement; the
database lets the document be filled in once and nothing more."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from lxml import html

from accounts.tests.factories import TEST_PASSWORD
from agreements.documents import pdf_seal_problems, sha256_hex
from agreements.models import Agreement, SignedDocumentJob
from agreements.services import (
    agreement_documents_check_share,
    agreement_mark_ready,
    agreement_sign,
    signed_document_process,
    signed_document_retry,
)
from core.testing import retry_stalled, run_worker

pytestmark = pytest.mark.django_db

PREPARED = "Det undertecknade dokumentet tas fram."
FAILED = "Det undertecknade dokumentet kunde inte tas fram."


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def texts(response, xpath):
    document = html.fromstring(response.content.decode())
    return [" ".join(node.text_content().split()) for node in document.xpath(xpath)]


def sign(agreement, user, side):
    return agreement_sign(
        agreement=agreement,
        by=user,
        side=side,
        name=user.full_name,
        title="VD",
        password=TEST_PASSWORD,
    )


@pytest.fixture
def signed_pending(official, shop_owner, draft):
    """Signed by both sides; its document not made yet (no worker has run)."""
    agreement_mark_ready(agreement=draft, by=official)
    sign(draft, official, "municipality")
    sign(draft, shop_owner, "party")
    draft.refresh_from_db()
    return draft.first_version()


def download(client, version):
    return client.get(
        reverse("agreements:agreement_document", args=[version.pk, "signed"])
    )


@pytest.mark.django_db(transaction=True)
def test_the_second_signature_stores_no_pdf_and_a_real_worker_seals_it(
    settings, client, municipalities_reloaded, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign(draft, official, "municipality")
    before = media_files(settings)
    client.force_login(shop_owner)

    response = client.post(
        reverse("agreements:agreement_sign", args=[draft.pk, "party"]),
        {"name": "Per Lindberg", "title": "VD", "password": TEST_PASSWORD},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    version = draft.first_version()
    assert draft.state == Agreement.State.SIGNED
    assert version.signed_at and not version.signed_document
    assert media_files(settings) == before, "the request stored no PDF"
    job = SignedDocumentJob.objects.get(version=version)
    assert job.status == "queued" and job.job_id
    page = client.get(draft.get_absolute_url())
    assert texts(page, "//*[contains(@class, 'signed-document-job')]//strong") == [
        PREPARED
    ]
    [status_url] = html.fromstring(page.content).xpath("//@data-status-url")
    assert client.get(status_url).json() == {"finished": False, "text": PREPARED}
    # The download waits with the page's word, not an error.
    waiting = download(client, version)
    assert waiting["Location"] == draft.get_absolute_url()

    run_worker(queues=["documents"])

    version.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "done"
    assert version.is_sealed
    assert client.get(status_url).json()["finished"] is True
    response = download(client, version)
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert sha256_hex(pdf) == version.signed_document_sha256
    assert pdf_seal_problems(pdf) == []
    page = client.get(draft.get_absolute_url())
    assert not texts(page, "//*[contains(@class, 'signed-document-job')]")


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_document_job_is_picked_up_again(
    municipalities_reloaded, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign(draft, official, "municipality")
    sign(draft, shop_owner, "party")
    version = draft.first_version()
    job = SignedDocumentJob.objects.get(version=version)
    # A first worker took the job, marked it running and died: its heartbeat
    # stopped, it was pruned.
    SignedDocumentJob.objects.filter(pk=job.pk).update(status="running")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
            "WHERE id = %s",
            [job.job_id],
        )

    retry_stalled()
    run_worker()

    job.refresh_from_db()
    version.refresh_from_db()
    assert job.status == "done", job.error
    assert version.signed_document_sha256
    with version.signed_document.open("rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == (
            version.signed_document_sha256
        )


def test_the_job_run_twice_makes_the_document_once(settings, signed_pending):
    signed_document_process(version_id=signed_pending.pk)
    signed_pending.refresh_from_db()
    stored = media_files(settings)
    first = signed_pending.signed_document_sha256

    job = signed_document_process(version_id=signed_pending.pk)

    signed_pending.refresh_from_db()
    assert job.status == "done"
    assert signed_pending.signed_document_sha256 == first
    assert media_files(settings) == stored


def test_the_same_signatures_give_the_same_document(settings, signed_pending):
    """A run started over renders the same bytes; only the seal (its own time)
    differs, appended to them."""
    from agreements.services.signed_documents import signed_document_render

    sealed, is_sealed = signed_document_render(signed_pending)
    settings.SIGNING_CERTIFICATE_PATH = ""
    unsealed = signed_document_render(signed_pending)

    assert is_sealed and sealed.startswith(unsealed[0])
    assert signed_document_render(signed_pending) == unsealed == (unsealed[0], False)


def test_a_document_that_cannot_be_sealed_leaves_the_version_signed_and_says_why(
    settings, tmp_path, client, official, shop_owner, signed_pending
):
    certificate = settings.SIGNING_CERTIFICATE_PATH
    settings.SIGNING_CERTIFICATE_PATH = str(tmp_path / "unreadable.p12")

    job = signed_document_process(version_id=signed_pending.pk)

    signed_pending.refresh_from_db()
    assert job.status == "failed"
    assert "signeringscertifikatet" in job.error
    assert signed_pending.signed_at and not signed_pending.signed_document
    assert signed_pending.agreement.state == Agreement.State.SIGNED
    assert not any(name.endswith("-signed.pdf") for name in media_files(settings))
    client.force_login(official)
    page = client.get(signed_pending.agreement.get_absolute_url())
    box = texts(page, "//*[contains(@class, 'signed-document-job')]")[0]
    assert FAILED in box and job.error in box
    retry_url = reverse("agreements:signed_document_retry", args=[signed_pending.pk])
    assert texts(page, f"//form[@action='{retry_url}']//button") == ["Försök igen"]
    # The shop owner sees the state, without the button.
    client.force_login(shop_owner)
    page = client.get(signed_pending.agreement.get_absolute_url())
    assert FAILED in texts(page, "//*[contains(@class, 'signed-document-job')]")[0]
    assert not texts(page, f"//form[@action='{retry_url}']")
    assert client.post(retry_url).status_code == 404
    assert download(client, signed_pending).status_code == 302
    portal = client.get(reverse("followup:portal"))
    assert portal.status_code == 200
    assert "tas fram och finns här inom kort" in portal.content.decode()

    # Fixed, and tried again by the official.
    settings.SIGNING_CERTIFICATE_PATH = certificate
    client.force_login(official)
    response = client.post(retry_url)
    assert response["Location"] == signed_pending.agreement.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "queued" and job.error == ""
    signed_document_process(version_id=signed_pending.pk)
    signed_pending.refresh_from_db()
    assert signed_pending.is_sealed and signed_pending.signed_document


def test_only_a_failed_job_is_tried_again_and_only_by_a_manager(
    official, shop_owner, signed_pending
):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        signed_document_retry(version=signed_pending, by=official)
    SignedDocumentJob.objects.filter(version=signed_pending).update(
        status="failed", error="Trasigt."
    )
    with pytest.raises(PermissionDenied):
        signed_document_retry(version=signed_pending, by=shop_owner)


def test_checks_and_the_portal_skip_a_document_still_being_made(
    client, shop_owner, signed_pending
):
    call_command("verify_agreement_pdfs")
    assert agreement_documents_check_share(today=signed_pending.signed_at.date()) == 0
    client.force_login(shop_owner)
    portal = client.get(reverse("followup:portal"))
    assert portal.status_code == 200
    assert "Det undertecknade avtalet (PDF) tas fram" in portal.content.decode()


# The database lets the signed document be filled in once, and nothing more.


def refused(sql, params=()):
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(error.value).splitlines()[0]


REFUSAL = "A signed agreement version cannot be changed or deleted."
FILL = (
    "UPDATE agreements_agreementversion SET signed_document = %s, "
    "signed_document_sha256 = %s, is_sealed = true WHERE id = %s"
)


def test_the_database_lets_the_signed_document_be_filled_in_once(signed_pending):
    pk = signed_pending.pk
    # Not with anything else changed, nor without a file.
    assert refused(
        "UPDATE agreements_agreementversion SET signed_document = 'x.pdf', "
        "signed_document_sha256 = %s, space = 'Annat' WHERE id = %s",
        ["a" * 64, pk],
    ) == (REFUSAL)
    assert refused(FILL, ["", "a" * 64, pk]) == REFUSAL

    with connection.cursor() as cursor:
        cursor.execute(FILL, ["agreements/x.pdf", "a" * 64, pk])

    # A second filling-in, and any change or deletion after it, are refused.
    assert refused(FILL, ["agreements/y.pdf", "b" * 64, pk]) == REFUSAL
    for sql in (
        "UPDATE agreements_agreementversion SET is_sealed = false WHERE id = %s",
        "UPDATE agreements_agreementversion SET signed_document_sha256 = '' "
        "WHERE id = %s",
        "UPDATE agreements_agreementversion SET space = 'Annat' WHERE id = %s",
        "DELETE FROM agreements_agreementversion WHERE id = %s",
    ):
        assert refused(sql, [pk]) == REFUSAL
    signed_pending.refresh_from_db()
    assert signed_pending.signed_document_sha256 == "a" * 64


def test_a_signed_version_without_its_document_is_not_deleted(signed_pending):
    assert refused(
        "DELETE FROM agreements_agreementversion WHERE id = %s", [signed_pending.pk]
    ) == (REFUSAL)
