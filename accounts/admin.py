from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "municipality", "county", "is_active"]
    list_filter = ["role", "is_active", "municipality__county"]
    search_fields = ["email", "full_name"]
    autocomplete_fields = ["municipality", "county", "outlets"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name"]}),
        (_("Role"), {"fields": ["role", "municipality", "county", "outlets"]}),
        (_("Status"), {"fields": ["is_active", "is_superuser", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "email",
                    "full_name",
                    "role",
                    "municipality",
                    "county",
                    "password1",
                    "password2",
                ]
            },
        ),
    ]
    readonly_fields = ["last_login"]
    filter_horizontal = []
