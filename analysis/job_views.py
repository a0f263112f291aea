"""Following analyses computed in the background: the state of one or more
computations for the pages' script (core/job_status.js), and the retry of a failed
one. The pages themselves (the analysis, the county) show the computation."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from analysis.models import AnalysisJob
from analysis.services.jobs import analysis_job_retry

MAX_JOBS_ASKED = 300


def _ids(values):
    ids = []
    for value in values[:MAX_JOBS_ASKED]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@require_safe
def jobs_status(request):
    """`?job=1&job=2`: finished once none of them waits or runs any more; jobs the
    user may not see are not found."""
    ids = _ids(request.GET.getlist("job"))
    jobs = list(AnalysisJob.objects.visible_to(request.user).filter(pk__in=ids))
    if not jobs:
        raise Http404
    waiting = [job for job in jobs if job.is_unfinished]
    return JsonResponse(
        {
            "finished": not waiting,
            "text": job_status_text(jobs),
        }
    )


def job_status_text(jobs):
    """One line for the computations a page waits for."""
    running = sum(job.status == AnalysisJob.Status.RUNNING for job in jobs)
    queued = sum(job.status == AnalysisJob.Status.QUEUED for job in jobs)
    if running:
        return _("Being computed…")
    if queued:
        return _("Waiting to start…")
    return _("Done")


@require_POST
def job_retry(request, pk):
    """Queue a failed computation again, then back to the page that offered it."""
    job = get_object_or_404(
        AnalysisJob.objects.visible_to(request.user).select_related("municipality"),
        pk=pk,
    )
    if job.status == AnalysisJob.Status.FAILED:
        analysis_job_retry(job=job)
        messages.success(
            request,
            _("The figures are being computed again. This page shows them when done."),
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("analysis:analysis")
    return redirect(target)
