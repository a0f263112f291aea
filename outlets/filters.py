"""Search, filters and sorting of the register's lists, read from the query string.

The outlet list, the map and the export show the same outlets for the same query
string, so they all go through `outlet_list_queryset`. A value that does not parse
(a forged kind, a locality id that is not a number) is ignored, never an error.
"""

import re

from django import forms
from django.core.validators import RegexValidator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from core.forms import LongSelect
from outlets.models import Locality, Municipality, Outlet, Partner
from outlets.selectors import service_points_q

SCOPE_ALL = "all"

OUTLET_SORTS = {
    "name": _("Name"),
    "kind": _("Kind"),
    "locality": _("Locality"),
    "municipality": _("Municipality"),
    "status": _("Status"),
}


def scope_filter(user, scope, prefix="municipality"):
    """Staff start in the municipalities they work for and may widen to one or all."""
    if scope == SCOPE_ALL:
        return Q()
    if scope:
        return Q(**{f"{prefix}__code": scope})
    return user.records_scope(prefix)


def scope_choices(user):
    """The municipality select: own scope first, then all, then each municipality."""
    if user.municipality_id:
        own = [("", _("My municipality")), (SCOPE_ALL, _("All municipalities"))]
    elif user.county_id:
        own = [("", _("My county")), (SCOPE_ALL, _("All municipalities"))]
    else:
        own = [("", _("All municipalities"))]
    return own + [
        (code, name) for code, name in Municipality.objects.values_list("code", "name")
    ]


def _label_order(field, choices):
    """Order by the choices' labels in the current language, not by stored values."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
    )


class _Lazy:
    """Choices computed when a widget renders them, not when the form is built."""

    def __init__(self, function, *args):
        self.function, self.args, self.choices = function, args, None

    def __iter__(self):
        if self.choices is None:
            self.choices = list(self.function(*self.args))
        return iter(self.choices)


class ScopedFilterForm(forms.Form):
    """A list's GET form. Choices are read from the database only when rendered."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    municipality = forms.CharField(
        label=_("Municipality"),
        required=False,
        validators=[RegexValidator(r"^(all|[0-9]{4})$")],
        widget=LongSelect,
    )

    def __init__(self, data, *, user):
        super().__init__(data, label_suffix="")
        self.user = user
        if user.reads_all_base_data:
            self.fields["municipality"].widget.choices = _Lazy(scope_choices, user)
        else:
            del self.fields["municipality"]

    def value(self, name, default=""):
        """The cleaned value, or the default when it was missing or did not parse."""
        self.is_valid()  # cleans once; fields that do not parse are left out
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def scope(self):
        return self.value("municipality") if self.user.reads_all_base_data else ""


class OutletFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Outlet.Kind.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open and closed")), *Outlet.Status.choices],
    )
    locality = forms.IntegerField(
        label=_("Locality"), required=False, min_value=1, widget=LongSelect
    )
    service_point = forms.ChoiceField(
        label=_("Service points"),
        required=False,
        choices=[
            ("", _("All outlets")),
            ("yes", _("Service points: agreement in force")),
            ("no", _("Others: no agreement in force")),
        ],
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(f"{sign}{key}", key) for key in OUTLET_SORTS for sign in ("", "-")],
        widget=forms.HiddenInput,
    )

    field_order = ["q", "municipality", "kind", "status", "service_point", "locality"]

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        self.fields["q"].help_text = _(
            "Name, organisation number or locality; upper or lower case alike."
        )
        self.fields["locality"].widget.choices = _Lazy(self._locality_choices)

    def _locality_choices(self):
        localities = Locality.objects.filter(
            scope_filter(self.user, self.scope())
        ).select_related("municipality")
        wide = self.scope() == SCOPE_ALL or not self.user.municipality_id
        choices = [("", _("All localities"))]
        for locality in localities.order_by("name", "municipality__name"):
            label = (
                f"{locality.name} ({locality.municipality.name})"
                if wide
                else locality.name
            )
            choices.append((locality.pk, label))
        return choices

    def sorting(self):
        """(key, descending) of the chosen sort; by name unless told otherwise."""
        sort = self.value("sort", "name")
        return sort.lstrip("-"), sort.startswith("-")


