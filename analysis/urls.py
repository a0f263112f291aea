from django.urls import path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.analysis_view, name="analysis"),
    path("settings/", views.analysis_settings_view, name="settings"),
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
