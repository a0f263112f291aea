"""The window sign and the leaflet (PDF/A)."""

app_name = "signs"

urlpatterns = []