def outlet_filter(user, params):
    """The filter form for a query string and the outlets it selects."""
    form = OutletFilterForm(params, user=user)
    outlets = Outlet.objects.visible_to(user).select_related("municipality", "locality")
    if user.reads_all_base_data:
        outlets = outlets.filter(scope_filter(user, form.scope()))
    if search := form.value("q").strip():
        outlets = outlets.filter(_outlet_search(user, search))
    if kind := form.value("kind"):
        outlets = outlets.filter(kind=kind)
    if status := form.value("status"):
        outlets = outlets.filter(status=status)
    if locality := form.value("locality", None):
        outlets = outlets.filter(locality_id=locality)
    if service_point := form.value("service_point"):
        outlets = outlets.filter(
            service_points_q() if service_point == "yes" else ~service_points_q()
        )
    return form, outlets.order_by(*_outlet_ordering(*form.sorting()))


def with_service_point(outlets):
    """Each outlet marked `is_service_point`: an agreement in force today."""
    return outlets.annotate(
        is_service_point=ExpressionWrapper(
            service_points_q(), output_field=BooleanField()
        )
    )


def outlet_list_queryset(user, params) -> QuerySet:
    """The outlets the list shows for these query parameters (a QueryDict)."""
    return outlet_filter(user, params)[1]


def _outlet_search(user, search):
    """Name or locality for all; organisation number only where one reads records.

    A sole trader's organisation number is a personal identity number: matching on it
    across municipalities would tell who runs which shop.
    """
    by_number = Q(organisation_number__icontains=search)
    digits = re.sub(r"\D", "", search)
    if len(digits) >= 4:
        by_number |= Q(organisation_digits__contains=digits)
    numbered = (
        Outlet.objects.with_records_visible_to(user)
        .alias(organisation_digits=Replace(F("organisation_number"), Value("-")))
        .filter(by_number)
        .values("pk")
    )
    return (
        Q(name__icontains=search)
        | Q(locality__name__icontains=search)
        | Q(pk__in=numbered)
    )


def _outlet_ordering(key, descending):
    expressions = {
        "name": [F("name")],
        "kind": [_label_order("kind", Outlet.Kind.choices), F("name")],
        "locality": [F("locality__name"), F("name")],
        "municipality": [F("municipality__name"), F("name")],
        "status": [_label_order("status", Outlet.Status.choices), F("name")],
    }[key]
    first, *rest = expressions
    first = first.desc(nulls_last=True) if descending else first.asc(nulls_last=True)
    return [first, *rest, "pk"]


class LocalityFilterForm(ScopedFilterForm):
    classification = forms.ChoiceField(
        label=_("Classification"),
        required=False,
        choices=[("", _("All classifications")), *Locality.Classification.choices],
    )


def locality_filter(user, params):
    form = LocalityFilterForm(params, user=user)
    localities = (
        Locality.objects.visible_to(user)
        .filter(scope_filter(user, form.scope()))
        .select_related("municipality")
        .annotate(outlet_count=Count("outlets"))
        .order_by("name", "municipality__name", "pk")
    )
    if search := form.value("q").strip():
        localities = localities.filter(name__icontains=search)
    if classification := form.value("classification"):
        localities = localities.filter(classification=classification)
    return form, localities


class PartnerFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Partner.Kind.choices],
    )


def partner_filter(user, params):
    form = PartnerFilterForm(params, user=user)
    partners = (
        Partner.objects.visible_to(user)
        .filter(scope_filter(user, form.scope()))
        .select_related("municipality")
        .prefetch_related("localities")
        .order_by("name", "pk")
    )
    if search := form.value("q").strip():
        partners = partners.filter(
            Q(name__icontains=search) | Q(localities__name__icontains=search)
        ).distinct()
    if kind := form.value("kind"):
        partners = partners.filter(kind=kind)
    return form, partners
