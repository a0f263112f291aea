from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveriesConfig(AppConfig):
    name = "deliveries"
    verbose_name = _("Home delivery")

    def ready(self):
        from deliveries.panels import deliveries_outlet_panel
        from outlets.signals import outlet_page_panels

        outlet_page_panels.connect(
            deliveries_outlet_panel, dispatch_uid="deliveries_outlet_page_panel"
        )
