"""The signed document, made in the background (README: Background work).

When the second side signs, the signing sets the version's time of signing and
queues a job (`agreements.tasks.signed_document_run`, queue `documents`) in the
same transaction, with its state in a `SignedDocumentJob` row (the signed version
itself cannot be written but for the document). The job renders the final document
from the frozen snapshot and the signatures (the same input gives the same bytes),
seals it when a certificate is configured, stores it in the default storage and
fills in the version's signed document and its hash, the one change the database
lets through on a signed version. Run twice it does nothing the second time; run
again after a worker died it starts over. A failed job says why on the agreement's
page, where those who manage the agreement try it again.
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app as procrastinate_app

from agreements.models import AgreementVersion, SignedDocumentJob
from agreements.services.access import check_manager
from core.documents import files_removed_on_rollback, stored_file_save

logger = logging.getLogger(__name__)

# The job's name as agreements/tasks.py registers it; deferred by name so that the
# services need not import the tasks that call them.
TASK_NAME = "agreements.signed_document_run"


def _defer(job):
    job.job_id = procrastinate_app.configure_task(TASK_NAME).defer(
        version_id=job.version_id
    )
    job.save(update_fields=["job_id"])


def signed_document_queue(*, version: AgreementVersion) -> SignedDocumentJob:
    """Queue the job that makes the signed version's document, in the caller's
    transaction (the signing's): rolled back, nothing is queued."""
    job = SignedDocumentJob.objects.create(version=version)
    _defer(job)
    return job


def signed_document_retry(*, version: AgreementVersion, by) -> SignedDocumentJob:
    """Queue a failed job again (once its cause is fixed: a certificate, the
    storage). Those who manage the agreement may; a job that has not failed is
    left as it is."""
    check_manager(by, version.agreement)
    with transaction.atomic():
        job = (
            SignedDocumentJob.objects.select_for_update()
            .filter(version=version)
            .first()
        )
        if job is None or job.status != SignedDocumentJob.Status.FAILED:
            raise ValidationError(
                _("The signed document is not waiting to be tried again."),
                code="not_failed",
            )
        job.status = SignedDocumentJob.Status.QUEUED
        job.error = ""
        job.queued_at = timezone.now()
        job.started_at = job.finished_at = None
        job.save(
            update_fields=["status", "error", "queued_at", "started_at", "finished_at"]
        )
        _defer(job)
    return job


def _fail(job, message):
    job.status = SignedDocumentJob.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def _done(job):
    job.status = SignedDocumentJob.Status.DONE
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def signed_document_render(version) -> tuple[bytes, bool]:
    """The signed version's final document, sealed when a seal is configured,
    and whether it is sealed."""
    # Imported here: WeasyPrint and pyHanko are loaded by the process that
    # renders, not by every web server that imports the services.
    from agreements.documents import agreement_render_pdf, pdf_seal

    signatures = list(version.signatures.all())
    pdf = agreement_render_pdf(
        version=version,
        signatures=signatures,
        attachments=_paper_scan_attachments(signatures),
    )
    sealed = pdf_seal(pdf)
    return (sealed, True) if sealed is not None else (pdf, False)


def _paper_scan_attachments(signatures):
    """The scans of the paper signatures, to attach to the signed document."""
    from agreements.documents import Attachment

    attachments = []
    for signature in signatures:
        if not signature.paper_scan:
            continue
        with signature.paper_scan.open("rb") as file:
            content = file.read()
        attachments.append(
            Attachment(
                filename=signature.paper_scan.name.rsplit("/", 1)[-1],
                content=content,
                description=_("Scan of the paper signed for %(side)s")
                % {"side": signature.get_side_display().lower()},
            )
        )
    return attachments


def signed_document_process(*, version_id: int) -> SignedDocumentJob:
    """The background job: render, seal and store the signed version's document.

    Returns at once when the document is already there (a second run). A failure
    to render, seal or store leaves the version signed without a document and the
    job failed with the reason; an unexpected error is raised again for the
    worker's log.
    """
    from agreements.documents import sha256_hex

    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            job = SignedDocumentJob.objects.select_for_update().get(
                version_id=version_id
            )
            version = AgreementVersion.objects.select_for_update().get(pk=version_id)
            if version.signed_document_sha256:
                if job.status != SignedDocumentJob.Status.DONE:
                    _done(job)
                return job
            if not job.is_unfinished:
                # Failed: it waits for someone to try it again.
                return job
            job.status = SignedDocumentJob.Status.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
        try:
            document, is_sealed = signed_document_render(version)
            with files_removed_on_rollback():
                version = AgreementVersion.objects.select_for_update().get(
                    pk=version_id
                )
                if version.signed_document_sha256:
                    # Another run of the same job got here first.
                    return _done_now(version_id)
                stored_file_save(
                    version.signed_document,
                    f"{version.agreement.reference}-v{version.number}-signed.pdf",
                    ContentFile(document),
                )
                version.signed_document_sha256 = sha256_hex(document)
                version.is_sealed = is_sealed
                version.save(
                    update_fields=[
                        "signed_document",
                        "signed_document_sha256",
                        "is_sealed",
                    ]
                )
                job = SignedDocumentJob.objects.select_for_update().get(pk=job.pk)
                _done(job)
        except ImproperlyConfigured:
            logger.exception("The signed document of version %s not sealed", version_id)
            _fail(
                job,
                _(
                    "The document could not be sealed: the signing certificate "
                    "cannot be used. Tell the system owner, then try again."
                ),
            )
            return job
        except Exception:
            logger.exception("The signed document of version %s not made", version_id)
            _fail(
                job,
                _(
                    "The document stopped on an unexpected error while it was being "
                    "made; nothing was stored. Try again, and tell the system owner "
                    "if it happens again."
                ),
            )
            raise
        return job


def _done_now(version_id):
    job = SignedDocumentJob.objects.select_for_update().get(version_id=version_id)
    if job.status != SignedDocumentJob.Status.DONE:
        _done(job)
    return job


def signed_documents_make_pending() -> int:
    """Make every signed document still waiting, here and now (the demo, which
    runs without a worker); the number made."""
    pending = SignedDocumentJob.objects.filter(
        status__in=[SignedDocumentJob.Status.QUEUED, SignedDocumentJob.Status.RUNNING]
    ).values_list("version_id", flat=True)
    count = 0
    for version_id in list(pending):
        job = signed_document_process(version_id=version_id)
        count += job.status == SignedDocumentJob.Status.DONE
    return count
