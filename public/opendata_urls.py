"""The service points as open data (CC0)."""

from django.urls import path

from public import opendata_views

app_name = "opendata"

urlpatterns = [
    path("", opendata_views.index, name="index"),
    path(
        "service-points.geojson",
        opendata_views.service_points_geojson_view,
        name="geojson",
    ),
    path("service-points.csv", opendata_views.service_points_csv_view, name="csv"),
    path("catalog.rdf", opendata_views.catalog_view, name="dcat"),
]
