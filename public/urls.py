"""The public pages: the service points for everyone, no sign-in."""

from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("markers.json", views.markers, name="markers"),
    path("municipality/<str:code>/", views.municipality, name="municipality"),
    path("<int:pk>/", views.service_point, name="service_point"),
    path("publish/", views.publish, name="publish"),
]
