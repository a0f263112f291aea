from django.contrib import admin

from reminders.models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """The log of what went out; its rows are not edited. Adding one keeps that
    reminder from going out (e.g. when the person has been told already)."""

    list_display = ["sent_at", "kind", "object_id", "event_on", "recipient"]
    list_filter = ["kind"]
    date_hierarchy = "sent_at"

    def has_change_permission(self, request, obj=None):
        return False
