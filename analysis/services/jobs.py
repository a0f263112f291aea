"""Analyses computed in the background: a request that finds no stored result for
an analysis too large to compute while it waits (one measured along a road network,
or of many squares) queues a job instead, one per fingerprint however many ask, and
shows the previous figures meanwhile, marked as out of date.

The `AnalysisJob` row keeps the computation's state for the pages; the job itself
(`analysis.tasks.analysis_job_run`) runs `service_analysis_run`, which stores the
result under the same fingerprint, so the next visit reads it from the cache.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate import exceptions as procrastinate_exceptions
from procrastinate.contrib.django import app as procrastinate_app

from analysis.models import AnalysisJob, AnalysisResult
from analysis.services.errors import AnalysisError
from analysis.services.runs import (
    PreparedRun,
    ScenarioSpec,
    analysis_cached,
    analysis_computed,
    analysis_prepared,
    scenario_from_json,
    service_analysis_run,
)

# The job's name as analysis/tasks.py registers it (deferred by name, as loads are).
JOB_TASK_NAME = "analysis.analysis_job_run"


@dataclass
class AnalysisOutcome:
    """What a page gets for one analysis: today's figures, or the computation
    that will give them and the previous figures (None if there are none)."""

    result: dict | None = None
    job: AnalysisJob | None = None
    previous: dict | None = None


def runs_in_background(prepared: PreparedRun) -> bool:
    """Whether computing the run would keep a request waiting: along a road
    network (about a second on a national network, more to load it), or over
    more squares than `ANALYSIS_INLINE_MAX_SQUARES`; straight lines over a
    municipality's squares take a few hundredths of a second."""
    run = prepared.run
    return (
        run.road_network is not None
        or run.population_import.square_count > settings.ANALYSIS_INLINE_MAX_SQUARES
    )


def service_analysis_or_job(
    *, municipality, kind="grocery", bands=None, scenario=None, background=None
) -> AnalysisOutcome:
    """Today's figures from the cache; on a miss computed here when small, else a
    job queued (`background` forces either way; None asks `runs_in_background`).
    AnalysisError, as `service_analysis_run`, for input it cannot run on."""
    prepared = analysis_prepared(
        municipality=municipality, kind=kind, bands=bands, scenario=scenario
    )
    cached = analysis_cached(prepared)
    if cached is not None:
        return AnalysisOutcome(result=cached)
    if background is None:
        background = runs_in_background(prepared)
    if not background:
        return AnalysisOutcome(result=analysis_computed(prepared))
    job = analysis_job_defer(
        fingerprint=prepared.fingerprint,
        municipality=municipality,
        kind=prepared.kind,
        bands=prepared.bands,
        scenario=prepared.scenario,
    )
    previous = None
    if prepared.scenario.is_empty():
        previous = result_previous(
            municipality=municipality, kind=prepared.kind, bands=prepared.bands
        )
    return AnalysisOutcome(job=job, previous=previous)


def result_previous(*, municipality, kind, bands):
    """The latest stored figures of the kind (the same bands first), whatever
    their inputs: what a page shows, marked out of date, while today's are
    computed."""
    bands = [float(edge) for edge in bands]
    stored = (
        AnalysisResult.objects.filter(
            municipality=municipality, kind=kind, is_scenario=False
        )
        .annotate(other_bands=Case(When(bands_km=bands, then=0), default=1))
        .order_by("other_bands", "-computed_at", "-pk")
        .only("pk", "result")
        .first()
    )
    return stored.result if stored else None


def analysis_job_defer(
    *, fingerprint, municipality, kind, bands, scenario=None, retry=False
) -> AnalysisJob:
    """The computation under `fingerprint`, its job queued unless one is queued or
    running already (the row's lock and the job's queueing lock make one job of
    a crowd of requests). A failed one stays failed (the page says why) unless
    `retry`; a done one whose result has since been pruned is queued again."""
    scenario = scenario or ScenarioSpec()
    with transaction.atomic():
        job, created = AnalysisJob.objects.select_for_update().get_or_create(
            fingerprint=fingerprint,
            defaults={
                "municipality": municipality,
                "kind": kind,
                "bands_km": list(bands),
                "scenario": scenario.as_json(),
            },
        )
        again = job.status == AnalysisJob.Status.DONE or (
            retry and job.status == AnalysisJob.Status.FAILED
        )
        if created or again:
            job.status = AnalysisJob.Status.QUEUED
            job.error = ""
            job.queued_at = timezone.now()
            job.started_at = job.finished_at = None
            job.job_id = _defer(job)
            job.save()
    return job


def _defer(job):
    try:
        return procrastinate_app.configure_task(
            JOB_TASK_NAME, queueing_lock=f"analysis:{job.fingerprint}"
        ).defer(job_id=job.pk)
    except procrastinate_exceptions.AlreadyEnqueued:
        return job.job_id


def analysis_job_retry(*, job) -> AnalysisJob:
    """Queue a failed computation again."""
    return analysis_job_defer(
        fingerprint=job.fingerprint,
        municipality=job.municipality,
        kind=job.kind,
        bands=job.bands_km,
        scenario=scenario_from_json(job.scenario),
        retry=True,
    )


def analysis_job_process(*, job_id) -> AnalysisJob | None:
    """The background job: compute and store the analysis. Run again after its
    worker died (a stalled job), it starts over; the result is stored in one
    statement, so a half-done run leaves nothing behind."""
    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            job = (
                AnalysisJob.objects.select_for_update()
                .select_related("municipality")
                .filter(pk=job_id)
                .first()
            )
            if job is None or not job.is_unfinished:
                return job
            job.status = AnalysisJob.Status.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
        try:
            service_analysis_run(
                municipality=job.municipality,
                kind=job.kind,
                bands=job.bands_km,
                scenario=scenario_from_json(job.scenario),
            )
        except AnalysisError as error:
            _finish(job, AnalysisJob.Status.FAILED, str(error))
        except Exception:
            _finish(
                job,
                AnalysisJob.Status.FAILED,
                _(
                    "The computation stopped on an unexpected error. Try again, and "
                    "tell the system owner if it happens again."
                ),
            )
            raise
        else:
            _finish(job, AnalysisJob.Status.DONE)
            _forget_finished(job)
        return job


# Finished computations are kept so long for the pages; a failed one forgotten may
# be queued again by the next visit.
KEPT_FINISHED = timedelta(days=1)


def _forget_finished(job):
    AnalysisJob.objects.filter(
        municipality_id=job.municipality_id,
        status__in=[AnalysisJob.Status.DONE, AnalysisJob.Status.FAILED],
        finished_at__lt=timezone.now() - KEPT_FINISHED,
    ).delete()


def _finish(job, status, error=""):
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
