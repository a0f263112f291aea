"""The window sign's panel on an outlet's page: links to its sign and to the
municipality's leaflet, while the outlet is a service point."""

from outlets.models import Outlet
from outlets.panels import OutletPanel
from outlets.selectors import service_points_q
from public.selectors import public_service_point

ORDER = 40


def signs_outlet_panel(sender, outlet, user, **kwargs):
    """Shown to whoever sees the outlet's programme panels (its municipality's
    staff, the county's regional viewers, its shop owner: the one who hangs the
    sign). The documents themselves are public."""
    # Most outlets are no service point: one query says so, before the public data.
    if not Outlet.objects.filter(service_points_q(), pk=outlet.pk).exists():
        return None
    point = public_service_point(outlet.pk)
    if point is None:
        return None
    return OutletPanel(
        template_name="public/_outlet_panel.html",
        order=ORDER,
        context={"point": point},
    )
