"""Loading population grids and road networks from the web app.

An upload is read at once (a bad file gets its line and column, and nothing is
kept), its totals shown as a preview and the file kept in the default storage;
the confirm re-checks the file's SHA-256 and queues a background job
(`analysis.tasks.data_load_run`) in the same transaction; the job stores the data,
recomputes the analysis and removes the file. Every step's state is in the
`DataLoad` row, so the page that follows it survives a reload.
"""

import hashlib
import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app as procrastinate_app

from analysis.models import DataLoad, PopulationImport
from analysis.permissions import can_load_population, can_load_road_network
from analysis.population import PopulationFileError, population_file_read
from analysis.services.errors import AnalysisError
from analysis.services.runs import service_analysis_run
from analysis.services.storage import population_store, road_network_store

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "analysis-loads"
# A preview waits this long for its confirm; then its file is removed.
PREVIEW_HOURS = 24
# The job's name as analysis/tasks.py registers it; deferred by name so that the
# services need not import the tasks that call them.
TASK_NAME = "analysis.data_load_run"
POPULATION_SUFFIXES = (".csv", ".txt", ".gpkg")
ROAD_SUFFIXES = (".geojson", ".json", ".gpkg")


class LoadError(ValueError):
    """An upload or a confirm that cannot go ahead; the message says why."""


def _upload_limit(kind):
    if kind == DataLoad.Kind.POPULATION:
        return settings.POPULATION_UPLOAD_MAX_BYTES
    return settings.ROAD_NETWORK_UPLOAD_MAX_BYTES


def _checked_suffix(kind, file_name):
    suffix = Path(file_name).suffix.lower()
    allowed = POPULATION_SUFFIXES if kind == DataLoad.Kind.POPULATION else ROAD_SUFFIXES
    if suffix not in allowed:
        raise LoadError(
            _("Give a file ending in %(suffixes)s.") % {"suffixes": ", ".join(allowed)}
        )
    return suffix


