from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ServicepunkterConfig(AppConfig):
    default = True
    name = "servicepunkter"
    verbose_name = _("Servicepunkter")


class AdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to the system owner (superusers) only."""

    default = False
    default_site = "servicepunkter.admin.SystemOwnerAdminSite"
