"""The feed as an iCalendar document (RFC 5545), with the icalendar package."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from calendarfeed.events import FeedEvent

# How often a calendar app is asked to fetch the feed again (a hint; apps differ).
REFRESH_INTERVAL = timedelta(hours=4)


def site_base(request) -> str:
    """The app's address for links: SITE_URL, else the address asked for."""
    return settings.SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def calendar_render(*, events: list[FeedEvent], request) -> bytes:
    """All-day events, each with a UID that stays the same for the same deadline
    and a link back to the page where it is acted on."""
    base = site_base(request)
    domain = urlsplit(base).hostname or "servicepunkter"
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Servicepunkter//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Servicepunkter: deadlines"))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # Outlook's name for the same hint; an X- property is text, so written out.
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL).to_ical().decode())
    for feed_event in events:
        event = Event()
        event.add("uid", f"{feed_event.key}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", feed_event.on)
        event.add("dtend", feed_event.on + timedelta(days=1))
        event.add("summary", feed_event.summary)
        event.add("description", f"{feed_event.description}\n{base}{feed_event.path}")
        event.add("url", f"{base}{feed_event.path}")
        # A deadline, not a meeting: the day stays free in the person's calendar.
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
