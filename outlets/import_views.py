"""Import and export of the outlet register.

An import takes two steps, each a background job (outlets/import_runs.py): the
upload queues the check, whose page shows its progress and then the preview of what
would change and every invalid row; confirming queues the store, which stores it
all, or nothing if a row has become invalid since. Everything the pages show is in
the `OutletImportRun` row, so any server serves any step and a reload keeps it.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from core.exporting import CONTENT_TYPES
from core.views import RolePermissionMixin
from outlets.exporting import outlet_export
from outlets.filters import outlet_list_queryset
from outlets.forms import OutletImportForm
from outlets.import_runs import (
    ImportRunError,
    outlet_import_cancel,
    outlet_import_confirm,
    outlet_import_upload,
)
from outlets.models import Outlet, OutletImport, OutletImportRun
from outlets.permissions import can_export_outlets, can_import_outlets

# The upload page lists the user's latest runs, to find one left running.
RECENT_RUNS = 10


class OutletImportView(RolePermissionMixin, View):
    permission_check = staticmethod(can_import_outlets)
    template_name = "outlets/import.html"

    def get(self, request):
        return self.form_page(request, OutletImportForm(user=request.user))

    def post(self, request):
        form = OutletImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                run = outlet_import_upload(
                    upload=form.cleaned_data["file"],
                    by=request.user,
                    municipality=form.chosen_municipality(),
                )
            except ImportRunError as error:
                form.add_error("file", str(error))
            else:
                return redirect(run)
        return self.form_page(request, form)

    def form_page(self, request, form):
        runs = OutletImportRun.objects.visible_to(request.user).filter(
            uploaded_by=request.user
        )[:RECENT_RUNS]
        return render(request, self.template_name, {"form": form, "runs": runs})


def _visible_run(request, pk):
    """Another municipality's run, or anyone's for a user who may not import,
    looks like a missing one."""
    return get_object_or_404(
        OutletImportRun.objects.visible_to(request.user).select_related(
            "municipality", "uploaded_by", "outlet_import"
        ),
        pk=pk,
    )


@require_safe
def outlet_import_run(request, pk):
    """A run's progress, its preview (confirm or cancel), or its outcome."""
    run = _visible_run(request, pk)
    preview = run.preview or {}
    started = run.confirmed_at or run.uploaded_at
    return render(
        request,
        "outlets/import_run.html",
        {
            "run": run,
            "preview": preview,
            "counts": preview.get("counts"),
            # Queued for minutes: no worker may be running.
            "waits_long": run.status
            in (OutletImportRun.Status.CHECK_QUEUED, OutletImportRun.Status.QUEUED)
            and (timezone.now() - started).total_seconds() > 120,
        },
    )


@require_POST
def outlet_import_run_confirm(request, pk):
    run = _visible_run(request, pk)
    try:
        outlet_import_confirm(run=run, by=request.user)
    except ImportRunError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The import has started. You may leave this page; it runs on its own."),
        )
    return redirect(run)


@require_POST
def outlet_import_run_cancel(request, pk):
    run = _visible_run(request, pk)
    try:
        outlet_import_cancel(run=run, by=request.user)
    except ImportRunError as error:
        messages.error(request, str(error))
        return redirect(run)
    messages.success(request, _("The import was cancelled; nothing was stored."))
    return redirect("outlets:outlet_import")


class OutletImportHistoryView(RolePermissionMixin, ListView):
    permission_check = staticmethod(can_import_outlets)
    template_name = "outlets/import_history.html"
    paginate_by = 50

    def get_queryset(self):
        return OutletImport.objects.visible_to(self.request.user).select_related(
            "municipality", "imported_by"
        )


class OutletExportView(RolePermissionMixin, View):
    """The current filtered list, in the columns the import reads."""

    permission_check = staticmethod(can_export_outlets)

    def get(self, request):
        outlets = outlet_list_queryset(request.user, request.GET)
        with_records = set(
            Outlet.objects.with_records_visible_to(request.user).values_list(
                "pk", flat=True
            )
        )
        export_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content = outlet_export(
            outlets, export_format, records_visible_for=with_records
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
        name = f"forsaljningsstallen-{timezone.localdate().isoformat()}.{export_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
