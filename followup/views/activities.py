"""Activities held at service points and trainings of their staff."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.views import form_action
from followup.forms import ActivityForm, TrainingForm
from followup.models import Activity, Training
from followup.permissions import can_edit_trainings
from followup.services import activity_save, training_save
from outlets.models import Outlet

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
            "can_record": Outlet.objects.recordable_by(user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_form_view(request, pk=None):
    user = request.user
    activity = None
    if pk is not None:
        activity = get_object_or_404(Activity.objects.editable_by(user), pk=pk)
    elif not Outlet.objects.recordable_by(user).exists():
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
    if user.is_shop_owner:
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
            "can_edit": can_edit_trainings(user),
        },
    )


@require_http_methods(["GET", "POST"])
def training_form_view(request, pk=None):
    user = request.user
    if not can_edit_trainings(user):
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
