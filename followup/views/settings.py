"""The municipality's follow-up settings and site-visit checklist: its administrators
keep them, as they keep the programme settings; everyone else finds nothing."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import show_errors
from core.views import form_action
from followup.forms import CriterionForm, FollowUpSettingsForm
from followup.models import ChecklistCriterion, ChecklistResult, FollowUpSettings
from followup.permissions import can_edit_followup_settings
from followup.services import (
    DEFAULT_CHECKLIST,
    checklist_criterion_add,
    checklist_criterion_move,
    checklist_criterion_set_active,
    checklist_criterion_update,
    checklist_seed,
    followup_settings_save,
)


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

    def show(form, status=200):
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
            status=status,
        )

    if request.method != "POST":
        return show(FollowUpSettingsForm(instance=stored))
    form = FollowUpSettingsForm(request.POST, instance=stored)
    response = form_action(
        request,
        form=form,
        action=lambda form: followup_settings_save(
            followup_settings=form.instance, by=request.user
        ),
        done=_("The settings are saved."),
        reshow=lambda form: show(form, status=400),
        then="followup:settings",
    )
    if (
        isinstance(response, HttpResponseRedirect)
        and form.instance.report_due_days != due_days_before
    ):
        messages.info(
            request,
            _(
                "Follow-ups already created keep their due dates; new ones "
                "get the new number of days."
            ),
        )
    return response


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
    return form_action(
        request,
        form=CriterionForm(request.POST),
        action=lambda form: checklist_criterion_add(
            municipality=municipality, by=request.user, **form.cleaned_data
        ),
        done=lambda criterion: (
            _("“%(criterion)s” is added to the checklist.")
            % {"criterion": criterion.text}
        ),
        reshow=lambda form: _checklist_page(
            request, municipality, form=form, status=400
        ),
        then="followup:checklist",
    )


def _criterion(request, pk, queryset=None):
    if queryset is None:
        queryset = ChecklistCriterion.objects.all()
    return get_object_or_404(queryset.editable_by(request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def criterion_update_view(request, pk):
    """Reword a criterion in use."""
    criterion = _criterion(request, pk, ChecklistCriterion.objects.active())

    def show(form, status=200):
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
            status=status,
        )

    initial = {"text": criterion.text}
    if request.method != "POST":
        return show(CriterionForm(initial=initial))
    return form_action(
        request,
        form=CriterionForm(request.POST, initial=initial),
        action=lambda form: checklist_criterion_update(
            criterion=criterion, by=request.user, **form.cleaned_data
        ),
        done=_("The criterion is saved."),
        reshow=lambda form: show(form, status=400),
        then="followup:checklist",
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
