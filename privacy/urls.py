from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_notice, name="notice"),
    path("register-extract/", views.PersonSearchView.as_view(), name="extract_search"),
    path(
        "register-extract/<str:kind>/<int:pk>/",
        views.RegisterExtractView.as_view(),
        name="extract_person",
    ),
    path(
        "register-extract/<str:kind>/<int:pk>/export/",
        views.RegisterExtractExportView.as_view(),
        name="extract_export",
    ),
]
