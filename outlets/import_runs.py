"""The outlet import as background jobs: upload, check, preview, confirm, store.

The upload request only checks what is cheap (size, file type, municipality),
keeps the file in the default storage and queues the check job in the same
transaction. The check job reads the file and plans it (`OutletImporter`), writing
its progress to the `OutletImportRun` row as it goes, and keeps the preview in the
row; a file that cannot be stored fails there with its message. The confirm queues
the store job, which plans the file again against the register as it is then and
stores all or nothing (`outlet_import_store`). Every step's state is in the row, so
any server serves any step and the page survives a reload.

A job run twice (a killed worker's job put back by `core.retry_stalled_jobs`) does
its work once: the store is one transaction that also marks the run done, and a job
finds a run past its step and stops.
"""

import hashlib
import logging
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app as procrastinate_app

from outlets.importing import (
    ImportFileError,
    OutletImporter,
    check_file_size,
    outlet_import_store,
    read_outlet_file,
)
from outlets.models import OutletImportRun
from outlets.permissions import can_import_outlets

logger = logging.getLogger(__name__)

# Where an uploaded file waits for its jobs (privacy.retention sweeps this folder
# too, for files no run points at any more).
PENDING_DIR = "outlet-imports"
# A preview waits this long for its confirm; then its file is removed, and the
# details of finished runs (contacts in the changes, values in the errors) with it.
PENDING_HOURS = 24
# A run still waiting for or in its job after this long lost its job (a worker
# stopped, a job lost): it fails, and its file and preview go as a finished run's.
STUCK_HOURS = 6
# The jobs' names as outlets/tasks.py registers them; deferred by name so that the
# services need not import the tasks that call them.
CHECK_TASK = "outlets.outlet_import_check"
STORE_TASK = "outlets.outlet_import_store"
QUEUE = "imports"
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
# The page's progress moves in steps of this many rows (one short UPDATE each).
PROGRESS_ROWS = 500
# The preview keeps this many errors, changed and new outlets; the counts cover all.
PREVIEW_ERRORS = 500
PREVIEW_CHANGES = 200
PREVIEW_NEW = 100


class ImportRunError(ValueError):
    """An upload, confirm or cancel that cannot go ahead; the message says why."""


