"""The annual report made in the background (README: Background work).

Asking for a municipality's report of a year reuses a current one (ready and dated
today) or one being prepared, else queues a job (`reports.tasks.annual_report_run`)
in the same transaction as its `AnnualReport` row. The job renders the PDF, stores
it in the default storage and marks the row ready; every state is in the row, so
the page that follows it survives a reload. A report dated before today is stale:
the figures of an annual report are counted on the day it is dated (what is
overdue, whether the year is still preliminary).
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app as procrastinate_app

from outlets.models import Municipality
from reports.models import AnnualReport

logger = logging.getLogger(__name__)

FOLDER = "annual-reports"
# The job's name as reports/tasks.py registers it; deferred by name so that the
# services need not import the tasks that call them.
TASK_NAME = "reports.annual_report_run"


def annual_report_latest(*, municipality, year):
    """The latest report of the municipality's year, whatever its state; None."""
    return (
        AnnualReport.objects.filter(municipality=municipality, year=year)
        .select_related("municipality", "requested_by")
        .first()
    )


def annual_report_request(*, municipality, year: int, by, again=False) -> AnnualReport:
    """The report the user follows: the one being prepared, else a current one
    (unless `again`: the user wants today's later changes in it), else a new one
    whose job is queued. The caller has checked that `by` may read the
    municipality's figures and that the year has a report."""
    if by.is_shop_owner:
        raise PermissionDenied
    with transaction.atomic():
        # Orders concurrent requests for the same municipality: one job, not two.
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        reports = AnnualReport.objects.filter(municipality=municipality, year=year)
        unfinished = reports.unfinished().first()
        if unfinished is not None:
            return unfinished
        latest = reports.first()
        if not again and latest is not None and latest.is_current:
            return latest
        report = AnnualReport.objects.create(
            municipality=municipality, year=year, requested_by=by
        )
        report.job_id = procrastinate_app.configure_task(TASK_NAME).defer(
            report_id=report.pk
        )
        report.save(update_fields=["job_id"])
        return report


def _stored_remove(names):
    for name in names:
        if name:
            default_storage.delete(name)


def _fail(report, message):
    report.status = AnnualReport.Status.FAILED
    report.error = message
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])


def annual_report_process(*, report_id) -> AnnualReport:
    """The background job: render the report, store it, mark it ready, and remove
    the older reports of the same year with their files.

    Run twice it does nothing the second time. Run again after a worker died (a
    stalled job, the row still running) it starts over; a file the dead worker
    stored is not referenced by any row and is not served.
    """
    # Imported here: WeasyPrint is loaded by the process that renders, not by
    # every web server that imports the services.
    from reports.documents import annual_report_render_pdf

    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            report = (
                AnnualReport.objects.select_for_update()
                .select_related("municipality")
                .get(pk=report_id)
            )
            if not report.is_unfinished:
                return report
            report.status = AnnualReport.Status.RUNNING
            report.started_at = timezone.now()
            report.save(update_fields=["status", "started_at"])
        today = timezone.localdate()
        try:
            pdf = annual_report_render_pdf(
                municipality=report.municipality, year=report.year, today=today
            )
        except Exception:
            logger.exception("Annual report %s could not be rendered", report.pk)
            _fail(
                report,
                _(
                    "The report stopped on an unexpected error while it was being "
                    "made; nothing was stored. Try again, and tell the system owner "
                    "if it happens again."
                ),
            )
            raise
        stored = default_storage.save(
            f"{FOLDER}/{report.municipality.code}/{report.year}/{uuid.uuid4().hex}.pdf",
            ContentFile(pdf),
        )
        try:
            with transaction.atomic():
                report = AnnualReport.objects.select_for_update().get(pk=report.pk)
                if not report.is_unfinished:
                    # Another run of the same job got here first.
                    default_storage.delete(stored)
                    return report
                # Finished all (one report of a year is unfinished at a time).
                older = AnnualReport.objects.filter(
                    municipality_id=report.municipality_id, year=report.year
                ).exclude(pk=report.pk)
                replaced = list(older.values_list("stored_file", flat=True))
                older.delete()
                report.status = AnnualReport.Status.DONE
                report.finished_at = timezone.now()
                report.dated_on = today
                report.stored_file = stored
                report.file_size = len(pdf)
                report.sha256 = hashlib.sha256(pdf).hexdigest()
                report.save(
                    update_fields=[
                        "status",
                        "finished_at",
                        "dated_on",
                        "stored_file",
                        "file_size",
                        "sha256",
                    ]
                )
                transaction.on_commit(lambda: _stored_remove(replaced))
        except BaseException:
            default_storage.delete(stored)
            raise
        return report
