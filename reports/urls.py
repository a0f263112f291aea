from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.kpi_view, name="kpis"),
    path("annual-report/", views.annual_report_download, name="annual_report"),
]
