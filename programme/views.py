"""The programme's goals (its administrators set them per year) and the investments
at a service point (its municipality's officials and administrators record them;
the shop owner and the county's regional viewers read them)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import form_add_service_errors
from programme.forms import GoalsForm, InvestmentForm
from programme.models import FIRST_YEAR, LAST_YEAR, Investment, ProgrammeGoals
from programme.permissions import (
    can_set_goals,
    outlets_with_investments_editable_by,
    outlets_with_investments_visible_to,
)
from programme.selectors import goal_results, investments_by_year
from programme.services import goals_save, investment_save

# The goals page offers the years around this one.
YEARS_BACK, YEARS_AHEAD = 3, 1


def _goals_municipality(request):
    user = request.user
    if not can_set_goals(user):
        raise Http404
    return user.municipality


@require_safe
def goals_list(request):
    """Each year's goals with their outcome so far; links to set or change them."""
    municipality = _goals_municipality(request)
    this_year = timezone.localdate().year
    stored = {
        goals.year: goals for goals in ProgrammeGoals.objects.editable_by(request.user)
    }
    years = sorted(
        set(range(this_year - YEARS_BACK, this_year + YEARS_AHEAD + 1)) | set(stored),
        reverse=True,
    )
    return render(
        request,
        "programme/goals_list.html",
        {
            "municipality": municipality,
            "years": [
                {
                    "year": year,
                    "caption_id": f"goals-{year}-caption",
                    "goals": stored.get(year),
                    "results": goal_results(municipality=municipality, year=year)
                    if year in stored
                    else [],
                }
                for year in years
            ],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def goals_edit(request, year):
    """Set or change the goals of one year."""
    municipality = _goals_municipality(request)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    goals = ProgrammeGoals.objects.editable_by(request.user).filter(
        year=year
    ).first() or ProgrammeGoals(municipality=municipality, year=year)
    form = GoalsForm(request.POST if request.method == "POST" else None, instance=goals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                goals_save(goals=form.instance, by=request.user)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The goals for %(year)s are saved.") % {"year": year},
                )
                return redirect("programme:goals")
        status = 400
    return render(
        request,
        "programme/goals_form.html",
        {"form": form, "year": year, "municipality": municipality},
        status=status,
    )


@require_safe
def investment_list(request, outlet_pk):
    """An outlet's investments and how each was financed, with the totals per year."""
    outlet = get_object_or_404(
        outlets_with_investments_visible_to(request.user), pk=outlet_pk
    )
    investments = Investment.objects.visible_to(request.user).filter(outlet=outlet)
    return render(
        request,
        "programme/investment_list.html",
        {
            "outlet": outlet,
            "investments": investments,
            "by_year": investments_by_year(investments=investments),
            "total": investments.financing_totals(),
            "can_record": outlets_with_investments_editable_by(request.user)
            .filter(pk=outlet.pk)
            .exists(),
        },
    )


def _investment_form(request, *, outlet, instance):
    form = InvestmentForm(
        request.POST if request.method == "POST" else None, instance=instance
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                investment_save(investment=form.instance, by=request.user)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("The investment is saved."))
                return redirect("programme:investment_list", outlet_pk=outlet.pk)
        status = 400
    return render(
        request,
        "programme/investment_form.html",
        {"form": form, "outlet": outlet, "object": instance if instance.pk else None},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def investment_create(request, outlet_pk):
    outlet = get_object_or_404(
        outlets_with_investments_editable_by(request.user), pk=outlet_pk
    )
    return _investment_form(request, outlet=outlet, instance=Investment(outlet=outlet))


@require_http_methods(["GET", "HEAD", "POST"])
def investment_update(request, pk):
    investment = get_object_or_404(
        Investment.objects.editable_by(request.user).select_related("outlet"), pk=pk
    )
    return _investment_form(request, outlet=investment.outlet, instance=investment)
