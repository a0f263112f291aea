from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from agreements.selectors import budget_summary, deadlines
from outlets.models import Municipality, Outlet
from servicepunkter.forms import form_add_service_errors

START_PAGE_OUTLETS = 10


@require_safe
def start(request):
    """Each role's start page, leading to what that role can do."""
    user = request.user
    context = {}
    if user.is_municipal_staff:
        context["budget"] = budget_summary(
            municipality=user.municipality, year=timezone.localdate().year
        )
        context["deadlines"] = deadlines(municipality=user.municipality)
    if user.is_municipal_staff or user.is_shop_owner:
        outlets = Outlet.objects.with_records_visible_to(user)
        context["outlet_count"] = outlets.count()
        context["outlets"] = outlets.select_related("locality").order_by("name")[
            :START_PAGE_OUTLETS
        ]
    else:
        municipalities = (
            Municipality.objects.select_related("county")
            .annotate(
                open_outlet_count=Count("outlets", filter=Q(outlets__status="open"))
            )
            .order_by("name")
        )
        if user.is_regional_viewer:
            municipalities = municipalities.filter(county_id=user.county_id)
        else:
            municipalities = municipalities.filter(open_outlet_count__gt=0)
        context["municipalities"] = municipalities
    return render(request, f"start/start_{user.role}.html", context)


def form_action(request, *, form, action, done, reshow, then=None):
    """A POSTed form that runs one service.

    `action(form)` runs with the valid form. On success: the message `done` (or
    `done(result)`) and a redirect to `then`, or to what `action` returns. Otherwise
    `reshow(form)`, the page again with the form's errors, the service's among them.
    """
    if form.is_valid():
        try:
            result = action(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(then if then is not None else result)
    return reshow(form)


def page_with_errors(view, request, pk, **forms):
    """An object's page re-shown after a failed POST (status 400): `view` renders it
    with the failed forms in place of its own empty ones."""
    request.method = "GET"
    response = view(request, pk, **forms)
    response.status_code = 400
    return response
