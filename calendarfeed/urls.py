from django.urls import path

from calendarfeed import views

app_name = "calendarfeed"

urlpatterns = [
    path("address/new/", views.feed_renew_view, name="renew"),
    path("address/off/", views.feed_revoke_view, name="revoke"),
    path("<str:token>.ics", views.feed_view, name="feed"),
]
