"""What the maps show: markers for outlets and localities, the legend of the kinds on
the map, and the data the map script reads (markers, zoom, tiles, labels)."""

from django.conf import settings
from django.utils.translation import gettext as _

from outlets.models import Outlet


# Map markers: one colour per outlet kind; closed outlets drawn hollow.
def map_marker(obj, *, kind="locality", closed=False, label=""):
    return {
        "lat": obj.latitude,
        "lng": obj.longitude,
        "name": obj.name,
        "url": obj.get_absolute_url(),
        "category": kind,
        "closed": closed,
        "label": label,
    }


def outlet_marker(outlet):
    label = outlet.get_kind_display()
    if outlet.status == Outlet.Status.CLOSED:
        label = _("%(kind)s, closed") % {"kind": label}
    return map_marker(
        outlet,
        kind=outlet.kind,
        closed=outlet.status == Outlet.Status.CLOSED,
        label=label,
    )


def locality_marker(locality):
    return map_marker(locality, label=_("Locality"))


def map_legend(markers):
    """The legend's entries for the kinds of marker on the map, in a fixed order."""
    categories = {marker["category"] for marker in markers}
    entries = [
        (f"map-marker--{kind}", label)
        for kind, label in Outlet.Kind.choices
        if kind in categories
    ]
    if any(marker["closed"] for marker in markers):
        entries.append(
            ("map-marker--other map-marker--closed", _("Closed (hollow marker)"))
        )
    if "locality" in categories:
        entries.append(("map-marker--locality", _("Locality")))
    return entries


def map_data(markers, *, max_zoom=13):
    return {
        "markers": [marker for marker in markers if marker["lat"] is not None],
        "maxZoom": max_zoom,
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        "labels": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "closePopup": _("Close"),
        },
    }
