from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)

from core.exporting import CONTENT_TYPES, csv_bytes, xlsx_bytes
from core.forms import form_add_service_errors
from core.views import RolePermissionMixin
from outlets.crisis import backup_power_display, crisis_outlets, crisis_rows
from outlets.filters import (
    OUTLET_SORTS,
    SCOPE_ALL,
    locality_filter,
    outlet_filter,
    partner_filter,
    scope_filter,
    with_service_point,
)
from outlets.forms import (
    ContactFormSet,
    LocalityForm,
    OutletCloseForm,
    OutletForm,
    OutletPublicFactsForm,
    PartnerForm,
)
from outlets.geo import sweref_from_wgs84
from outlets.maps import (
    locality_marker,
    map_data,
    map_legend,
    map_marker,
    outlet_marker,
)
from outlets.models import Locality, Municipality, Outlet, Partner
from outlets.panels import outlet_panels
from outlets.permissions import (
    can_edit_locality,
    can_edit_outlet,
    can_edit_partner,
    can_edit_public_facts,
    can_edit_register,
    can_export_outlets,
    can_import_outlets,
    can_keep_public_facts,
    can_read_crisis_readiness,
    can_read_register,
    can_record_service_point_choice,
    can_view_outlet_records,
    can_view_partner_contact,
)
from outlets.selectors import (
    in_programme_q,
    locality_history,
    outlet_history,
    partner_history,
    service_point_choices,
    service_points_q,
)
from outlets.services import (
    locality_save,
    outlet_close,
    outlet_close_notices,
    outlet_public_facts_save,
    outlet_save,
    partner_save,
)


class PermissionMixin(RolePermissionMixin):
    """Staff pages: 403 for shop owners unless a view checks otherwise."""

    permission_check = staticmethod(can_read_register)


class ScopeMixin:
    """The municipality a list is narrowed to, for its heading."""

    def scope_context(self, form):
        scope = form.scope()
        context = {"scope": scope, "filter_form": form}
        if scope and scope != SCOPE_ALL:
            context["scope_municipality"] = Municipality.objects.filter(
                code=scope
            ).first()
        return context


class OutletListView(ScopeMixin, ListView):
    """Staff start in the municipalities they work for and may widen to all."""

    template_name = "outlets/outlet_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form, outlets = outlet_filter(self.request.user, self.request.GET)
        return with_service_point(outlets)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        key, descending = self.filter_form.sorting()
        context.update(self.scope_context(self.filter_form))
        context["columns"] = [
            {
                "label": label,
                "sort": ("descending" if descending else "ascending")
                if name == key
                else "",
                "next": f"-{name}" if name == key and not descending else name,
            }
            for name, label in OUTLET_SORTS.items()
        ]
        context["filtered"] = any(
            self.request.GET.get(name)
            for name in ("q", "kind", "status", "locality", "service_point")
        )
        context["can_create"] = can_edit_register(user)
        context["can_import"] = can_import_outlets(user)
        context["can_export"] = can_export_outlets(user)
        return context


class OutletDetailView(DetailView):
    template_name = "outlets/outlet_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Outlet.objects.visible_to(self.request.user).select_related(
                "municipality", "locality"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, outlet = self.request.user, self.object
        context["shows_records"] = can_view_outlet_records(user, outlet)
        # Being a service point is public (the public map shows it); the agreement
        # and what follows from it are records.
        # And investments are recorded for outlets that have or had an agreement.
        context["is_service_point"], context["in_programme"] = (
            Outlet.objects.filter(pk=outlet.pk)
            .annotate(
                is_service_point=ExpressionWrapper(
                    service_points_q(), output_field=BooleanField()
                ),
                in_programme=ExpressionWrapper(
                    in_programme_q(), output_field=BooleanField()
                ),
            )
            .values_list("is_service_point", "in_programme")
            .get()
        )
        if context["shows_records"]:
            context["owners"] = outlet.owners.filter(is_active=True)
            context["contacts"] = outlet.contacts.all()
            context["panels"] = outlet_panels(outlet=outlet, user=user)
        context["history"] = outlet_history(
            outlet=outlet, with_contacts=context["shows_records"]
        )
        context["can_edit"] = can_edit_outlet(user, outlet)
        context["can_keep_public_facts"] = can_keep_public_facts(
            user
        ) and can_edit_public_facts(user, outlet)
        context["can_invite_owner"] = context["can_edit"]
        context["links_register"] = can_read_register(user)
        town = f"{outlet.postcode} {outlet.town}".strip()
        context["address"] = ", ".join(filter(None, [outlet.street_address, town]))
        markers = [outlet_marker(outlet)]
        if outlet.locality and can_read_register(user):
            markers.insert(0, locality_marker(outlet.locality))
        context["map_data"] = map_data(markers, max_zoom=12)
        return context


