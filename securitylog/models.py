import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.triggers import Refuse


class EventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    SIGNED_OUT = "signed_out", _("Signed out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by e-mail link")
    SECOND_FACTOR_SET_UP = "second_factor_set_up", _("Second factor set up")
    SECOND_FACTOR_PASSED = "second_factor_passed", _("Second step passed")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor turned off")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes")
    DENIED = "denied", _("Access denied")
    DOWNLOAD = "download", _("Export or download")
    USER_CHANGED = "user_changed", _("User or role changed")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("Register extract made")
    DOCUMENT_ALTERED = "document_altered", _("Stored document failed its check")
    CALENDAR_FEED_MADE = "calendar_feed_made", _("Calendar address made")
    CALENDAR_FEED_TURNED_OFF = "calendar_feed_off", _("Calendar address turned off")


class SecurityEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A municipality's administrators read their municipality's log; the
        system owner reads all of it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()

    def about(self, text):
        """Events whose actor or given address contains the text."""
        return self.filter(Q(user__email__icontains=text) | Q(email__icontains=text))


class SecurityEvent(models.Model):
    """One entry of the security log (Swedish: *säkerhetslogg*): who did what, when,
    from where. Entries are never changed; the daily job removes old ones."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    # The person who acted, when known; the address given, for a failed sign-in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    # Whose administrators read the entry; none: the system owner's alone.
    municipality = models.ForeignKey(
        "outlets.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=500, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Unknown kind of security event."),
            )
        ]
        indexes = [models.Index(fields=["municipality", "-at"])]
        triggers = [
            # The log is appended to, never rewritten; only retention deletes, and
            # erasure may blank the address and detail naming an erased person
            # (core.triggers.erasure_allowed).
            Refuse(
                name="append_only",
                operation=pgtrigger.Update,
                message="A security-log entry cannot be changed.",
                erasable=("email", "detail"),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
