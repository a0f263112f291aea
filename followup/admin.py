from django.contrib import admin

from followup.models import ChecklistCriterion, DailyRun, FollowUpSettings


@admin.register(FollowUpSettings)
class FollowUpSettingsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "report_due_days"]


@admin.register(ChecklistCriterion)
class ChecklistCriterionAdmin(admin.ModelAdmin):
    list_display = ["text", "municipality", "position", "is_active"]
    list_filter = ["municipality"]


@admin.register(DailyRun)
class DailyRunAdmin(admin.ModelAdmin):
    """The record of each day's run, read only: the runs write it."""

    list_display = ["day", "status", "trigger", "process", "attempts", "finished_at"]
    list_filter = ["status", "trigger"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
