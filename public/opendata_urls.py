"""The service points as open data (CC0)."""

app_name = "opendata"

urlpatterns = []
