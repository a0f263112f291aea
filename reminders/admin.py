from django.contrib import admin

from reminders.models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """Read-only: the log of what went out."""

    list_display = ["sent_at", "kind", "object_id", "event_on", "recipient"]
    list_filter = ["kind"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
