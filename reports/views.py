import logging

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreements.models import Agreement
from core.pickers import municipality_pick, year_pick
from outlets.models import Municipality, Outlet
from programme.models import Investment
from programme.selectors import goal_results, investments_by_year
from reports.charts import bar_chart
from reports.models import AnnualReport
from reports.selectors import (
    kpi_years,
    municipality_kpis,
    outlet_kpis,
    report_years,
)
from reports.services import annual_report_latest, annual_report_request
from reports.templatetags.reports import change_percent
from surveys.selectors import municipality_survey_results

logger = logging.getLogger(__name__)

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


def _report_year(request, municipality):
    """The year asked for, else this one; a year asked for that the programme has
    no report for is not found, not silently another year."""
    year = timezone.localdate().year
    if "year" in request.GET:
        try:
            year = int(request.GET["year"])
        except ValueError:
            raise Http404 from None
        if year not in report_years(municipality=municipality):
            raise Http404
    return year


@require_http_methods(["GET", "HEAD", "POST"])
def annual_report_page(request):
    """The annual report (Swedish: *årsrapport*) of a municipality's year: a POST
    (the button on the key-figures page, or a retry) starts its background job or
    follows the one under way or a current one; the page shows its progress, then
    offers the PDF, or says why it failed."""
    municipality, _choices = _municipality(request)
    year = _report_year(request, municipality)
    if request.method == "POST":
        report = annual_report_request(
            municipality=municipality,
            year=year,
            by=request.user,
            again=bool(request.POST.get("again")),
        )
        return redirect(report)
    report = annual_report_latest(municipality=municipality, year=year)
    return render(
        request,
        "reports/annual_report.html",
        {
            "municipality": municipality,
            "year": year,
            "report": report,
            "status_text": _status_text(report) if report else "",
        },
    )


def _visible_report(request, pk, **filters):
    return get_object_or_404(
        AnnualReport.objects.visible_to(request.user)
        .filter(**filters)
        .select_related("municipality"),
        pk=pk,
    )


def _status_text(report):
    if report.status == AnnualReport.Status.DONE:
        return _("Ready, dated %(date)s") % {
            "date": date_format(report.dated_on, "SHORT_DATE_FORMAT")
        }
    return report.get_status_display()


@require_safe
def annual_report_status(request, pk):
    """The report's state for its page's script, which shows it as text."""
    report = _visible_report(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "finished": not report.is_unfinished,
            "text": _status_text(report),
        }
    )


@require_safe
def annual_report_file(request, pk):
    """A ready report's PDF, from the default storage."""
    report = _visible_report(request, pk, status=AnnualReport.Status.DONE)
    try:
        file = default_storage.open(report.stored_file, "rb")
    except OSError:
        logger.error("The stored annual report %s is missing", report.stored_file)
        raise Http404 from None
    return FileResponse(
        file,
        as_attachment=True,
        filename=report.file_name,
        content_type="application/pdf",
    )
