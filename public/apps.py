from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public information")

    def ready(self):
        from outlets.signals import outlet_page_panels
        from public.panels import signs_outlet_panel

        outlet_page_panels.connect(
            signs_outlet_panel, dispatch_uid="public_signs_outlet_page_panel"
        )
