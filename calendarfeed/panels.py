"""The calendar feed's section of the profile page."""

from django.urls import reverse

from accounts.panels import ProfilePanel
from calendarfeed.ical import site_base
from calendarfeed.models import CalendarFeed
from calendarfeed.permissions import can_have_calendar_feed

ORDER = 10
# The secret of an address just made, until the profile page shows it (once).
NEW_FEED_TOKEN = "new_calendar_feed_token"


def calendar_feed_profile_panel(sender, request, **kwargs):
    user = request.user
    if not can_have_calendar_feed(user):
        return None
    token = request.session.pop(NEW_FEED_TOKEN, None)
    feed = CalendarFeed.objects.filter(user=user).first()
    address = None
    if token and feed is not None:
        address = site_base(request) + reverse(
            "calendarfeed:feed", kwargs={"token": token}
        )
    return ProfilePanel(
        template_name="calendarfeed/_profile_panel.html",
        order=ORDER,
        context={
            "feed": feed,
            "address": address,
            "for_shop_owner": user.is_shop_owner,
        },
    )
