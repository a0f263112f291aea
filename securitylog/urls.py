from django.urls import path

from securitylog import views

app_name = "securitylog"

urlpatterns = [
    path("", views.SecurityEventListView.as_view(), name="event_list"),
    path("export.csv", views.SecurityEventExportView.as_view(), name="event_export"),
]
