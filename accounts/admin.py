from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from accounts.models import User, UserOutlets
from accounts.services import user_sessions_end
from accounts.two_factor import two_factor_reset
from core.history import history_of
from securitylog.models import EventKind
from securitylog.services import security_event_record

# django-otp's own device admins would show every user's authenticator key and
# recovery codes; the system owner resets a second factor with the action below.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


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
        (
            _("Status"),
            {"fields": ["is_active", "is_superuser", "last_login", "erasure"]},
        ),
        (_("History"), {"fields": ["history"]}),
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
    readonly_fields = ["last_login", "history", "erasure"]
    filter_horizontal = []
    actions = ["reset_two_factor"]

    @admin.display(description=_("Changes"))
    def history(self, obj):
        """Who changed the user's name, e-mail address, role, municipality, county,
        outlets or active status, and when (never their password)."""
        return render_to_string(
            "includes/history.html",
            {"history": history_of([obj], models=[User, UserOutlets])},
        )

    @admin.display(description=_("Erasure"))
    def erasure(self, obj):
        """The link to the erasure page (privacy), by its URL name: accounts does
        not import the app above it."""
        if obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("erasure:user_erase", kwargs={"pk": obj.pk}),
            _("Erase the user…"),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # As in the app: a reactivation later must not revive old sessions.
            user_sessions_end(user=obj)
        changed = ", ".join(form.changed_data) if change else "created"
        security_event_record(
            kind=EventKind.USER_CHANGED,
            request=request,
            municipality_id=obj.municipality_id,
            detail=f"{obj.email} ({obj.role}): {changed}",
        )

    @admin.action(description=_("Reset second factor"))
    def reset_two_factor(self, request, queryset):
        others = queryset.exclude(pk=request.user.pk)
        for user in others:
            two_factor_reset(actor=request.user, user=user, request=request)
        if others:
            self.message_user(
                request,
                _("Reset: they set up a new authenticator app at their next sign-in."),
            )
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request,
                _("Your own second factor is changed under My account, not here."),
                level=messages.WARNING,
            )
