from django.contrib import admin
from django.db import models

from statements.models import StatementSettings


@admin.register(StatementSettings)
class StatementSettingsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "programme_email", "accessibility_email"]
    # As the settings page: an address typed without its scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