class EditorMixin(PermissionMixin):
    """Administrators and officials; others get 403, another municipality's 404."""

    permission_check = staticmethod(can_edit_register)


class OutletFormMixin(EditorMixin):
    form_class = OutletForm
    template_name = "outlets/outlet_form.html"

    def get_contacts(self):
        return ContactFormSet(
            self.request.POST if self.request.method == "POST" else None,
            instance=self.object or Outlet(),
            prefix="contacts",
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("contacts", self.get_contacts())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, contacts = self.get_form(), self.get_contacts()
        contacts_valid = contacts.is_valid()
        if form.is_valid() and contacts_valid:
            try:
                outlet = outlet_save(
                    outlet=form.save(commit=False),
                    by=request.user,
                    contacts=contacts.save(commit=False),
                    removed_contacts=contacts.deleted_objects,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, self.success_message % {"name": outlet})
                return redirect(outlet)
        return self.render_to_response(
            self.get_context_data(form=form, contacts=contacts)
        )


class OutletCreateView(OutletFormMixin, CreateView):
    success_message = gettext_lazy("The outlet %(name)s has been added.")

    def get_object(self, queryset=None):
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Outlet(municipality=self.request.user.municipality)
        return kwargs


class OutletUpdateView(OutletFormMixin, UpdateView):
    success_message = gettext_lazy("The changes to %(name)s have been saved.")

    def get_object(self, queryset=None):
        return get_object_or_404(
            Outlet.objects.editable_by(self.request.user), pk=self.kwargs["pk"]
        )


class OutletCloseView(EditorMixin, FormView):
    """Closing keeps the outlet, with its closing date, for history and analysis."""

    form_class = OutletCloseForm
    template_name = "outlets/outlet_close.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.test_func():
            return self.handle_no_permission()
        self.outlet = get_object_or_404(
            Outlet.objects.editable_by(request.user), pk=kwargs["pk"]
        )
        if self.outlet.status == Outlet.Status.CLOSED:
            messages.info(request, _("The outlet is already closed."))
            return redirect(self.outlet)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outlet=self.outlet,
            notices=outlet_close_notices(outlet=self.outlet, user=self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            outlet_close(
                outlet=self.outlet,
                by=self.request.user,
                closed_on=form.cleaned_data["closed_on"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is recorded as closed.") % {"name": self.outlet},
        )
        return redirect(self.outlet)


class OutletPublicFactsView(RolePermissionMixin, UpdateView):
    """A shop owner keeps their outlet's opening hours and public phone."""

    permission_check = staticmethod(can_keep_public_facts)
    form_class = OutletPublicFactsForm
    template_name = "outlets/outlet_public_facts_form.html"
    context_object_name = "outlet"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Outlet.objects.public_facts_editable_by(self.request.user),
            pk=self.kwargs["pk"],
        )

    def form_valid(self, form):
        try:
            outlet_public_facts_save(
                outlet=self.object, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The opening hours and phone of %(name)s have been saved.")
            % {"name": self.object},
        )
        return redirect(self.object)


class MapView(ScopeMixin, PermissionMixin, TemplateView):
    """Every outlet and locality in the scope, with the same filters as the list."""

    template_name = "outlets/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, outlets = outlet_filter(user, self.request.GET)
        localities = Locality.objects.visible_to(user).filter(
            scope_filter(user, form.scope()), latitude__isnull=False
        )
        outlets = list(outlets.exclude(latitude=None))
        context.update(self.scope_context(form))
        context["outlet_count"] = len(outlets)
        markers = [locality_marker(locality) for locality in localities]
        context["locality_count"] = len(markers)
        markers += [outlet_marker(outlet) for outlet in outlets]
        context["map_data"] = map_data(markers)
        context["legend"] = map_legend(context["map_data"]["markers"])
        return context


class LocalityListView(ScopeMixin, PermissionMixin, ListView):
    template_name = "outlets/locality_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form, localities = locality_filter(
            self.request.user, self.request.GET
        )
        return localities

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.scope_context(self.filter_form))
        context["can_create"] = can_edit_register(self.request.user)
        return context


