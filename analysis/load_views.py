"""Loading population grids and road networks from the web app: upload, preview,
confirm, a page that follows the background job, and the history of loads.

Everything the pages show is in the `DataLoad` row, so the page that follows a job
can be reloaded or opened again later; its script asks `load_status` for the state
and reloads the page once the job has finished.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from analysis.forms import DataLoadUploadForm
from analysis.models import DataLoad, PopulationImport
from analysis.permissions import can_load_population, can_load_road_network
from analysis.population import PopulationFileError
from analysis.services.loads import (
    LoadError,
    data_load_cancel,
    data_load_confirm,
    data_load_preview,
)
from analysis.services.storage import road_network_current

HISTORY_ROWS = 50


def _upload(request, *, kind, allowed, template):
    if not allowed(request.user):
        raise PermissionDenied
    form = DataLoadUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        kind=kind,
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_load = data_load_preview(
                kind=kind,
                upload=form.cleaned_data["file"],
                by=request.user,
                name=form.cleaned_data.get("name", ""),
            )
        except (LoadError, PopulationFileError) as error:
            form.add_error("file", str(error))
        else:
            return redirect(data_load)
    history = (
        DataLoad.objects.visible_to(request.user)
        .filter(kind=kind)
        .select_related("uploaded_by", "municipality")[:HISTORY_ROWS]
    )
    return render(
        request,
        template,
        {
            "form": form,
            "history": history,
            "kind": kind,
            "max_squares": settings.POPULATION_MAX_SQUARES,
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def population_upload(request):
    """A municipality's administrators upload its population grid."""
    return _upload(
        request,
        kind=DataLoad.Kind.POPULATION,
        allowed=can_load_population,
        template="analysis/data_load_upload.html",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def road_network_upload(request):
    """Administrators upload their municipality's road network, the system owner a
    network shared by every municipality."""
    return _upload(
        request,
        kind=DataLoad.Kind.ROAD_NETWORK,
        allowed=can_load_road_network,
        template="analysis/data_load_upload.html",
    )


def _visible_load(request, pk):
    return get_object_or_404(
        DataLoad.objects.visible_to(request.user).select_related(
            "uploaded_by", "municipality"
        ),
        pk=pk,
    )


def _current(data_load):
    """What the load would replace, for the preview."""
    if data_load.kind == DataLoad.Kind.POPULATION:
        return (
            PopulationImport.objects.filter(municipality=data_load.municipality)
            .order_by("-imported_at", "-pk")
            .first()
        )
    return road_network_current(municipality=data_load.municipality)


@require_safe
def load_detail(request, pk):
    """A load's preview (confirm or cancel), its progress, or its outcome."""
    data_load = _visible_load(request, pk)
    return render(
        request,
        "analysis/data_load_detail.html",
        {
            "load": data_load,
            "status_text": _status_text(data_load),
            "current": _current(data_load)
            if data_load.status == DataLoad.Status.PREVIEWED
            else None,
        },
    )


@require_safe
def load_status(request, pk):
    """The load's state for the page's script, which shows it as text."""
    data_load = _visible_load(request, pk)
    return JsonResponse(
        {
            "status": data_load.status,
            "finished": not data_load.is_unfinished,
            "text": _status_text(data_load),
        }
    )


def _status_text(data_load):
    if data_load.status == DataLoad.Status.RUNNING and data_load.step:
        return _("Step %(number)s of %(count)s: %(step)s…") % {
            "number": data_load.step_number,
            "count": data_load.step_count,
            "step": data_load.get_step_display(),
        }
    return data_load.get_status_display()


@require_POST
def load_confirm(request, pk):
    data_load = _visible_load(request, pk)
    try:
        data_load_confirm(data_load=data_load, by=request.user)
    except LoadError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The load has started. You may leave this page; it runs on its own."),
        )
    return redirect(data_load)


@require_POST
def load_cancel(request, pk):
    data_load = _visible_load(request, pk)
    try:
        data_load_cancel(data_load=data_load, by=request.user)
    except LoadError as error:
        messages.error(request, str(error))
        return redirect(data_load)
    messages.success(request, _("The load was cancelled; nothing was stored."))
    if data_load.kind == DataLoad.Kind.POPULATION:
        return redirect("analysis:population_upload")
    return redirect("analysis:road_network_upload")
