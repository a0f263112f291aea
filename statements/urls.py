from django.urls import path

from statements import views

app_name = "statements"

urlpatterns = [
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path(
        "statements/settings/",
        views.statement_settings_view,
        name="settings",
    ),
]
