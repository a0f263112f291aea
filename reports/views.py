from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agreements.models import Agreement
from core.pickers import municipality_pick, year_pick
from outlets.models import Municipality, Outlet
from programme.models import Investment
from programme.selectors import goal_results, investments_by_year
from reports.charts import bar_chart
from reports.documents import annual_report_render_pdf
from reports.selectors import (
    kpi_years,
    municipality_kpis,
    outlet_kpis,
    report_years,
)
from reports.templatetags.reports import change_percent
from surveys.selectors import municipality_survey_results

YEARS_SHOWN = 4
# The municipality a regional viewer or system owner last chose.
SESSION_KEY = "reports_municipality"


def _municipality(request):
    """The municipality the user reports on, and the others they may choose.

    Staff of a municipality see their own; regional viewers choose among their
    county's municipalities, the system owner among those with outlets; the last
    choice is remembered. The first shown is one with an agreement in force, else
    with an agreement, else with outlets: a reader should not land on an empty page.
    Shop owners are refused.
    """
    if request.user.is_shop_owner:
        raise PermissionDenied
    with_outlets = Municipality.objects.filter(
        pk__in=Outlet.objects.values("municipality")
    )
    municipality, choices = municipality_pick(
        request,
        offered=with_outlets,
        preferred=[
            Agreement.objects.in_force().values_list("municipality", flat=True),
            Agreement.objects.signed().values_list("municipality", flat=True),
            with_outlets.values_list("pk", flat=True),
        ],
        remember_as=SESSION_KEY,
    )
    if municipality is None:
        raise Http404
    return municipality, choices


def _year(request):
    return year_pick(request, latest=timezone.localdate().year + 1)


@require_safe
def kpi_view(request):
    """Key figures of a municipality's year and its outlets' figures year over year."""
    municipality, choices = _municipality(request)
    year = _year(request)
    outlets = Outlet.objects.filter(municipality=municipality)
    outlets_kpis = outlet_kpis(outlets=outlets, until_year=year)
    charts = []
    for index, kpis in enumerate(outlets_kpis):
        chart = bar_chart(
            [
                (str(y.year), y.visitors_per_week, change_percent(y.change_percent))
                for y in kpis.years
            ]
        )
        charts.append(
            {
                "kpis": kpis,
                "chart": chart,
                "chart_id": f"chart-{index}",
                "description": "; ".join(
                    _("%(year)s: %(visitors)s visitors a week")
                    % {"year": y.year, "visitors": intcomma(y.visitors_per_week)}
                    for y in kpis.years
                ),
            }
        )
    reportable = report_years(municipality=municipality)
    return render(
        request,
        "reports/kpis.html",
        {
            "municipality": municipality,
            "municipality_choices": choices,
            "year": year,
            # Only years an annual report covers: none before the programme began.
            "years": [
                y
                for y in kpi_years(municipality=municipality, shown=YEARS_SHOWN)
                if y in reportable
            ],
            "report_available": year in reportable,
            "kpis": municipality_kpis(municipality=municipality, year=year),
            "goal_results": goal_results(municipality=municipality, year=year),
            "sets_goals": request.user.is_administrator
            and request.user.municipality_id == municipality.pk,
            # Every year's investments by source, up to the year shown.
            "investments_by_year": investments_by_year(
                investments=Investment.objects.in_programme().filter(
                    outlet__municipality=municipality, made_on__year__lte=year
                )
            ),
            "outlets": charts,
            "survey": municipality_survey_results(municipality=municipality, year=year),
        },
    )


@require_safe
def annual_report_download(request):
    """The annual report (Swedish: *årsrapport*) of a municipality's year as PDF."""
    municipality, _choices = _municipality(request)
    year = timezone.localdate().year
    if "year" in request.GET:
        # A year the programme has no report for is not silently another year.
        try:
            year = int(request.GET["year"])
        except ValueError:
            raise Http404 from None
        if year not in report_years(municipality=municipality):
            raise Http404
    pdf = annual_report_render_pdf(municipality=municipality, year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="arsrapport-{municipality.code}-{year}.pdf"'
    )
    return response