def _sha256(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _population_totals(grid):
    return {
        "square_count": len(grid),
        "population": int(grid.population.sum()),
        "has_ages": grid.ages is not None,
        "area_km2": float((grid.size_m.astype(np.float64) ** 2).sum() / 1e6),
        "note": grid.note,
    }


def _road_totals(lines):
    xy = np.concatenate(lines)
    length = sum(float(np.hypot(*np.diff(line, axis=0).T).sum()) for line in lines)
    width, height = xy.max(axis=0) - xy.min(axis=0)
    return {
        "feature_count": len(lines),
        "length_km": length / 1000,
        "area_km2": float(width * height / 1e6),
    }


def _road_file_error():
    # analysis.roads loads scipy: a process that never reads a road file (a web
    # server that never analyses) does not pay for it.
    from analysis.roads import RoadFileError

    return RoadFileError


def _road_lines_from(chunks):
    """The road reader reads a path: the file's bytes go to a temporary one. A bad
    file raises LoadError with the reader's message."""
    from analysis.roads import RoadFileError, road_lines_read

    with tempfile.NamedTemporaryFile(suffix=".roads") as file:
        for chunk in chunks:
            file.write(chunk)
        file.flush()
        try:
            return road_lines_read(file.name)
        except RoadFileError as error:
            raise LoadError(str(error)) from error


def _file_read(kind, file_name, data_chunks):
    """The file's totals; PopulationFileError or LoadError for a bad file."""
    if kind == DataLoad.Kind.POPULATION:
        grid = population_file_read(file_name, b"".join(data_chunks))
        return grid, _population_totals(grid)
    lines = _road_lines_from(data_chunks)
    return lines, _road_totals(lines)


def data_load_preview(*, kind, upload, by, name="") -> DataLoad:
    """Read an uploaded file and keep it for confirmation, with its totals.

    The file's size is checked before it is read; a file that cannot be read
    raises LoadError or PopulationFileError and leaves nothing
    behind."""
    if kind == DataLoad.Kind.POPULATION and not can_load_population(by):
        raise PermissionDenied
    if kind == DataLoad.Kind.ROAD_NETWORK and not can_load_road_network(by):
        raise PermissionDenied
    limit = _upload_limit(kind)
    if upload.size > limit:
        raise LoadError(
            _("The file is larger than %(limit)s, the most a load accepts.")
            % {"limit": filesizeformat(limit)}
        )
    suffix = _checked_suffix(kind, upload.name)
    upload.seek(0)
    _data, totals = _file_read(kind, upload.name, upload.chunks())
    upload.seek(0)
    sha256 = _sha256(upload.chunks())
    upload.seek(0)
    stored = default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
    try:
        return DataLoad.objects.create(
            kind=kind,
            # The system owner's road network is shared by every municipality.
            municipality_id=None if by.is_system_owner else by.municipality_id,
            file_name=Path(upload.name).name[:255],
            name=(name or Path(upload.name).name)[:200],
            stored_file=stored,
            file_size=upload.size,
            sha256=sha256,
            uploaded_by=by,
            **totals,
        )
    except BaseException:
        default_storage.delete(stored)
        raise


def _file_forget(data_load):
    """Remove the stored upload once nothing needs it; the row keeps its totals."""
    if data_load.stored_file:
        default_storage.delete(data_load.stored_file)
        data_load.stored_file = ""
        data_load.save(update_fields=["stored_file"])


def _stored_chunks(data_load):
    with default_storage.open(data_load.stored_file, "rb") as file:
        yield from file.chunks()


def _check_stored_file(data_load):
    if not data_load.stored_file or not default_storage.exists(data_load.stored_file):
        raise LoadError(_("The uploaded file is gone; upload it again."))
    if _sha256(_stored_chunks(data_load)) != data_load.sha256:
        raise LoadError(
            _(
                "The uploaded file has changed since the preview; nothing was "
                "stored. Upload it again."
            )
        )


def data_load_confirm(*, data_load, by) -> DataLoad:
    """Queue the previewed load's background job, in the same transaction that
    marks it queued; LoadError when it is not awaiting confirmation or its file
    is not the one previewed (the load then fails and its file is removed)."""
    if not DataLoad.objects.visible_to(by).filter(pk=data_load.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        data_load = DataLoad.objects.select_for_update().get(pk=data_load.pk)
        if data_load.status != DataLoad.Status.PREVIEWED:
            raise LoadError(_("This load has already been confirmed or cancelled."))
        try:
            _check_stored_file(data_load)
        except LoadError as error:
            _fail(data_load, str(error))
            failed = error
        else:
            failed = None
            data_load.status = DataLoad.Status.QUEUED
            data_load.confirmed_at = timezone.now()
            data_load.job_id = procrastinate_app.configure_task(TASK_NAME).defer(
                load_id=data_load.pk
            )
            data_load.save(update_fields=["status", "confirmed_at", "job_id"])
    if failed:
        raise failed
    return data_load


@transaction.atomic
def data_load_cancel(*, data_load, by) -> DataLoad:
    """Drop a previewed load: nothing is stored and its file is removed."""
    if not DataLoad.objects.visible_to(by).filter(pk=data_load.pk).exists():
        raise PermissionDenied
    data_load = DataLoad.objects.select_for_update().get(pk=data_load.pk)
    if data_load.status != DataLoad.Status.PREVIEWED:
        raise LoadError(_("This load has already been confirmed or cancelled."))
    data_load.status = DataLoad.Status.CANCELLED
    data_load.finished_at = timezone.now()
    data_load.save(update_fields=["status", "finished_at"])
    transaction.on_commit(lambda: _file_forget(data_load))
    return data_load


def _fail(data_load, message):
    data_load.status = DataLoad.Status.FAILED
    data_load.error = message
    data_load.finished_at = timezone.now()
    data_load.save(update_fields=["status", "error", "finished_at"])
    _file_forget(data_load)


def _step(data_load, step):
    data_load.step = step
    data_load.save(update_fields=["step"])


def _recompute(data_load):
    """Warm the analysis cache of every municipality whose figures the load changes."""
    if data_load.municipality_id is not None:
        municipalities = [data_load.municipality]
    else:
        municipalities = [
            population_import.municipality
            for population_import in PopulationImport.objects.order_by(
                "municipality_id", "-imported_at"
            )
            .distinct("municipality_id")
            .select_related("municipality")
        ]
    for municipality in municipalities:
        try:
            service_analysis_run(municipality=municipality)
        except AnalysisError:
            logger.info("No analysis for %s after load %s", municipality, data_load.pk)


def data_load_process(*, load_id) -> DataLoad:
    """The background job: store a confirmed load, recompute, remove the file.

    Run again after a worker died (a stalled job), it starts over: the data are
    stored in one transaction, which the dead worker's connection rolled back.
    """
    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            data_load = DataLoad.objects.select_for_update().get(pk=load_id)
            if not data_load.is_unfinished:
                return data_load
            data_load.status = DataLoad.Status.RUNNING
            data_load.step = DataLoad.Step.READING
            data_load.save(update_fields=["status", "step"])
        try:
            _check_stored_file(data_load)
            if data_load.kind == DataLoad.Kind.POPULATION:
                data, _totals = _file_read(
                    data_load.kind, data_load.file_name, _stored_chunks(data_load)
                )
            _step(data_load, DataLoad.Step.STORING)
            with transaction.atomic():
                if data_load.kind == DataLoad.Kind.POPULATION:
                    data_load.population_import = population_store(
                        municipality=data_load.municipality,
                        grid=data,
                        file_name=data_load.file_name,
                        by=data_load.uploaded_by,
                    )
                else:
                    data_load.road_network = _road_network_store(data_load)
                data_load.save(update_fields=["population_import", "road_network"])
            _step(data_load, DataLoad.Step.RECOMPUTING)
            _recompute(data_load)
        except (
            LoadError,
            PopulationFileError,
            AnalysisError,
            _road_file_error(),
        ) as error:
            _fail(data_load, str(error))
            return data_load
        except Exception:
            _fail(
                data_load,
                _(
                    "The load stopped on an unexpected error; nothing was stored. "
                    "Try again, and tell the system owner if it happens again."
                ),
            )
            raise
        data_load.status = DataLoad.Status.DONE
        data_load.finished_at = timezone.now()
        data_load.save(update_fields=["status", "finished_at"])
        _file_forget(data_load)
        return data_load


def _road_network_store(data_load):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / data_load.file_name
        with path.open("wb") as file:
            for chunk in _stored_chunks(data_load):
                file.write(chunk)
        return road_network_store(
            path=path,
            name=data_load.name or data_load.file_name,
            by=data_load.uploaded_by,
            municipality=data_load.municipality,
        )


def data_loads_expire(*, now=None) -> int:
    """Cancel the previews left unconfirmed for PREVIEW_HOURS and remove their
    files; the number cancelled."""
    now = now or timezone.now()
    expired = DataLoad.objects.filter(
        status=DataLoad.Status.PREVIEWED,
        uploaded_at__lt=now - timedelta(hours=PREVIEW_HOURS),
    )
    count = 0
    for data_load in expired:
        with transaction.atomic():
            data_load = (
                DataLoad.objects.select_for_update()
                .filter(pk=data_load.pk, status=DataLoad.Status.PREVIEWED)
                .first()
            )
            if data_load is None:
                continue
            data_load.status = DataLoad.Status.CANCELLED
            data_load.finished_at = now
            data_load.save(update_fields=["status", "finished_at"])
            _file_forget(data_load)
            count += 1
    return count
