from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from core.exporting import CONTENT_TYPES, csv_bytes, xlsx_bytes
from core.forms import form_add_service_errors
from core.pickers import municipality_pick, year_pick
from deliveries.forms import DeliveryFilterForm, DeliveryForm, MonthlyTotalForm
from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.permissions import can_record_deliveries
from deliveries.selectors import delivery_summary, summary_columns, summary_table
from deliveries.services import delivery_save, monthly_total_save
from outlets.models import Municipality, Outlet

PAGE_SIZE = 50


def _years_with_records(deliveries, totals):
    years = {day.year for day in deliveries.dates("delivered_on", "year")}
    years |= set(totals.values_list("year", flat=True).distinct())
    return sorted(years | {timezone.localdate().year}, reverse=True)


@require_safe
def delivery_list(request):
    """Logged deliveries and monthly totals, filtered by year and outlet."""
    user = request.user
    deliveries = Delivery.objects.visible_to(user)
    totals = MonthlyDeliveryTotal.objects.visible_to(user)
    outlet_ids = set(deliveries.values_list("outlet", flat=True).distinct()) | set(
        totals.values_list("outlet", flat=True).distinct()
    )
    outlets = Outlet.objects.filter(pk__in=outlet_ids).order_by("name")
    filters = DeliveryFilterForm(
        request.GET,
        years=_years_with_records(deliveries, totals),
        outlets=outlets,
    )
    year, outlet = filters.value("year"), filters.value("outlet")
    if year:
        deliveries = deliveries.filter(delivered_on__year=year)
        totals = totals.filter(year=year)
    if outlet:
        deliveries = deliveries.filter(outlet_id=outlet)
        totals = totals.filter(outlet_id=outlet)
    page = Paginator(deliveries.select_related("outlet"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "deliveries/delivery_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "deliveries": page.object_list,
            "totals": totals.select_related("outlet"),
            "can_record": can_record_deliveries(user),
            "summary_year": year or timezone.localdate().year,
        },
    )


def _record_form_view(request, *, form_class, save, instance, template):
    user = request.user
    if not can_record_deliveries(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=instance, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.instance, user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The home delivery record is saved."))
            return redirect("deliveries:delivery_list")
    return render(request, template, {"form": form, "object": instance})


def delivery_form_view(request, pk=None):
    instance = None
    if pk is not None:
        instance = get_object_or_404(
            Delivery.objects.editable_by(request.user).select_related("outlet"),
            pk=pk,
        )
    return _record_form_view(
        request,
        form_class=DeliveryForm,
        save=lambda delivery, by: delivery_save(delivery=delivery, by=by),
        instance=instance,
        template="deliveries/delivery_form.html",
    )


def monthly_total_form_view(request, pk=None):
    instance = None
    if pk is not None:
        instance = get_object_or_404(
            MonthlyDeliveryTotal.objects.editable_by(request.user).select_related(
                "outlet"
            ),
            pk=pk,
        )
    return _record_form_view(
        request,
        form_class=MonthlyTotalForm,
        save=lambda total, by: monthly_total_save(total=total, by=by),
        instance=instance,
        template="deliveries/monthly_total_form.html",
    )


def _summary_scope(request):
    """The municipality summed up, its outlets the user reads, and the other
    municipalities the user may choose (regional viewers, the system owner)."""
    user = request.user
    if user.is_shop_owner:
        return user.municipality, Outlet.objects.filter(owners=user), []
    with_records = Municipality.objects.filter(
        pk__in=Delivery.objects.visible_to(user).values("outlet__municipality")
    ) | Municipality.objects.filter(
        pk__in=MonthlyDeliveryTotal.objects.visible_to(user).values(
            "outlet__municipality"
        )
    )
    municipality, choices = municipality_pick(
        request,
        offered=with_records,
        preferred=[with_records.values_list("pk", flat=True)],
    )
    return municipality, Outlet.objects.filter(municipality=municipality), choices


def _year(request):
    return year_pick(request, latest=2100)


@require_safe
def delivery_summary_view(request):
    """The yearly summary in the shape of the state home-delivery grant claim."""
    municipality, outlets, choices = _summary_scope(request)
    year = _year(request)
    summary = delivery_summary(outlets=outlets, year=year)
    this_year = timezone.localdate().year
    return render(
        request,
        "deliveries/summary.html",
        {
            "municipality": municipality,
            "municipality_choices": choices,
            "summary": summary,
            "total": summary.total,
            "year": year,
            "years": list(range(this_year, this_year - 4, -1)),
            "own_outlets_only": request.user.is_shop_owner,
        },
    )


@require_safe
def delivery_summary_export(request):
    """The summary as CSV (Swedish Excel) or XLSX, headed in the user's language."""
    municipality, outlets, _choices = _summary_scope(request)
    year = _year(request)
    export_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    summary = delivery_summary(outlets=outlets, year=year)
    columns, rows = summary_columns(), summary_table(summary)
    if export_format == "xlsx":
        content = xlsx_bytes(
            columns, rows, title=_("Home delivery %(year)s") % {"year": year}
        )
    else:
        content = csv_bytes(columns, rows)
    response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
    name = pgettext("file name", "home-delivery")
    code = municipality.code if municipality else pgettext("file name", "all")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{code}-{year}.{export_format}"'
    )
    return response
