from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import Role
from agreements.models import Agreement, Payout
from core.forms import form_add_service_errors, show_errors
from core.history import history_of
from core.views import form_action, page_with_errors
from followup.forms import (
    ActionForm,
    ActivityForm,
    CompleteForm,
    CriterionForm,
    FollowUpSettingsForm,
    MeetingForm,
    ReportForm,
    ReturnForm,
    SitePhotoForm,
    SiteVisitForm,
    TrainingForm,
)
from followup.models import (
    Activity,
    AgreedAction,
    ChecklistCriterion,
    ChecklistResult,
    FollowUp,
    FollowUpSettings,
    OwnerReport,
    SitePhoto,
    Training,
)
from followup.permissions import can_edit_followup_settings, can_manage_followup
from followup.photos import CONTENT_TYPES
from followup.services import (
    DEFAULT_CHECKLIST,
    action_add,
    action_set_status,
    activity_save,
    checklist_criterion_add,
    checklist_criterion_move,
    checklist_criterion_set_active,
    checklist_criterion_update,
    checklist_seed,
    followup_complete,
    followup_settings_save,
    meeting_save,
    report_accept,
    report_return,
    report_save,
    report_submit,
    site_photo_add,
    site_visit_save,
    training_save,
)
from outlets.models import Outlet
from outlets.permissions import outlets_recordable_by

# How many completed follow-ups the list shows; older ones stay on their agreements.
COMPLETED_SHOWN = 50


def _report_of(followup):
    return getattr(followup, "report", None)


