from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from servicepunkter import health, views

urlpatterns = [
    path("", views.start, name="start"),
    # For load balancers: the process answers; it is ready to serve (README).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("outlets/", include("outlets.urls")),
    path("agreements/", include("agreements.urls")),
    path("followup/", include("followup.urls")),
    path("deliveries/", include("deliveries.urls")),
    path("programme/", include("programme.urls")),
    path("reports/", include("reports.urls")),
    path("analysis/", include("analysis.urls")),
    path("region/", include("region.urls")),
    path("calendar/", include("calendarfeed.urls")),
    path("security-log/", include("securitylog.urls")),
    path("service-points/", include("public.urls")),
    path("service-points/", include("public.sign_urls")),
    path("embed/", include("public.embed_urls")),
    path("open-data/", include("public.opendata_urls")),
    path("privacy/erasure/", include("privacy.erasure_urls")),
    path("privacy/", include("privacy.urls")),
    # The public survey at /survey/<pk>/ (the sign's QR code) and its questions.
    path("", include("surveys.urls")),
    path("", include("statements.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# The database out of reach: 503 with Retry-After; any other error: the 500 page.
handler500 = "servicepunkter.errors.server_error"
