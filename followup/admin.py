from django.contrib import admin

from followup.models import ChecklistCriterion, FollowUpSettings


@admin.register(FollowUpSettings)
class FollowUpSettingsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "report_due_days", "visitors_target_percent"]


@admin.register(ChecklistCriterion)
class ChecklistCriterionAdmin(admin.ModelAdmin):
    list_display = ["text", "municipality", "position", "is_active"]
    list_filter = ["municipality"]
