from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentReminder(models.Model):
    """A reminder e-mailed to one person about one event (Swedish: *påminnelse*).

    The row is the proof that the event's reminder went out: one per kind, object,
    event date and recipient, so that running the command again sends nothing new.
    """

    class Kind(models.TextChoices):
        REPORT_DUE = "report_due", _("Yearly report due")
        REPORT_OVERDUE = "report_overdue", _("Yearly report overdue")
        FOLLOWUP_DUE = "followup_due", _("Follow-up due")
        FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue")
        DECISION = "decision", _("Decision date approaching")
        NOTICE = "notice", _("Notice deadline approaching")
        PAYOUT = "payout", _("Payout awaiting approval")
        ACTION_OVERDUE = "action_overdue", _("Agreed action overdue")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The follow-up, agreement, payout or agreed action the event is about, as the
    # kind says.
    object_id = models.PositiveBigIntegerField(_("object"))
    event_on = models.DateField(_("date of the event"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "event_on", "recipient"],
                name="%(app_label)s_%(class)s_once_per_event",
                violation_error_message=_(
                    "The reminder of this event has already been sent to this person."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "report_due",
                        "report_overdue",
                        "followup_due",
                        "followup_overdue",
                        "decision",
                        "notice",
                        "payout",
                        "action_overdue",
                    ]
                ),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Choose one of the kinds of reminder."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_on} → {self.recipient}"
