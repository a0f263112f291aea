import logging

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import token_hash
from calendarfeed.models import CalendarFeed, calendar_feed_token_new
from calendarfeed.permissions import can_have_calendar_feed

logger = logging.getLogger(__name__)


@transaction.atomic
def calendar_feed_renew(*, user, language: str) -> str:
    """Make the user's calendar address, or a new one in place of the old, which
    stops working at once. Returns the secret (stored only as its hash)."""
    if not can_have_calendar_feed(user):
        raise Http404
    token = calendar_feed_token_new()
    # One statement (INSERT … ON CONFLICT DO UPDATE): two renewals at once leave
    # one address, never an error.
    CalendarFeed.objects.bulk_create(
        [
            CalendarFeed(
                user=user,
                token_hash=token_hash(token),
                language=language,
                created_at=timezone.now(),
                last_used_at=None,
            )
        ],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["token_hash", "language", "created_at", "last_used_at"],
    )
    logger.info("Calendar feed of user %s made", user.pk)
    return token


def calendar_feed_revoke(*, user) -> bool:
    """Turn the user's calendar address off; whether there was one."""
    deleted, _by_model = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        logger.info("Calendar feed of user %s turned off", user.pk)
    return bool(deleted)


def calendar_feed_fetched(*, feed: CalendarFeed) -> None:
    """Note when the address was last used: the profile page shows it, so that its
    owner notices a use that is not theirs."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    logger.info("Calendar feed of user %s fetched", feed.user_id)