def _sha256(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def outlet_import_upload(*, upload, by, municipality=None) -> OutletImportRun:
    """Keep an uploaded outlet file and queue its check; ImportRunError when the
    file is too large or not of a kind the import reads. `municipality`: the
    system owner's choice; an administrator's run is always their own
    municipality's."""
    if not can_import_outlets(by):
        raise PermissionDenied
    try:
        check_file_size(upload.size)
    except ImportFileError as error:
        raise ImportRunError(str(error)) from None
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRunError(
            _("Give a CSV file (.csv, .txt) or an Excel workbook (.xlsx).")
        )
    if not by.is_system_owner:
        municipality = by.municipality
    upload.seek(0)
    sha256 = _sha256(upload.chunks())
    upload.seek(0)
    stored = default_storage.save(f"{PENDING_DIR}/{uuid.uuid4().hex}{suffix}", upload)
    try:
        with transaction.atomic():
            run = OutletImportRun.objects.create(
                municipality=municipality,
                uploaded_by=by,
                file_name=Path(upload.name).name[:255],
                stored_file=stored,
                file_size=upload.size,
                sha256=sha256,
            )
            run.job_id = procrastinate_app.configure_task(
                CHECK_TASK, queue=QUEUE
            ).defer(run_id=run.pk)
            run.save(update_fields=["job_id"])
    except BaseException:
        default_storage.delete(stored)
        raise
    return run


def _file_forget(run):
    """Remove the stored file once no step needs it; the row keeps its counts."""
    if run.stored_file:
        default_storage.delete(run.stored_file)
        run.stored_file = ""
        run.save(update_fields=["stored_file"])


def _stored_bytes(run):
    """The file as uploaded; ImportRunError when it is gone or not the same."""
    if not run.stored_file or not default_storage.exists(run.stored_file):
        raise ImportRunError(_("The uploaded file is gone; upload it again."))
    with default_storage.open(run.stored_file, "rb") as file:
        data = file.read()
    if hashlib.sha256(data).hexdigest() != run.sha256:
        raise ImportRunError(
            _("The uploaded file has changed since it was uploaded. Upload it again.")
        )
    return data


def _fail(run, message):
    """Mark the run failed, unless it is done or cancelled meanwhile (by another
    run of the same job, or by its user), and remove its file."""
    Status = OutletImportRun.Status
    finished_at = timezone.now()
    failed = (
        OutletImportRun.objects.filter(pk=run.pk)
        .exclude(status__in=[Status.DONE, Status.CANCELLED])
        .update(status=Status.FAILED, error=message, finished_at=finished_at)
    )
    if failed:
        run.status, run.error, run.finished_at = Status.FAILED, message, finished_at
        _file_forget(run)


def _start(run_id, *, waiting, working):
    """Lock the run and move it from `waiting` to `working`; None when the run is
    past this step already (a job run twice, a run cancelled)."""
    with transaction.atomic():
        run = OutletImportRun.objects.select_for_update().get(pk=run_id)
        if run.status not in (waiting, working):
            return None
        run.status = working
        run.rows_done = 0
        run.save(update_fields=["status", "rows_done"])
    return run


def _planned(run, data):
    """The file's plan against the register as it is now, the progress written to
    the row every PROGRESS_ROWS rows (each an UPDATE of its own, committed at once,
    so that the page sees it)."""
    if run.uploaded_by is None:
        # Planned without a user, a file may cover any municipality.
        raise ImportRunError(_("The account that uploaded the file is gone."))
    dataset = read_outlet_file(run.file_name, data)
    run.rows_total = len(dataset)
    run.save(update_fields=["rows_total"])
    done = 0

    def progress(rows):
        nonlocal done
        done += rows
        OutletImportRun.objects.filter(pk=run.pk).update(rows_done=done)

    plan = OutletImporter(
        dataset, user=run.uploaded_by, municipality=run.municipality
    ).plan(progress, every=PROGRESS_ROWS)
    run.rows_done = len(dataset)
    OutletImportRun.objects.filter(pk=run.pk).update(rows_done=run.rows_done)
    return plan


def plan_preview(plan) -> dict:
    """What the page shows of a plan, as JSON: the counts, the first errors, and
    the first changed and new outlets as the user reads them."""
    # A stable sort: within each group the file's order.
    changes = sorted(plan.changes, key=lambda change: not change.moves_analysis)
    return {
        "counts": plan.summary(),
        "ignored_columns": list(plan.ignored_columns),
        "new_localities": len(plan.new_localities),
        "moves_analysis_count": plan.moves_analysis_count,
        "errors": [
            {"line": error.line, "column": error.column, "message": error.message}
            for error in plan.errors[:PREVIEW_ERRORS]
        ],
        "more_errors": max(len(plan.errors) - PREVIEW_ERRORS, 0),
        "changes": [
            {
                "name": change.outlet.name,
                "url": change.outlet.get_absolute_url() if change.outlet.pk else "",
                "moves_analysis": change.moves_analysis,
                "fields": [
                    {
                        "field": field.field,
                        "label": str(field.label),
                        "old": field.old,
                        "new": field.new,
                        "moves_analysis": field.moves_analysis,
                    }
                    for field in change.fields
                ],
            }
            for change in changes[:PREVIEW_CHANGES]
        ],
        "more_changes": max(len(changes) - PREVIEW_CHANGES, 0),
        "new_outlets": [
            {"name": outlet.name, "kind": str(outlet.get_kind_display())}
            for outlet in plan.new[:PREVIEW_NEW]
        ],
        "more_new": max(len(plan.new) - PREVIEW_NEW, 0),
    }


def outlet_import_check(*, run_id) -> OutletImportRun | None:
    """The check job: read and plan the file, keep the preview; a file that
    cannot be read, or with rows to fix, fails the run and its file is removed."""
    with translation.override(settings.LANGUAGE_CODE):
        Status = OutletImportRun.Status
        run = _start(run_id, waiting=Status.CHECK_QUEUED, working=Status.CHECKING)
        if run is None:
            return None
        try:
            plan = _planned(run, _stored_bytes(run))
        except (ImportFileError, ImportRunError) as error:
            _fail(run, str(error))
            return run
        except Exception:
            _fail(run, _unexpected())
            raise
        with transaction.atomic():
            run = OutletImportRun.objects.select_for_update().get(pk=run_id)
            if run.status != Status.CHECKING:
                return run  # cancelled while it was checked
            run.preview = plan_preview(plan)
            if plan.is_valid:
                run.status = Status.PREVIEWED
                run.save(update_fields=["status", "preview"])
            else:
                run.save(update_fields=["preview"])
                _fail(
                    run,
                    _(
                        "Nothing can be stored: fix the rows below in the file and "
                        "upload it again."
                    ),
                )
        return run


def _unexpected():
    return _(
        "The import stopped on an unexpected error; nothing was stored. Try "
        "again, and tell the system owner if it happens again."
    )


def outlet_import_confirm(*, run, by) -> OutletImportRun:
    """Queue the previewed run's store job, in the transaction that marks it
    queued; ImportRunError when it is not awaiting confirmation (a second confirm,
    from any server) or its file is gone (the run then fails)."""
    if not OutletImportRun.objects.visible_to(by).filter(pk=run.pk).exists():
        raise PermissionDenied
    failed = None
    with transaction.atomic():
        run = OutletImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != OutletImportRun.Status.PREVIEWED:
            raise ImportRunError(
                _("This import has already been confirmed or cancelled.")
            )
        # Only that the file is there: the store job checks its SHA-256 as it reads.
        if not run.stored_file or not default_storage.exists(run.stored_file):
            failed = ImportRunError(_("The uploaded file is gone; upload it again."))
            _fail(run, str(failed))
        else:
            run.status = OutletImportRun.Status.QUEUED
            run.confirmed_at = timezone.now()
            run.confirmed_by = by
            run.rows_done = 0
            run.job_id = procrastinate_app.configure_task(
                STORE_TASK, queue=QUEUE
            ).defer(run_id=run.pk)
            run.save(
                update_fields=[
                    "status",
                    "confirmed_at",
                    "confirmed_by",
                    "rows_done",
                    "job_id",
                ]
            )
    if failed:
        raise failed
    return run


def outlet_import_store_run(*, run_id) -> OutletImportRun | None:
    """The store job: plan the file again against the register as it is now and
    store it all, or nothing when a row has become invalid since the preview.

    The store, the history record and the run's "done" commit together: a worker
    killed on the way leaves nothing, and its job run again starts over; run again
    after it was done, it finds the run done and stops."""
    with translation.override(settings.LANGUAGE_CODE):
        Status = OutletImportRun.Status
        run = _start(run_id, waiting=Status.QUEUED, working=Status.STORING)
        if run is None:
            return None
        try:
            plan = _planned(run, _stored_bytes(run))
            run.preview = plan_preview(plan)
            if not plan.is_valid:
                # The register changed since the preview: show what is wrong now.
                run.save(update_fields=["preview"])
                raise ImportRunError(
                    _(
                        "The register has changed since the preview and some rows "
                        "are no longer valid; nothing was stored. Fix the rows "
                        "below and upload the file again."
                    )
                )
            with transaction.atomic():
                locked = OutletImportRun.objects.select_for_update().get(pk=run_id)
                if locked.status != Status.STORING:
                    return locked  # another run of the job got here first
                run.outlet_import = outlet_import_store(
                    plan,
                    file_name=run.file_name,
                    user=run.confirmed_by or run.uploaded_by,
                )
                run.status = Status.DONE
                run.finished_at = timezone.now()
                run.save(
                    update_fields=["preview", "outlet_import", "status", "finished_at"]
                )
        except (ImportFileError, ImportRunError) as error:
            _fail(run, str(error))
            return run
        except PermissionDenied:
            _fail(run, _("The account that confirmed may no longer import outlets."))
            return run
        except Exception:
            _fail(run, _unexpected())
            raise
        _file_forget(run)
        return run


@transaction.atomic
def outlet_import_cancel(*, run, by) -> OutletImportRun:
    """Drop a run not yet confirmed: nothing is stored and its file is removed."""
    if not OutletImportRun.objects.visible_to(by).filter(pk=run.pk).exists():
        raise PermissionDenied
    run = OutletImportRun.objects.select_for_update().get(pk=run.pk)
    Status = OutletImportRun.Status
    if run.status not in (Status.CHECK_QUEUED, Status.CHECKING, Status.PREVIEWED):
        raise ImportRunError(_("This import has already been confirmed or cancelled."))
    run.status = Status.CANCELLED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    transaction.on_commit(lambda: _file_forget(run))
    return run


def outlet_import_runs_expire(*, now=None) -> int:
    """Cancel the previews left unconfirmed for PENDING_HOURS and remove their
    files; fail the runs stuck STUCK_HOURS in a job that is long gone (their file
    goes now, their preview with the finished runs'); keep only the counts of runs
    finished PENDING_HOURS ago. The number cancelled."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=PENDING_HOURS)
    Status = OutletImportRun.Status
    stuck = [Status.CHECK_QUEUED, Status.CHECKING, Status.QUEUED, Status.STORING]
    for run in OutletImportRun.objects.filter(
        status__in=stuck, uploaded_at__lt=now - timedelta(hours=STUCK_HOURS)
    ).iterator():
        failed = OutletImportRun.objects.filter(pk=run.pk, status__in=stuck).update(
            status=Status.FAILED,
            error=_unexpected(),
            finished_at=now,
            preview={"counts": run.preview.get("counts", {})},
        )
        if failed:
            _file_forget(run)
    count = 0
    for pk in OutletImportRun.objects.filter(
        status=Status.PREVIEWED, uploaded_at__lt=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            run = (
                OutletImportRun.objects.select_for_update()
                .filter(pk=pk, status=Status.PREVIEWED)
                .first()
            )
            if run is None:
                continue
            run.status = Status.CANCELLED
            run.finished_at = now
            run.save(update_fields=["status", "finished_at"])
            _file_forget(run)
            count += 1
    finished = OutletImportRun.objects.filter(
        status__in=[Status.DONE, Status.FAILED, Status.CANCELLED],
        finished_at__lt=cutoff,
    )
    for run in finished.exclude(stored_file="").iterator():
        _file_forget(run)
    for run in finished.filter(preview__has_key="errors").iterator():
        run.preview = {"counts": run.preview.get("counts", {})}
        run.save(update_fields=["preview"])
    return count
