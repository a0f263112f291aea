"""The shop owner's pages: *Min servicepunkt*, the yearly report, and each year's
annual dialogue and site visit, with the shop's agreed actions to mark done."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from agreements.models import Agreement, Payout
from agreements.selectors import awaiting_party_signature
from core.forms import form_add_service_errors
from core.views import form_action, page_with_errors
from followup.forms import ActionDoneForm, ReportForm
from followup.models import AgreedAction, FollowUp, OwnerReport
from followup.permissions import can_use_portal
from followup.services import action_mark_done, report_save, report_submit
from followup.views.followup import actions_shown, report_of


@require_safe
def portal(request):
    """The shop owner's own page (Swedish: *Min servicepunkt*)."""
    user = request.user
    if not can_use_portal(user):
        raise PermissionDenied
    today = timezone.localdate()
    followups = (
        FollowUp.objects.recordable_by(user)
        .select_related("report")
        .annotate(
            shop_actions_open=Count(
                "meeting__actions",
                filter=Q(
                    meeting__actions__party=AgreedAction.Party.SHOP,
                    meeting__actions__status=AgreedAction.Status.OPEN,
                ),
            )
        )
    )
    agreements = (
        Agreement.objects.in_force(today)
        .filter(outlet__owners=user)
        .prefetch_related(
            "versions",
            Prefetch(
                "payouts",
                # A withheld payout is shown with its reason: the shop needs to
                # know why money is held back. A cancelled one is never paid.
                queryset=Payout.objects.exclude(status=Payout.Status.CANCELLED),
            ),
            Prefetch("followups", queryset=followups.order_by("-agreement_year")),
        )
    )
    by_outlet = {agreement.outlet_id: agreement for agreement in agreements}
    outlets = [
        {"outlet": outlet, "agreement": by_outlet.get(outlet.pk)}
        for outlet in user.outlets.order_by("name")
    ]
    for entry in outlets:
        agreement = entry["agreement"]
        if agreement:
            # The latest signed version; its document may still be being made
            # in the background, and the page says so.
            signed = [v for v in agreement.versions.all() if v.signed_at]
            entry["document"] = max(signed, key=lambda v: v.number, default=None)
    return render(
        request,
        "followup/portal.html",
        {
            "outlets": outlets,
            "today": today,
            "awaiting_signature": awaiting_party_signature(user=user),
        },
    )


@require_safe
def portal_followup(request, pk, done_forms=None):
    """A year's annual dialogue (minutes and agreed actions) and site visit (the
    impression and the checklist), as the municipality recorded them; the shop
    marks its own actions done here."""
    followup = get_object_or_404(
        FollowUp.objects.recordable_by(request.user).select_related(
            "agreement__outlet", "agreement__municipality", "meeting", "site_visit"
        ),
        pk=pk,
    )
    meeting = getattr(followup, "meeting", None)
    visit = getattr(followup, "site_visit", None)
    return render(
        request,
        "followup/portal_followup.html",
        {
            "followup": followup,
            "agreement": followup.agreement,
            "meeting": meeting,
            "actions": actions_shown(
                meeting,
                markable=lambda action: action.party == AgreedAction.Party.SHOP,
                done_forms=done_forms,
            ),
            "visit": visit,
            "results": list(visit.results.select_related("criterion")) if visit else [],
        },
    )


@require_POST
def portal_action_done(request, pk):
    """The shop owner marks one of the shop's agreed actions done; another's, or
    the municipality's, is not found."""
    action = get_object_or_404(
        AgreedAction.objects.owned_by(request.user).select_related("meeting__followup"),
        pk=pk,
    )
    followup = action.meeting.followup
    then = reverse("followup:portal_followup", kwargs={"pk": followup.pk})
    if action.status == AgreedAction.Status.DONE:
        # Marked done meanwhile (or posted twice): who marked it stays.
        messages.info(request, _("The action is already marked done."))
        return redirect(then)
    return form_action(
        request,
        form=ActionDoneForm(request.POST, prefix=f"done-{action.pk}"),
        action=lambda form: action_mark_done(
            action=action, by=request.user, **form.cleaned_data
        ),
        done=_("Thank you! The action is marked done."),
        reshow=lambda form: page_with_errors(
            portal_followup, request, followup.pk, done_forms={action.pk: form}
        ),
        then=then,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_view(request, pk):
    """The owner's yearly report: save as draft, or send it to the municipality."""
    followup = get_object_or_404(
        FollowUp.objects.recordable_by(request.user).select_related(
            "agreement__outlet", "agreement__municipality"
        ),
        pk=pk,
    )
    report = report_of(followup)
    locked = report is not None and report.is_locked
    form = ReportForm(
        request.POST if request.method == "POST" and not locked else None,
        instance=report or OwnerReport(followup=followup),
    )
    if request.method != "POST":
        return _report_page(request, followup, report, form, locked=locked)
    if locked:
        messages.error(request, _("The report is sent and can no longer change."))
        return redirect("followup:report", pk=followup.pk)
    return _report_post(request, followup, report, form)


def _report_post(request, followup, report, form):
    """Save what the owner wrote, then send it if they asked to."""
    understood = form.is_valid()
    try:
        # A value not understood keeps its earlier one; the rest is saved.
        report = report_save(followup=followup, by=request.user, data=form.cleaned_data)
    except ValidationError as error:
        form_add_service_errors(form, error)
    else:
        if not understood:
            form = _report_form_partly_saved(request, report, form)
        elif "submit" not in request.POST:
            messages.success(request, _("Your report is saved as a draft."))
            return redirect("followup:report", pk=followup.pk)
        else:
            try:
                report_submit(followup=followup, by=request.user)
            except ValidationError as error:
                form_add_service_errors(form, error)
                messages.info(
                    request,
                    _(
                        "Your answers are saved. Fill in what is marked to "
                        "send the report."
                    ),
                )
            else:
                messages.success(
                    request, _("Thank you! The municipality has your report.")
                )
                return redirect("followup:portal")
    return _report_page(request, followup, report, form, locked=False, status=400)


def _report_form_partly_saved(request, report, form):
    """The form again after a save that kept what was understood."""
    if report.visitors_counting and not form.data.get("visitors_counting"):
        # Show the estimate the figure was saved as, errors and all.
        data = form.data.copy()
        data["visitors_counting"] = report.visitors_counting
        form = ReportForm(data, instance=report)
        form.is_valid()
    messages.info(
        request,
        _(
            "Your answers are saved, except what is marked: we did not "
            "understand it. Correct it and save again."
        ),
    )
    return form


def _report_page(request, followup, report, form, *, locked, status=200):
    return render(
        request,
        "followup/report_form.html",
        {"followup": followup, "report": report, "form": form, "locked": locked},
        status=status,
    )
