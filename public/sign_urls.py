"""The window sign and the leaflet (PDF/A)."""

from django.urls import path

from public import sign_views

app_name = "signs"

urlpatterns = [
    path("<int:pk>/sign.pdf", sign_views.sign, name="sign"),
    path("municipality/<str:code>/leaflet.pdf", sign_views.leaflet, name="leaflet"),
]
