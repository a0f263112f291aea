"""Sections of a person's profile page that the later apps provide (the calendar
feed, for one), in the way outlets.panels gives an outlet's page its panels."""

from dataclasses import dataclass, field

from accounts.models import User
from accounts.signals import profile_page_panels


@dataclass(frozen=True)
class ProfilePanel:
    """One app's section of the profile page: `template_name` is rendered with the
    context under the name `panel`."""

    template_name: str
    order: int
    context: dict = field(default_factory=dict)


def profile_panels(*, request) -> list[ProfilePanel]:
    """The sections the apps give for the signed-in person, in their order."""
    panels = [
        panel
        for _receiver, panel in profile_page_panels.send(sender=User, request=request)
        if panel is not None
    ]
    return sorted(panels, key=lambda panel: panel.order)
