from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from agreements.selectors import (
    agreements_with_open_terms,
    awaiting_party_signature,
    budget_summary,
    changes_under_work_in,
    deadlines,
    missed_deadlines,
)
from outlets.models import Municipality, Outlet

START_PAGE_OUTLETS = 10
# How many payouts due the start page lists among the coming deadlines (the
# earliest; the payouts page has them all): a programme of thousands of agreements
# has as many payouts a quarter. Decision dates and notice deadlines are never left
# out: a missed one extends an agreement.
START_PAGE_PAYOUTS = 50


@require_safe
def start(request):
    """Each role's start page, leading to what that role can do."""
    user = request.user
    context = {}
    if user.is_municipal_staff:
        changes = changes_under_work_in(user.municipality)
        context["budget"] = budget_summary(
            municipality=user.municipality,
            year=timezone.localdate().year,
            changes=changes,
        )
        # Read once for the coming deadlines and those passed without action.
        agreements = list(agreements_with_open_terms(municipality=user.municipality))
        coming = deadlines(municipality=user.municipality, agreements=agreements)
        missed = missed_deadlines(municipality=user.municipality, agreements=agreements)
        payouts = [deadline for deadline in coming if deadline.kind == "payout"]
        context["deadlines"] = sorted(
            [deadline for deadline in coming if deadline.kind != "payout"]
            + payouts[:START_PAGE_PAYOUTS],
            key=lambda deadline: (deadline.on, deadline.kind),
        )
        context["payout_count"] = len(payouts)
        context["payouts_shown"] = START_PAGE_PAYOUTS
        context["missed_deadlines"] = missed
        context["changes_under_work"] = changes
    if user.is_shop_owner:
        context["awaiting_signature"] = awaiting_party_signature(user=user)
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
