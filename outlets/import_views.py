"""Import and export of the outlet register.

An import takes two steps: the upload shows a preview of what would change and every
invalid row; confirming stores it all, or nothing if a row has become invalid since.
The uploaded file waits in storage between the two steps, under a random name that
only the uploader's session knows.
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from accounts.models import Role
from accounts.permissions import RolePermissionMixin
from outlets.exporting import CONTENT_TYPES, outlet_export
from outlets.filters import outlet_list_queryset
from outlets.importing import (
    ImportFileError,
    OutletImporter,
    check_file_size,
    outlet_import_store,
    read_outlet_file,
)
from outlets.models import Municipality, Outlet, OutletImport
from outlets.permissions import can_export_outlets, can_import_outlets

PENDING_DIR = "outlet-imports"
SESSION_KEY = "pending_outlet_import"


class OutletImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        error_messages={"empty": gettext_lazy("The file is empty.")},
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252, comma or semicolon separated) or Excel "
            "(.xlsx). The first line names the columns."
        ),
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(),
        required=False,
        label=gettext_lazy("Municipality"),
        help_text=gettext_lazy(
            "For rows without a Kommunkod column or value. Leave empty when the file "
            "names each row's municipality."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role != Role.SYSTEM_OWNER:
            # A municipality's administrators import their own municipality's outlets.
            del self.fields["municipality"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # The size is checked before the file is read into memory.
            check_file_size(upload.size)
            self.data_bytes = upload.read()
            self.dataset = read_outlet_file(upload.name, self.data_bytes)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def chosen_municipality(self):
        if "municipality" in self.fields:
            return self.cleaned_data.get("municipality")
        return self.user.municipality


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
                "new_outlets": plan.new[:100],
                "changed_outlets": [outlet for outlet, _fields in plan.changed[:100]],
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
        imports = OutletImport.objects.select_related("municipality", "imported_by")
        user = self.request.user
        if user.role == Role.SYSTEM_OWNER:
            return imports
        return imports.filter(municipality=user.municipality)


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
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        default_storage.delete(f"{PENDING_DIR}/{pending['token']}")
