from django.contrib import admin

from followup.models import ChecklistCriterion, FollowUpSettings


@admin.register(FollowUpSettings)
class FollowUpSettingsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "report_due_days"]


@admin.register(ChecklistCriterion)
class ChecklistCriterionAdmin(admin.ModelAdmin):
    list_display = ["text", "municipality", "position", "is_active"]
    list_filter = ["municipality"]
