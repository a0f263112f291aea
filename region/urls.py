from django.urls import path

from region import views

app_name = "region"

urlpatterns = [
    path("", views.county_view, name="county"),
    path("export/", views.county_export, name="export"),
]
