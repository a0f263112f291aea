"""What a municipality puts on its own website: the only pages that may be framed."""

app_name = "embed"

urlpatterns = []
