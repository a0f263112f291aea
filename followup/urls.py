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
]
