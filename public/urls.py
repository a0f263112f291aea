"""The public pages: the service points for everyone, no sign-in."""

app_name = "public"

urlpatterns = []
