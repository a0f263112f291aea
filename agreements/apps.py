from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Service agreements")

    def ready(self):
        from agreements.panels import agreements_outlet_panel
        from outlets.signals import outlet_page_panels

        outlet_page_panels.connect(
            agreements_outlet_panel, dispatch_uid="agreements_outlet_page_panel"
        )

        from agreements.receivers import (
            agreements_end_on_outlet_closed,
            agreements_on_outlet_close_page,
        )
        from outlets.signals import outlet_close_consequences, outlet_closed

        outlet_closed.connect(
            agreements_end_on_outlet_closed,
            dispatch_uid="agreements_outlet_closed",
        )
        outlet_close_consequences.connect(
            agreements_on_outlet_close_page,
            dispatch_uid="agreements_outlet_close_page",
        )
