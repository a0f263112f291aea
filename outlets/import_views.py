"""Import and export of the outlet register.

An import takes two steps: the upload shows a preview of what would change and every
invalid row; confirming stores it all, or nothing if a row has become invalid since.
The uploaded file waits in storage between the two steps, under a random name that
only the uploader's session knows.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.exporting import CONTENT_TYPES
from core.storage import stored_files_remove_older
from core.views import RolePermissionMixin
from outlets.exporting import outlet_export
from outlets.filters import outlet_list_queryset
from outlets.forms import OutletImportForm
from outlets.importing import (
    OutletImporter,
    outlet_import_store,
    read_outlet_file,
)
from outlets.models import Municipality, Outlet, OutletImport
from outlets.permissions import can_export_outlets, can_import_outlets

PENDING_DIR = "outlet-imports"
SESSION_KEY = "pending_outlet_import"
# An uploaded file (with contacts' personal data) waits this long for confirmation.
PENDING_HOURS = 24
# The preview lists this many changed outlets with their fields, those whose change
# moves the service analysis first; the counts cover the whole file.
PREVIEW_CHANGES = 200
PREVIEW_NEW = 100


class OutletImportView(RolePermissionMixin, View):
    permission_check = staticmethod(can_import_outlets)
    template_name = "outlets/import.html"

    def get(self, request):
        return render(
            request, self.template_name, {"form": OutletImportForm(user=request.user)}
        )

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = OutletImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        municipality = form.chosen_municipality()
        plan = OutletImporter(
            form.dataset, user=request.user, municipality=municipality
        ).plan()
        token = uuid.uuid4().hex
        discard_pending_import(request)
        if plan.is_valid:
            default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(form.data_bytes))
            request.session[SESSION_KEY] = {
                "token": token,
                "file_name": form.cleaned_data["file"].name,
                "municipality": municipality.pk if municipality else None,
            }
        return self.preview(request, plan, form.cleaned_data["file"].name, token)

    def preview(self, request, plan, file_name, token):
        # A stable sort: within each group the file's order.
        changes = sorted(plan.changes, key=lambda change: not change.moves_analysis)
        return render(
            request,
            "outlets/import_preview.html",
            {
                "plan": plan,
                "counts": plan.summary(),
                "file_name": file_name,
                "token": token,
                "errors": plan.errors[:500],
                "more_errors": max(len(plan.errors) - 500, 0),
                "new_outlets": plan.new[:PREVIEW_NEW],
                "more_new": max(len(plan.new) - PREVIEW_NEW, 0),
                "changes": changes[:PREVIEW_CHANGES],
                "more_changes": max(len(changes) - PREVIEW_CHANGES, 0),
            },
        )

    def confirm(self, request):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending["token"] != request.POST.get("token"):
            messages.error(
                request,
                _("The preview is no longer available. Upload the file again."),
            )
            return redirect("outlets:outlet_import")
        path = f"{PENDING_DIR}/{pending['token']}"
        try:
            with default_storage.open(path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            del request.session[SESSION_KEY]
            messages.error(
                request,
                _("The preview is no longer available. Upload the file again."),
            )
            return redirect("outlets:outlet_import")
        municipality = Municipality.objects.filter(pk=pending["municipality"]).first()
        plan = OutletImporter(
            read_outlet_file(pending["file_name"], data),
            user=request.user,
            municipality=municipality,
        ).plan()
        if not plan.is_valid:
            # The register changed since the preview: show what is wrong now.
            return self.preview(request, plan, pending["file_name"], "")
        outlet_import_store(plan, file_name=pending["file_name"], user=request.user)
        discard_pending_import(request)
        counts = plan.summary()
        messages.success(
            request,
            _(
                "Imported %(file)s: %(new)s new, %(changed)s changed, %(unchanged)s "
                "unchanged."
            )
            % {**counts, "file": pending["file_name"]},
        )
        return redirect("outlets:outlet_import_history")


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


def discard_pending_import(request):
    """Remove the session's waiting file, and any left by abandoned previews."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        default_storage.delete(f"{PENDING_DIR}/{pending['token']}")
    stored_files_remove_older(
        folder=PENDING_DIR, before=timezone.now() - timedelta(hours=PENDING_HOURS)
    )
