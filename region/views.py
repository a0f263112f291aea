"""The county at a glance (Swedish: *länsöversikt*): for the county's regional
viewers, and for the system owner choosing a county."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from analysis.exporting import table_csv
from core.pickers import year_pick
from region import tables
from region.permissions import can_view_counties, counties_visible_to
from region.selectors import (
    counties_to_choose,
    county_analysis,
    county_municipalities,
    county_preferred,
    municipality_figures,
    reference_day,
)

YEARS_SHOWN = 4


def _county(request):
    """The county asked for (`?county=<code>`), and the others the user may
    choose. Municipal staff and shop owners are refused; a county the user may not
    see is not found."""
    user = request.user
    if not can_view_counties(user):
        raise PermissionDenied
    visible = counties_visible_to(user)
    choices = [] if user.is_regional_viewer else counties_to_choose(visible)
    code = request.GET.get("county")
    if code:
        county = visible.filter(code=code).first()
    elif user.is_regional_viewer:
        county = visible.first()
    else:
        county = county_preferred(choices)
    if county is None:
        raise Http404
    return county, choices


def _year(request):
    return year_pick(request, latest=timezone.localdate().year + 1)


@require_safe
def county_view(request):
    """Every municipality of the county side by side, and the county's service
    analysis."""
    county, choices = _county(request)
    year = _year(request)
    municipalities = county_municipalities(county=county)
    figures = municipality_figures(municipalities=municipalities, year=year)
    analysis = county_analysis(municipalities=municipalities)
    this_year = timezone.localdate().year
    return render(
        request,
        "region/county.html",
        {
            "county": county,
            "county_choices": choices,
            # The export links' query (the analysis tables' include adds the table).
            "query": urlencode({"county": county.code, "year": year}),
            "year": year,
            "years": list(range(this_year, this_year - YEARS_SHOWN, -1)),
            "service_points_on": reference_day(year),
            "municipalities_table": tables.municipalities_table(figures, year=year),
            "goals_table": tables.goals_table(figures, year=year),
            "bands_table": tables.bands_table(municipalities, analysis),
            "borders_table": tables.borders_table(analysis),
            "shared_table": tables.shared_table(analysis),
            "analysis": analysis,
        },
    )


@require_safe
def county_export(request):
    """One of the county page's tables as CSV (`?table=`); only what that table
    needs is read."""
    county, _choices = _county(request)
    year = _year(request)
    wanted = request.GET.get("table", "")
    municipalities = county_municipalities(county=county)
    if wanted in ("municipalities", "goals"):
        figures = municipality_figures(municipalities=municipalities, year=year)
        table = {
            "municipalities": tables.municipalities_table,
            "goals": tables.goals_table,
        }[wanted](figures, year=year)
    elif wanted in ("bands", "borders", "shared"):
        analysis = county_analysis(municipalities=municipalities)
        table = {
            "bands": lambda: tables.bands_table(municipalities, analysis),
            "borders": lambda: tables.borders_table(analysis),
            "shared": lambda: tables.shared_table(analysis),
        }[wanted]()
    else:
        raise Http404
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    name = f"lan-{county.code}-{year}-{table.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
