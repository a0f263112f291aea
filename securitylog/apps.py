from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityLogConfig(AppConfig):
    name = "securitylog"
    verbose_name = _("Security log")

    def ready(self):
        from securitylog import receivers  # noqa: F401  (connects the sign-in signals)