@require_safe
def portal(request):
    """The shop owner's own page (Swedish: *Min servicepunkt*)."""
    user = request.user
    if user.role != Role.SHOP_OWNER:
        raise PermissionDenied
    today = timezone.localdate()
    followups = FollowUp.objects.reported_by(user).select_related("report")
    agreements = (
        Agreement.objects.in_force(today)
        .filter(outlet__owners=user)
        .prefetch_related(
            "versions",
            Prefetch(
                "payouts",
                queryset=Payout.objects.exclude(status=Payout.Status.WITHHELD),
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
            signed = [v for v in agreement.versions.all() if v.signed_document]
            entry["document"] = max(signed, key=lambda v: v.number, default=None)
    return render(request, "followup/portal.html", {"outlets": outlets, "today": today})


@require_safe
def followup_list(request):
    """The follow-ups of the user's municipality (or county): overdue, due, done."""
    if request.user.role == Role.SHOP_OWNER:
        raise PermissionDenied
    today = timezone.localdate()
    followups = FollowUp.objects.visible_to(request.user).select_related(
        "agreement__outlet", "agreement__municipality", "report"
    )
    return render(
        request,
        "followup/followup_list.html",
        {
            "overdue": followups.overdue(today).order_by("due_on"),
            "due": followups.due(today).order_by("due_on"),
            "complete": followups.complete().order_by("-completed_at")[
                :COMPLETED_SHOWN
            ],
            "today": today,
            "show_municipality": request.user.role
            in (Role.SYSTEM_OWNER, Role.REGIONAL_VIEWER),
        },
    )


def _detail_followup(request, pk):
    return get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related(
            "agreement__outlet",
            "agreement__municipality",
            "completed_by",
            "report",
            "meeting",
            "site_visit",
        ),
        pk=pk,
    )


def _editable_followup(request, pk):
    return get_object_or_404(
        FollowUp.objects.editable_by(request.user).select_related(
            "agreement__outlet", "agreement__municipality"
        ),
        pk=pk,
    )


def _criteria(followup):
    return ChecklistCriterion.objects.filter(
        municipality_id=followup.agreement.municipality_id, is_active=True
    )


@require_safe
def followup_detail(request, pk, **forms):
    followup = _detail_followup(request, pk)
    report = _report_of(followup)
    # A missing one-to-one raises an AttributeError subclass: getattr's default.
    meeting = getattr(followup, "meeting", None)
    visit = getattr(followup, "site_visit", None)
    results = list(visit.results.select_related("criterion")) if visit else []
    photos = list(visit.photos.all()) if visit else []
    manages = can_manage_followup(request.user, followup)
    context = {
        "followup": followup,
        "agreement": followup.agreement,
        "status": followup.status_on(timezone.localdate()),
        "report": report,
        "meeting": meeting,
        "actions": list(meeting.actions.all()) if meeting else [],
        "visit": visit,
        "results": results,
        "photos": photos,
        "manages": manages,
        "editable": manages and not followup.is_complete,
        "history": history_of(
            [followup], [meeting] if meeting else [], [visit] if visit else []
        ),
    }
    if context["editable"]:
        context.update(
            return_form=forms.get("return_form") or ReturnForm(),
            meeting_form=forms.get("meeting_form")
            or MeetingForm(
                initial={
                    "held_on": meeting.held_on,
                    "participants": meeting.participants,
                    "minutes": meeting.minutes,
                }
                if meeting
                else None
            ),
            action_form=forms.get("action_form") or ActionForm(),
            visit_form=forms.get("visit_form")
            or SiteVisitForm(
                criteria=_criteria(followup),
                results=results,
                initial={
                    "visited_on": visit.visited_on,
                    "visitors": visit.visitors,
                    "assessment": visit.assessment,
                }
                if visit
                else None,
            ),
            complete_form=forms.get("complete_form")
            or CompleteForm(initial={"assessment": followup.assessment}),
            photo_form=forms.get("photo_form") or SitePhotoForm(),
        )
    return render(request, "followup/followup_detail.html", context)


def followup_detail_with(request, followup, **forms):
    """The follow-up page re-shown with a failed form's errors (status 400)."""
    return page_with_errors(followup_detail, request, followup.pk, **forms)


@require_http_methods(["GET", "HEAD", "POST"])
def report_view(request, pk):
    """The owner's yearly report: save as draft, or send it to the municipality."""
    followup = get_object_or_404(
        FollowUp.objects.reported_by(request.user).select_related(
            "agreement__outlet", "agreement__municipality"
        ),
        pk=pk,
    )
    report = _report_of(followup)
    locked = report is not None and report.is_locked
    form = ReportForm(
        request.POST if request.method == "POST" and not locked else None,
        instance=report or OwnerReport(followup=followup),
    )
    status = 200
    if request.method == "POST":
        if locked:
            messages.error(request, _("The report is sent and can no longer change."))
            return redirect("followup:report", pk=followup.pk)
        understood = form.is_valid()
        try:
            # A value not understood keeps its earlier one; the rest is saved.
            report = report_save(
                followup=followup, by=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if not understood:
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
        status = 400
    return render(
        request,
        "followup/report_form.html",
        {"followup": followup, "report": report, "form": form, "locked": locked},
        status=status,
    )


@require_POST
def report_accept_view(request, pk):
    followup = _editable_followup(request, pk)
    try:
        report_accept(followup=followup, by=request.user)
        messages.success(request, _("The report is accepted."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(followup)


def _followup_action(request, pk, *, form, service, done, form_key):
    """A POSTed form on the follow-up page that runs one service: on success the
    message `done` and the page, else the page again with the form's errors."""
    followup = _editable_followup(request, pk)
    return form_action(
        request,
        form=form(request.POST),
        action=lambda bound: service(
            followup=followup, by=request.user, **bound.cleaned_data
        ),
        done=done,
        reshow=lambda bound: followup_detail_with(
            request, followup, **{form_key: bound}
        ),
        then=followup,
    )


@require_POST
def report_return_view(request, pk):
    return _followup_action(
        request,
        pk,
        form=ReturnForm,
        service=report_return,
        done=_("The report is sent back to the owner."),
        form_key="return_form",
    )


@require_POST
def meeting_view(request, pk):
    return _followup_action(
        request,
        pk,
        form=MeetingForm,
        service=meeting_save,
        done=_("The annual dialogue is saved."),
        form_key="meeting_form",
    )


@require_POST
def action_add_view(request, pk):
    return _followup_action(
        request,
        pk,
        form=ActionForm,
        service=action_add,
        done=_("The action is added."),
        form_key="action_form",
    )


@require_POST
def action_status_view(request, pk):
    action = get_object_or_404(
        AgreedAction.objects.filter(
            meeting__followup__in=FollowUp.objects.editable_by(request.user)
        ).select_related("meeting__followup"),
        pk=pk,
    )
    try:
        action_set_status(
            action=action, by=request.user, status=request.POST.get("status", "")
        )
        messages.success(request, _("The action is updated."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(action.meeting.followup)


@require_POST
def site_visit_view(request, pk):
    followup = _editable_followup(request, pk)
    return form_action(
        request,
        form=SiteVisitForm(request.POST, criteria=_criteria(followup)),
        action=lambda form: site_visit_save(
            followup=followup,
            by=request.user,
            results=form.results(),
            **form.visit_fields(),
        ),
        done=_("The site visit is saved."),
        reshow=lambda form: followup_detail_with(request, followup, visit_form=form),
        then=followup,
    )


@require_POST
def site_photo_add_view(request, pk):
    followup = _editable_followup(request, pk)
    return form_action(
        request,
        form=SitePhotoForm(request.POST, request.FILES),
        action=lambda form: site_photo_add(
            followup=followup, by=request.user, **form.cleaned_data
        ),
        done=_("The photo is added."),
        reshow=lambda form: followup_detail_with(request, followup, photo_form=form),
        then=followup,
    )


@require_safe
def site_photo_view(request, pk, size):
    """A site-visit photo or its thumbnail, for those who read the follow-up."""
    photo = get_object_or_404(
        SitePhoto.objects.filter(
            site_visit__followup__in=FollowUp.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    file = {"full": photo.image, "thumbnail": photo.thumbnail}.get(size)
    if not file:
        raise Http404
    extension = file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        file.open("rb"),
        content_type=CONTENT_TYPES[extension],
        filename=f"platsbesok-{photo.pk}.{extension}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def complete_view(request, pk):
    return _followup_action(
        request,
        pk,
        form=CompleteForm,
        service=followup_complete,
        done=_("The follow-up is complete."),
        form_key="complete_form",
    )


PAGE_SIZE = 50


@require_safe
def activity_list(request):
    """Activities held at the service points the user reads."""
    user = request.user
    activities = Activity.objects.visible_to(user).select_related("outlet")
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = set(
        Activity.objects.editable_by(user)
        .filter(pk__in=[activity.pk for activity in page.object_list])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "followup/activity_list.html",
        {
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "activities": page.object_list,
            "editable": editable,
            "can_record": outlets_recordable_by(user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_form_view(request, pk=None):
    user = request.user
    activity = None
    if pk is not None:
        activity = get_object_or_404(Activity.objects.editable_by(user), pk=pk)
    elif not outlets_recordable_by(user).exists():
        raise PermissionDenied

    def show(form):
        return render(
            request,
            "followup/record_form.html",
            {
                "form": form,
                "title": _("Change an activity") if activity else _("Log an activity"),
                "list_title": _("Activities"),
                "list_url": reverse("followup:activity_list"),
            },
        )

    if request.method != "POST":
        return show(ActivityForm(instance=activity, user=user))
    return form_action(
        request,
        form=ActivityForm(request.POST, instance=activity, user=user),
        action=lambda form: activity_save(activity=form.instance, by=user),
        done=_("The activity is saved."),
        reshow=show,
        then="followup:activity_list",
    )


@require_safe
def training_list(request):
    """Trainings of service-point staff in the municipalities the user reads."""
    user = request.user
    taking_part = Outlet.objects.order_by("name")
    if user.role == Role.SHOP_OWNER:
        # Owners see the trainings their outlets took part in, not the other shops.
        taking_part = taking_part.filter(owners=user)
    trainings = Training.objects.visible_to(user).prefetch_related(
        Prefetch("outlets", queryset=taking_part)
    )
    page = Paginator(trainings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/training_list.html",
        {
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "trainings": page.object_list,
            "can_edit": user.is_municipal_staff,
        },
    )


@require_http_methods(["GET", "POST"])
def training_form_view(request, pk=None):
    user = request.user
    if not user.is_municipal_staff:
        raise PermissionDenied
    training = None
    if pk is not None:
        training = get_object_or_404(Training.objects.editable_by(user), pk=pk)

    def show(form):
        return render(
            request,
            "followup/record_form.html",
            {
                "form": form,
                "title": _("Change a training") if training else _("Record a training"),
                "list_title": _("Trainings"),
                "list_url": reverse("followup:training_list"),
            },
        )

    if request.method != "POST":
        return show(TrainingForm(instance=training, user=user))
    return form_action(
        request,
        form=TrainingForm(request.POST, instance=training, user=user),
        action=lambda form: training_save(
            training=form.save(commit=False),
            outlets=form.cleaned_data["outlets"],
            by=user,
        ),
        done=_("The training is saved."),
        reshow=show,
        then="followup:training_list",
    )


# The municipality's follow-up settings and site-visit checklist: its administrators
# keep them, as they keep the programme settings; everyone else finds nothing.


def _settings_municipality(request):
    user = request.user
    if not can_edit_followup_settings(user, user.municipality_id):
        raise Http404
    return user.municipality


@require_http_methods(["GET", "HEAD", "POST"])
def followup_settings_view(request):
    """The due date of the yearly follow-up and the target for visitors."""
    municipality = _settings_municipality(request)
    stored = FollowUpSettings.for_municipality(municipality)
    due_days_before = stored.report_due_days
    form = FollowUpSettingsForm(
        request.POST if request.method == "POST" else None, instance=stored
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup_settings_save(followup_settings=form.instance, by=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            if form.instance.report_due_days != due_days_before:
                messages.info(
                    request,
                    _(
                        "Follow-ups already created keep their due dates; new ones "
                        "get the new number of days."
                    ),
                )
            return redirect("followup:settings")
    # The form's instance holds what was typed; the example shows what is stored.
    year_end = timezone.localdate().replace(month=12, day=31)
    due_days = FollowUpSettings.for_municipality(municipality).report_due_days
    return render(
        request,
        "followup/followup_settings.html",
        {
            "form": form,
            "example_year_end": year_end,
            "example_due_on": year_end + timedelta(days=due_days),
        },
        status=400 if form.is_bound else 200,
    )


def _checklist_page(request, municipality, *, form=None, status=200):
    criteria = list(ChecklistCriterion.objects.filter(municipality=municipality))
    times_checked = dict(
        ChecklistResult.objects.filter(criterion__municipality=municipality)
        .values_list("criterion")
        .annotate(count=Count("pk"))
    )
    for criterion in criteria:
        criterion.times_checked = times_checked.get(criterion.pk, 0)
    return render(
        request,
        "followup/checklist.html",
        {
            "in_use": [c for c in criteria if c.is_active],
            "out_of_use": [c for c in criteria if not c.is_active],
            "common_criteria": DEFAULT_CHECKLIST if not criteria else [],
            "form": form or CriterionForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def checklist_view(request):
    """The site-visit checklist in order; a POST adds a criterion at the end, or
    (on an empty checklist) the common criteria."""
    municipality = _settings_municipality(request)
    if request.method != "POST":
        return _checklist_page(request, municipality)
    if "common" in request.POST:
        if ChecklistCriterion.objects.filter(municipality=municipality).exists():
            messages.error(
                request, _("The checklist has criteria; add them one at a time.")
            )
        else:
            checklist_seed(municipality=municipality)
            messages.success(request, _("The common criteria are added."))
        return redirect("followup:checklist")
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            criterion = checklist_criterion_add(
                municipality=municipality, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(criterion)s” is added to the checklist.")
                % {"criterion": criterion.text},
            )
            return redirect("followup:checklist")
    return _checklist_page(request, municipality, form=form, status=400)


def _criterion(request, pk, queryset=None):
    if queryset is None:
        queryset = ChecklistCriterion.objects.all()
    return get_object_or_404(queryset.editable_by(request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def criterion_update_view(request, pk):
    """Reword a criterion in use."""
    criterion = _criterion(request, pk, ChecklistCriterion.objects.active())
    form = CriterionForm(
        request.POST if request.method == "POST" else None,
        initial={"text": criterion.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            checklist_criterion_update(
                criterion=criterion, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The criterion is saved."))
            return redirect("followup:checklist")
    return render(
        request,
        "followup/criterion_form.html",
        {
            "criterion": criterion,
            "form": form,
            "times_checked": ChecklistResult.objects.filter(
                criterion=criterion
            ).count(),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def criterion_move_view(request, pk):
    criterion = _criterion(request, pk)
    try:
        checklist_criterion_move(
            criterion=criterion,
            by=request.user,
            direction=request.POST.get("direction", ""),
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(f"{reverse('followup:checklist')}#criterion-{criterion.pk}")


def _set_active(request, pk, *, active):
    criterion = _criterion(request, pk)
    try:
        checklist_criterion_set_active(
            criterion=criterion, by=request.user, active=active
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            (
                _("“%(criterion)s” is back in use.")
                if active
                else _(
                    "“%(criterion)s” is out of use. Site visits that "
                    "checked it still show it."
                )
            )
            % {"criterion": criterion.text},
        )
    # Back to the criterion in its new list, where focus lands (see the template).
    return redirect(f"{reverse('followup:checklist')}#criterion-{criterion.pk}")


@require_POST
def criterion_retire_view(request, pk):
    return _set_active(request, pk, active=False)


@require_POST
def criterion_restore_view(request, pk):
    return _set_active(request, pk, active=True)
