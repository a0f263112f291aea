from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.kpi_view, name="kpis"),
    path("annual-report/", views.annual_report_page, name="annual_report"),
    path(
        "annual-report/<int:pk>/status/",
        views.annual_report_status,
        name="annual_report_status",
    ),
    path(
        "annual-report/<int:pk>/file/",
        views.annual_report_file,
        name="annual_report_file",
    ),
]
