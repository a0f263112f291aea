import logging

import pghistory
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.throttles import throttle_allows
from calendarfeed.events import feed_events
from calendarfeed.ical import calendar_render
from calendarfeed.models import CalendarFeed
from calendarfeed.panels import NEW_FEED_TOKEN
from calendarfeed.permissions import can_have_calendar_feed
from calendarfeed.services import (
    calendar_feed_fetched,
    calendar_feed_renew,
    calendar_feed_revoke,
)
from securitylog.models import EventKind
from securitylog.services import security_event_record

logger = logging.getLogger(__name__)

# The feed's path as the audit trail records it: never the secret.
REDACTED_PATH = "/calendar/[address].ics"


def _back_to_profile():
    return redirect(reverse("accounts:profile") + "#calendar-feed")


@require_POST
def feed_renew_view(request):
    """Make the person's calendar address, or a new one in place of the old."""
    if not can_have_calendar_feed(request.user):
        raise Http404
    renewing = CalendarFeed.objects.filter(user=request.user).exists()
    token = calendar_feed_renew(user=request.user, language=translation.get_language())
    # Shown once, on the next page, which takes it out of the session.
    request.session[NEW_FEED_TOKEN] = token
    security_event_record(
        kind=EventKind.CALENDAR_FEED_MADE,
        request=request,
        detail="replaces the earlier address" if renewing else "",
    )
    if renewing:
        messages.success(
            request,
            _("A new calendar address is made. The old one no longer works."),
        )
    else:
        messages.success(request, _("Your calendar address is made."))
    return _back_to_profile()


@require_POST
def feed_revoke_view(request):
    """Turn the person's calendar address off."""
    if not can_have_calendar_feed(request.user):
        raise Http404
    if calendar_feed_revoke(user=request.user):
        security_event_record(kind=EventKind.CALENDAR_FEED_TURNED_OFF, request=request)
        messages.success(
            request,
            _(
                "Your calendar address is turned off. Calendars that use it get "
                "no more updates."
            ),
        )
    return _back_to_profile()


@login_not_required
@require_safe
def feed_view(request, token):
    """The feed itself, for a calendar app that cannot sign in: the address is the
    key. An unknown or turned-off address, or a deactivated person's, finds
    nothing (404), as does a role that has no feed."""
    # Whatever this request records in the audit trail names no secret.
    with pghistory.context(url=REDACTED_PATH):
        feed = CalendarFeed.objects.by_token(token)
        if feed is None or not can_have_calendar_feed(feed.user):
            raise Http404
        if not throttle_allows(
            "calendar_feed", feed.pk, settings.CALENDAR_FEED_FETCHES_PER_HOUR
        ):
            logger.warning("Calendar feed of user %s fetched too often", feed.user_id)
            # In the feed's language, as the feed itself (the calendar app sends
            # no language of the person's).
            with translation.override(feed.language):
                refusal = _("Too many requests: try again in an hour.")
            response = HttpResponse(
                refusal,
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "3600"
            return response
        calendar_feed_fetched(feed=feed)
        with translation.override(feed.language):
            body = calendar_render(
                events=feed_events(user=feed.user, today=timezone.localdate()),
                request=request,
            )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # No Content-Disposition: the security log records a signed-in person's
    # downloads with their path, which here is the secret.
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
