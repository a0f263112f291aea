from django.contrib import admin

from programme.models import Investment, ProgrammeGoals


@admin.register(ProgrammeGoals)
class ProgrammeGoalsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "service_points", "visitors_change_percent"]
    list_filter = ["year", "municipality"]


@admin.register(Investment)
class InvestmentAdmin(admin.ModelAdmin):
    list_display = ["made_on", "outlet", "description", "cost", "decision_reference"]
    list_filter = ["outlet__municipality"]
    list_select_related = ["outlet"]
