from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class SystemOwnerAdminSite(admin.AdminSite):
    """The Django admin is the system owner's tool; municipal staff use the app."""

    site_header = _("Servicepunkter: system administration")
    site_title = _("Servicepunkter")
    index_title = _("System administration")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
