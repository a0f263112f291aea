from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from core.views import RolePermissionMixin
from privacy.extract import (
    can_make_register_extract,
    register_extract,
    register_extract_json,
    register_extract_record,
    register_extract_render_pdf,
    subject_get,
    subjects_search,
)
from privacy.forms import PersonSearchForm, RegisterExtractForm
from privacy.registry import REGISTRY
from statements.selectors import municipalities_to_choose, statement_audience


@login_not_required
@require_safe
def privacy_notice(request):
    """How the app processes personal data (Swedish: *integritetsmeddelande*), from
    the registry: for each purpose, the data kept on each legal basis and for how
    long, in the registry's order; and whom to ask: the national version, or a
    municipality's (`?municipality=2401`) with its contacts."""
    audience = statement_audience(request.GET)
    purposes = {}
    for entry in REGISTRY:
        groups = purposes.setdefault(str(entry.purpose), {})
        whats = groups.setdefault((entry.basis.label, entry.retention.label), [])
        if str(entry.what) not in whats:
            whats.append(str(entry.what))
    return render(
        request,
        "privacy/notice.html",
        {
            "purposes": [
                {
                    "purpose": purpose,
                    "groups": [
                        {"basis": basis, "retention": retention, "whats": whats}
                        for (basis, retention), whats in groups.items()
                    ],
                }
                for purpose, groups in purposes.items()
            ],
            "audience": audience,
            "municipality": audience.municipality,
            "contacts": audience.contacts,
            "footer_municipality": audience.municipality,
            "municipalities": municipalities_to_choose(),
        },
        status=audience.status,
    )


class PersonSearchView(RolePermissionMixin, TemplateView):
    """Finding the person a register extract is about, by name or e-mail address,
    among the people of the administrator's municipality."""

    permission_check = staticmethod(can_make_register_extract)
    template_name = "privacy/extract_search.html"

    def get_context_data(self, **kwargs):
        form = PersonSearchForm(self.request.GET or None)
        people = None
        if form.is_valid() and form.cleaned_data["q"].strip():
            people = subjects_search(text=form.cleaned_data["q"], by=self.request.user)
        return super().get_context_data(form=form, people=people, **kwargs)


class RegisterExtractView(RolePermissionMixin, TemplateView):
    """One person's extract: what the registry finds, table by table, and the
    buttons that make the JSON or PDF file."""

    permission_check = staticmethod(can_make_register_extract)
    template_name = "privacy/extract_person.html"

    def get_context_data(self, **kwargs):
        subject = subject_get(
            kind=self.kwargs["kind"], pk=self.kwargs["pk"], by=self.request.user
        )
        return super().get_context_data(
            extract=register_extract(subject=subject, by=self.request.user),
            form=kwargs.pop("form", None) or RegisterExtractForm(),
            **kwargs,
        )


class RegisterExtractExportView(RolePermissionMixin, TemplateView):
    """The extract as a file (POST: making one is logged in the security log)."""

    permission_check = staticmethod(can_make_register_extract)
    http_method_names = ["post"]
    template_name = "privacy/extract_person.html"

    def post(self, request, kind, pk):
        subject = subject_get(kind=kind, pk=pk, by=request.user)
        form = RegisterExtractForm(request.POST)
        extract = register_extract(subject=subject, by=request.user)
        if not form.is_valid():
            context = self.get_context_data(extract=extract, form=form)
            return self.render_to_response(context, status=400)
        file_format = form.cleaned_data["format"]
        if file_format == "pdf":
            content, content_type = (
                register_extract_render_pdf(extract),
                ("application/pdf"),
            )
        else:
            content, content_type = (
                register_extract_json(extract),
                ("application/json; charset=utf-8"),
            )
        register_extract_record(
            extract=extract, request=request, file_format=file_format
        )
        response = HttpResponse(content, content_type=content_type)
        # Named by the record, not the person: the file name is written to the
        # security log, which must not keep the name of someone later erased.
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            "attachment; "
            f'filename="registerutdrag-{subject.kind}-{subject.record.pk}-{stamp}'
            f'.{file_format}"'
        )
        return response