class LocalityDetailView(PermissionMixin, DetailView):
    template_name = "outlets/locality_detail.html"
    context_object_name = "locality"

    def get_queryset(self):
        return Locality.objects.visible_to(self.request.user).select_related(
            "municipality"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, locality = self.request.user, self.object
        outlets = list(
            Outlet.objects.visible_to(user)
            .filter(locality=locality)
            .select_related("municipality", "locality")
        )
        context["outlets"] = outlets
        context["partners"] = locality.partners.all()
        context["can_edit"] = can_edit_locality(user, locality)
        context["history"] = locality_history(locality=locality)
        context["choices"] = service_point_choices(locality=locality, user=user)
        context["can_record_choice"] = can_record_service_point_choice(user, locality)
        if locality.latitude is not None:
            context["locality_sweref"] = sweref_from_wgs84(
                locality.latitude, locality.longitude
            )
        context["map_data"] = map_data(
            [locality_marker(locality)] + [outlet_marker(o) for o in outlets],
            max_zoom=12,
        )
        context["legend"] = map_legend(context["map_data"]["markers"])
        return context


class LocalityFormMixin(EditorMixin):
    form_class = LocalityForm
    template_name = "outlets/locality_form.html"
    context_object_name = "locality"

    def form_valid(self, form):
        try:
            locality = locality_save(
                locality=form.save(commit=False), by=self.request.user
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": locality})
        return redirect(locality)


class LocalityCreateView(LocalityFormMixin, CreateView):
    success_message = gettext_lazy("The locality %(name)s has been added.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Locality(municipality=self.request.user.municipality)
        return kwargs


class LocalityUpdateView(LocalityFormMixin, UpdateView):
    success_message = gettext_lazy("The changes to %(name)s have been saved.")

    def get_queryset(self):
        return Locality.objects.editable_by(self.request.user)


class PartnerListView(ScopeMixin, PermissionMixin, ListView):
    template_name = "outlets/partner_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form, partners = partner_filter(self.request.user, self.request.GET)
        return partners

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.scope_context(self.filter_form))
        context["can_create"] = can_edit_register(self.request.user)
        return context


class PartnerDetailView(PermissionMixin, DetailView):
    template_name = "outlets/partner_detail.html"
    context_object_name = "partner"

    def get_queryset(self):
        return (
            Partner.objects.visible_to(self.request.user)
            .select_related("municipality")
            .prefetch_related("localities")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, partner = self.request.user, self.object
        context["shows_contact"] = can_view_partner_contact(user, partner)
        context["can_edit"] = can_edit_partner(user, partner)
        context["history"] = partner_history(
            partner=partner, with_contact=context["shows_contact"]
        )
        return context


class PartnerFormMixin(EditorMixin):
    form_class = PartnerForm
    template_name = "outlets/partner_form.html"
    context_object_name = "partner"

    def form_valid(self, form):
        try:
            partner = partner_save(
                partner=form.save(commit=False),
                by=self.request.user,
                localities=form.cleaned_data["localities"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": partner})
        return redirect(partner)


class PartnerCreateView(PartnerFormMixin, CreateView):
    success_message = gettext_lazy("The partner %(name)s has been added.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Partner(municipality=self.request.user.municipality)
        return kwargs


class PartnerUpdateView(PartnerFormMixin, UpdateView):
    success_message = gettext_lazy("The changes to %(name)s have been saved.")

    def get_queryset(self):
        return Partner.objects.editable_by(self.request.user)


class CrisisReadinessMixin(RolePermissionMixin):
    """The service points and outlets with a crisis role in the user's records
    scope, narrowed to one municipality for those who read several."""

    permission_check = staticmethod(can_read_crisis_readiness)

    def crisis_scope(self):
        user = self.request.user
        self.municipalities = []
        if not user.is_municipal_staff:
            self.municipalities = list(
                Municipality.objects.filter(
                    pk__in=Outlet.objects.with_records_visible_to(user).values(
                        "municipality"
                    )
                )
            )
        code = self.request.GET.get("municipality", "")
        self.chosen = next((m for m in self.municipalities if m.code == code), None)
        return Q(municipality=self.chosen) if self.chosen else Q()

    def crisis_rows(self):
        return crisis_rows(crisis_outlets(self.request.user, self.crisis_scope()))


class CrisisReadinessView(CrisisReadinessMixin, TemplateView):
    """Crisis readiness at a glance: a list, a map and an export."""

    template_name = "outlets/crisis_readiness.html"
    shown_rows = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.crisis_rows()
        context.update(
            rows=rows[: self.shown_rows],
            more_rows=max(len(rows) - self.shown_rows, 0),
            municipalities=self.municipalities,
            chosen=self.chosen,
            counts={
                "outlets": len(rows),
                "service_points": sum(row.outlet.is_service_point for row in rows),
                "backup_power": sum(bool(row.outlet.backup_power) for row in rows),
                "attention": sum(row.needs_attention for row in rows),
            },
        )
        markers = [crisis_marker(row) for row in rows]
        context["map_data"] = map_data(markers)
        legend = map_legend(context["map_data"]["markers"])
        if any(row.needs_attention for row in rows):
            legend.append(
                (
                    "map-marker--attention",
                    _("Backup power test older than a year or never done (square)"),
                )
            )
        context["legend"] = legend
        return context


class CrisisReadinessExportView(CrisisReadinessMixin, View):
    """The same outlets as CSV or XLSX, through the one export writer."""

    def get(self, request):
        rows = self.crisis_rows()
        headers, lines = crisis_export_table(rows)
        export_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        if export_format == "xlsx":
            content = xlsx_bytes(headers, lines, title=_("Crisis readiness")[:31])
        else:
            content = csv_bytes(headers, lines)
        response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
        name = f"krisberedskap-{timezone.localdate().isoformat()}.{export_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def crisis_marker(row):
    """The outlet's marker; one whose backup power test is due is a square in its
    own colour, and its label says why."""
    outlet = row.outlet
    parts = [outlet.get_kind_display()]
    if outlet.crisis_role:
        parts.append(outlet.get_crisis_role_display())
    parts.append(str(row.test_state_label))
    return map_marker(
        outlet,
        kind="attention" if row.needs_attention else outlet.kind,
        label="; ".join(parts),
    )


def crisis_export_table(rows):
    headers = [
        _("Municipality"),
        _("Name"),
        _("Locality"),
        _("Service point"),
        _("Crisis role"),
        _("Backup power"),
        _("Backup power last tested"),
        _("Backup power test"),
        _("Crisis contact"),
        _("Register id"),
    ]
    lines = [
        [
            row.outlet.municipality.name,
            row.outlet.name,
            row.outlet.locality.name if row.outlet.locality else "",
            _("Yes") if row.outlet.is_service_point else _("No"),
            row.outlet.get_crisis_role_display(),
            backup_power_display(row.outlet),
            row.outlet.backup_power_tested_on,
            str(row.test_state_label),
            row.outlet.crisis_contact,
            row.outlet.pk,
        ]
        for row in rows
    ]
    return headers, lines
