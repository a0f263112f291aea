"""What a municipality puts on its own website: the only pages that may be framed."""

from django.urls import path

from public import views

app_name = "embed"

urlpatterns = [
    path("<str:code>/", views.embed_list, name="list"),
    path("<str:code>/map/", views.embed_map, name="map"),
    path("<str:code>/snippet.html", views.embed_snippet, name="snippet"),
]
