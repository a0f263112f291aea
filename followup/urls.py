from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("", views.followup_list, name="followup_list"),
    path("my-service-point/", views.portal, name="portal"),
    path("<int:pk>/", views.followup_detail, name="followup_detail"),
    path("<int:pk>/report/", views.report_view, name="report"),
    path("<int:pk>/report/accept/", views.report_accept_view, name="report_accept"),
    path("<int:pk>/report/return/", views.report_return_view, name="report_return"),
    path("<int:pk>/dialogue/", views.meeting_view, name="meeting"),
    path("<int:pk>/actions/", views.action_add_view, name="action_add"),
    path("actions/<int:pk>/", views.action_status_view, name="action_status"),
    path("<int:pk>/site-visit/", views.site_visit_view, name="site_visit"),
    path(
        "<int:pk>/site-visit/photos/", views.site_photo_add_view, name="site_photo_add"
    ),
    path(
        "site-visit/photos/<int:pk>/<str:size>/",
        views.site_photo_view,
        name="site_photo",
    ),
    path("<int:pk>/complete/", views.complete_view, name="complete"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_form_view, name="activity_create"),
    path("activities/<int:pk>/", views.activity_form_view, name="activity_update"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_form_view, name="training_create"),
    path("trainings/<int:pk>/", views.training_form_view, name="training_update"),
    path("settings/", views.followup_settings_view, name="settings"),
    path("checklist/", views.checklist_view, name="checklist"),
    path("checklist/<int:pk>/", views.criterion_update_view, name="criterion_update"),
    path("checklist/<int:pk>/move/", views.criterion_move_view, name="criterion_move"),
    path(
        "checklist/<int:pk>/retire/",
        views.criterion_retire_view,
        name="criterion_retire",
    ),
    path(
        "checklist/<int:pk>/restore/",
        views.criterion_restore_view,
        name="criterion_restore",
    ),
]
