import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import token_hash

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def calendar_feed_token_new() -> str:
    """A secret of 256 random bits for the feed's address."""
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(models.QuerySet):
    def by_token(self, token: str):
        """The feed the address leads to, while its user is active; else None."""
        return (
            self.filter(token_hash=token_hash(token), user__is_active=True)
            .select_related("user")
            .first()
        )


class CalendarFeed(models.Model):
    """A person's own calendar address (Swedish: *kalenderprenumeration*): the
    deadlines of their records as iCalendar, for a calendar app that cannot sign
    in. Only the SHA-256 of the address's secret is stored: the address is shown
    once, when it is made; a new one replaces it; turning it off deletes it."""

    # One address per person: the unique column of the one-to-one field.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language of the calendar"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="sv",
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES),
                name="%(app_label)s_%(class)s_language_valid",
                violation_error_message=_("Choose one of the languages."),
            ),
        ]

    def __str__(self):
        return str(self.user)
