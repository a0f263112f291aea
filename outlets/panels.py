"""What an outlet is to the programme, on its page: panels the later apps provide.

Outlets imports none of agreements, follow-up or deliveries. Each of them answers
the `outlet_page_panels` event with a panel of its own (a template and its context),
connected in its AppConfig.ready(); the outlet page shows the panels in order.
"""

from dataclasses import dataclass, field

from outlets.models import Outlet
from outlets.signals import outlet_page_panels


@dataclass(frozen=True)
class OutletPanel:
    """One app's part of an outlet's page: `template_name` is rendered with the
    context under the name `panel`."""

    template_name: str
    order: int
    context: dict = field(default_factory=dict)


def outlet_panels(*, outlet: Outlet, user) -> list[OutletPanel]:
    """The panels the apps give for this outlet and user, in their order."""
    panels = [
        panel
        for _receiver, panel in outlet_page_panels.send(
            sender=Outlet, outlet=outlet, user=user
        )
        if panel is not None
    ]
    return sorted(panels, key=lambda panel: panel.order)
