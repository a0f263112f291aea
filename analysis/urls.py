from django.urls import path

from analysis import job_views, load_views, views

app_name = "analysis"

urlpatterns = [
    path("", views.analysis_view, name="analysis"),
    path("settings/", views.analysis_settings_view, name="settings"),
    path("loads/population/", load_views.population_upload, name="population_upload"),
    path("loads/roads/", load_views.road_network_upload, name="road_network_upload"),
    path("loads/<int:pk>/", load_views.load_detail, name="load_detail"),
    path("loads/<int:pk>/status/", load_views.load_status, name="load_status"),
    path("loads/<int:pk>/confirm/", load_views.load_confirm, name="load_confirm"),
    path("loads/<int:pk>/cancel/", load_views.load_cancel, name="load_cancel"),
    path("jobs/status/", job_views.jobs_status, name="jobs_status"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="job_retry"),
    path("squares/", views.squares_json, name="squares"),
    path("export/", views.export_csv, name="export"),
    path("recompute/", views.recompute_view, name="recompute"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/new/", views.scenario_editor, name="scenario_editor"),
    path("scenarios/save/", views.scenario_save, name="scenario_save"),
    path("scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path(
        "scenarios/<int:pk>/delete/",
        views.scenario_delete_view,
        name="scenario_delete",
    ),
]
