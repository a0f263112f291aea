"""The municipality's yearly follow-up of an agreement: the list, the follow-up page
and the forms on it (report, annual dialogue, actions, site visit, completion)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.forms import show_errors
from core.history import history_of
from core.views import form_action, page_with_errors
from followup.forms import (
    ActionDoneForm,
    ActionForm,
    CompleteForm,
    MeetingForm,
    ReturnForm,
    SitePhotoForm,
    SiteVisitForm,
)
from followup.models import AgreedAction, ChecklistCriterion, FollowUp, SitePhoto
from followup.permissions import can_manage_followup, can_read_followups
from followup.photos import CONTENT_TYPES
from followup.services import (
    action_add,
    action_mark_done,
    action_reopen,
    followup_complete,
    meeting_save,
    report_accept,
    report_return,
    site_photo_add,
    site_visit_save,
)
from outlets.models import Outlet
from outlets.selectors import service_points_q
from surveys.selectors import outlet_survey_results

# How many completed follow-ups the list shows; older ones stay on their agreements.
COMPLETED_SHOWN = 50
# How many overdue and how many due follow-ups the list shows, the earliest first;
# the headings count them all.
OPEN_SHOWN = 100


def report_of(followup):
    return getattr(followup, "report", None)


@require_safe
def followup_list(request):
    """The follow-ups of the user's municipality (or county): overdue, due, done."""
    if not can_read_followups(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    followups = FollowUp.objects.visible_to(request.user).select_related(
        "agreement__outlet", "agreement__municipality", "report"
    )
    overdue = followups.overdue(today).order_by("due_on", "pk")
    due = followups.due(today).order_by("due_on", "pk")
    return render(
        request,
        "followup/followup_list.html",
        {
            "overdue": overdue[:OPEN_SHOWN],
            "overdue_count": overdue.count(),
            "due": due[:OPEN_SHOWN],
            "due_count": due.count(),
            "open_shown": OPEN_SHOWN,
            "complete": followups.complete().order_by("-completed_at")[
                :COMPLETED_SHOWN
            ],
            "today": today,
            "show_municipality": not request.user.is_municipal_staff,
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


def actions_shown(meeting, *, markable, done_forms=None):
    """The dialogue's agreed actions, each with `markable` (whether this reader
    marks it done) and its `done_form` (a failed one with its errors)."""
    if meeting is None:
        return []
    today = timezone.localdate()
    done_forms = done_forms or {}
    actions = list(meeting.actions.select_related("done_by"))
    for action in actions:
        action.markable = (
            markable(action) if callable(markable) else markable
        ) and action.status == AgreedAction.Status.OPEN
        action.overdue = action.is_overdue(today)
        action.done_form = done_forms.get(action.pk) or ActionDoneForm(
            prefix=f"done-{action.pk}"
        )
    return actions


@require_safe
def followup_detail(request, pk, **forms):
    followup = _detail_followup(request, pk)
    report = report_of(followup)
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
        "actions": actions_shown(
            meeting,
            markable=manages,
            done_forms=forms.get("done_forms"),
        ),
        "visit": visit,
        "results": results,
        "photos": photos,
        "manages": manages,
        "editable": manages and not followup.is_complete,
        "history": history_of(
            [followup], [meeting] if meeting else [], [visit] if visit else []
        ),
        # What the service point's customers answered in the follow-up's period.
        "survey": outlet_survey_results(
            outlet=followup.agreement.outlet,
            start=followup.period_start,
            end=followup.period_end,
        ),
        "survey_url": reverse(
            "surveys:answer", kwargs={"pk": followup.agreement.outlet_id}
        )
        if Outlet.objects.filter(
            service_points_q(), pk=followup.agreement.outlet_id
        ).exists()
        else None,
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
    """Staff mark an agreed action done (with a comment) or open it again."""
    action = get_object_or_404(
        AgreedAction.objects.editable_by(request.user).select_related(
            "meeting__followup"
        ),
        pk=pk,
    )
    followup = action.meeting.followup
    if request.POST.get("status") == AgreedAction.Status.OPEN:
        try:
            action_reopen(action=action, by=request.user)
            messages.success(request, _("The action is open again."))
        except ValidationError as error:
            show_errors(request, error)
        return redirect(followup)
    if action.status == AgreedAction.Status.DONE:
        messages.info(request, _("The action is already marked done."))
        return redirect(followup)
    return form_action(
        request,
        form=ActionDoneForm(request.POST, prefix=f"done-{action.pk}"),
        action=lambda form: action_mark_done(
            action=action, by=request.user, **form.cleaned_data
        ),
        done=_("The action is marked done."),
        reshow=lambda form: followup_detail_with(
            request, followup, done_forms={action.pk: form}
        ),
        then=followup,
    )


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
        SitePhoto.objects.visible_to(request.user),
        pk=pk,
    )
    file = {"full": photo.image, "thumbnail": photo.thumbnail}.get(size)
    if not file:
        raise Http404
    extension = file.name.rsplit(".", 1)[-1]
    # No cache header of its own: NoStoreMiddleware's no-store, as a photo may show
    # people.
    return FileResponse(
        file.open("rb"),
        content_type=CONTENT_TYPES[extension],
        filename=f"platsbesok-{photo.pk}.{extension}",
    )


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
