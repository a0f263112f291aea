from django.urls import path

from followup.views import activities, followup, portal, settings

app_name = "followup"

urlpatterns = [
    path("", followup.followup_list, name="followup_list"),
    path("my-service-point/", portal.portal, name="portal"),
    path(
        "my-service-point/year/<int:pk>/",
        portal.portal_followup,
        name="portal_followup",
    ),
    path(
        "my-service-point/actions/<int:pk>/done/",
        portal.portal_action_done,
        name="portal_action_done",
    ),
    path("<int:pk>/", followup.followup_detail, name="followup_detail"),
    path("<int:pk>/report/", portal.report_view, name="report"),
    path("<int:pk>/report/accept/", followup.report_accept_view, name="report_accept"),
    path("<int:pk>/report/return/", followup.report_return_view, name="report_return"),
    path("<int:pk>/dialogue/", followup.meeting_view, name="meeting"),
    path("<int:pk>/actions/", followup.action_add_view, name="action_add"),
    path("actions/<int:pk>/", followup.action_status_view, name="action_status"),
    path("<int:pk>/site-visit/", followup.site_visit_view, name="site_visit"),
    path(
        "<int:pk>/site-visit/photos/",
        followup.site_photo_add_view,
        name="site_photo_add",
    ),
    path(
        "site-visit/photos/<int:pk>/<str:size>/",
        followup.site_photo_view,
        name="site_photo",
    ),
    path("<int:pk>/complete/", followup.complete_view, name="complete"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_form_view, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_form_view, name="activity_update"),
    path("trainings/", activities.training_list, name="training_list"),
    path("trainings/new/", activities.training_form_view, name="training_create"),
    path("trainings/<int:pk>/", activities.training_form_view, name="training_update"),
    path("settings/", settings.followup_settings_view, name="settings"),
    path("checklist/", settings.checklist_view, name="checklist"),
    path(
        "checklist/<int:pk>/", settings.criterion_update_view, name="criterion_update"
    ),
    path(
        "checklist/<int:pk>/move/", settings.criterion_move_view, name="criterion_move"
    ),
    path(
        "checklist/<int:pk>/retire/",
        settings.criterion_retire_view,
        name="criterion_retire",
    ),
    path(
        "checklist/<int:pk>/restore/",
        settings.criterion_restore_view,
        name="criterion_restore",
    ),
]
