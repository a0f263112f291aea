from django.urls import path

from privacy import erasure_views

app_name = "erasure"

urlpatterns = [
    path("users/<int:pk>/", erasure_views.UserEraseView.as_view(), name="user_erase"),
    path(
        "contacts/<int:pk>/",
        erasure_views.ContactEraseView.as_view(),
        name="contact_erase",
    ),
]
