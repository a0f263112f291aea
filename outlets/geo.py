"""Positions: stored in WGS84, shown and accepted in SWEREF 99 TM too."""

from functools import cache

from pyproj import Transformer

# Sweden's extent with a margin for border shops, in WGS84 degrees.
SWEDEN_LATITUDE = (55.0, 69.2)
SWEDEN_LONGITUDE = (10.5, 24.5)


@cache
def _to_sweref():
    return Transformer.from_crs(4326, 3006, always_xy=True)


@cache
def _to_wgs84():
    return Transformer.from_crs(3006, 4326, always_xy=True)


def sweref_from_wgs84(latitude, longitude):
    """(northing, easting) in SWEREF 99 TM metres."""
    easting, northing = _to_sweref().transform(longitude, latitude)
    return northing, easting


def wgs84_from_sweref(northing, easting):
    """(latitude, longitude) in WGS84 degrees."""
    longitude, latitude = _to_wgs84().transform(easting, northing)
    return latitude, longitude


def is_in_sweden(latitude, longitude):
    return (
        SWEDEN_LATITUDE[0] <= latitude <= SWEDEN_LATITUDE[1]
        and SWEDEN_LONGITUDE[0] <= longitude <= SWEDEN_LONGITUDE[1]
    )
