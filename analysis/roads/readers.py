"""Reading road files: GeoJSON and GeoPackage line features, projected to
SWEREF 99 TM (EPSG:3006) as (k, 2) arrays of E, N in metres."""

import json
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from analysis.geopackage import (
    GeoPackageRefused,
    geopackage_open,
    layer_geometries,
    layers,
)

SWEREF99TM = 3006
_LINE_TYPES = [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING]


class RoadFileError(ValueError):
    """A road file that cannot be used; the message tells the user why."""


def road_lines_read(path) -> list[np.ndarray]:
    """Line features from a GeoJSON or GeoPackage file, in SWEREF 99 TM.

    LineString and MultiLineString features are read (each part a (k, 2) array of
    E, N); other geometries and all properties are ignored. GeoJSON without a `crs`
    member is WGS 84 longitude/latitude (RFC 7946) and is projected with pyproj; a
    `crs` naming EPSG:3006 is taken as is, and any other CRS pyproj knows is
    projected. GeoPackage layers are projected from their own spatial reference
    system. Raises RoadFileError on an unreadable file, a file without line features,
    an unknown CRS, or a file over the bounds: `ROAD_NETWORK_MAX_FEATURES` features,
    `ROAD_NETWORK_GEOJSON_MAX_BYTES` of GeoJSON, a GeoPackage's own bounds.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as error:
        raise RoadFileError(_("The road file could not be opened.")) from error
    if head.startswith(b"SQLite format 3\x00"):
        lines = _geopackage_lines(path)
    else:
        lines = _geojson_lines(path)
    if not lines:
        raise RoadFileError(
            _("The road file holds no lines (LineString or MultiLineString).")
        )
    return lines


def _projected(xy: np.ndarray, crs: CRS) -> np.ndarray:
    """Coordinates (k, 2) in `crs` (x = east or longitude) as SWEREF 99 TM."""
    if crs.to_epsg() == SWEREF99TM:
        projected = xy
    else:
        if (
            crs.is_geographic
            and len(xy)
            and (np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90)
        ):
            raise RoadFileError(
                _(
                    "The coordinates are not longitude and latitude, which the file's "
                    "coordinate system (%(crs)s) requires. A GeoJSON file in SWEREF 99 "
                    "TM must say so in a crs member (EPSG:3006)."
                )
                % {"crs": crs.name}
            )
        transformer = Transformer.from_crs(crs, SWEREF99TM, always_xy=True)
        east, north = transformer.transform(xy[:, 0], xy[:, 1])
        projected = np.column_stack([east, north])
    if not np.isfinite(projected).all():
        raise RoadFileError(
            _("Some coordinates cannot be converted to SWEREF 99 TM (%(crs)s).")
            % {"crs": crs.name}
        )
    return projected


def _split(xy: np.ndarray, part: np.ndarray) -> list[np.ndarray]:
    """Coordinates split where the part index changes; parts under 2 vertices go."""
    cuts = np.flatnonzero(np.diff(part)) + 1
    return [line for line in np.split(xy, cuts) if len(line) >= 2]


def _geojson_crs(document: dict) -> CRS:
    crs = document.get("crs")
    if crs is None:
        return CRS.from_epsg(4326)
    name = None
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
    try:
        if not isinstance(name, str):
            raise CRSError(name)
        return CRS.from_user_input(name)
    except CRSError as error:
        raise RoadFileError(
            _("The road file's coordinate system (%(crs)s) is not known.")
            % {"crs": json.dumps(crs)[:80]}
        ) from error


def _geojson_geometries(node):
    """Every geometry object in a GeoJSON document, collections opened."""
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "FeatureCollection":
        for feature in node.get("features") or []:
            yield from _geojson_geometries(feature)
    elif kind == "Feature":
        yield from _geojson_geometries(node.get("geometry"))
    elif kind == "GeometryCollection":
        for geometry in node.get("geometries") or []:
            yield from _geojson_geometries(geometry)
    else:
        yield node


def _geojson_positions(coordinates) -> np.ndarray:
    """A GeoJSON line's positions as a (k, 2) array; heights are dropped."""
    try:
        try:
            line = np.asarray(coordinates, dtype=np.float64)
        except ValueError:  # positions of 2 and 3 numbers mixed
            line = np.asarray([position[:2] for position in coordinates], np.float64)
    except (TypeError, ValueError, KeyError) as error:
        line = None
        cause = error
    else:
        cause = None
    if line is None or line.ndim != 2 or line.shape[1] < 2:
        raise RoadFileError(
            _("A line in the road file has coordinates that are not numbers.")
        ) from cause
    return line[:, :2]


def _geojson_lines(path: Path) -> list[np.ndarray]:
    limit = settings.ROAD_NETWORK_GEOJSON_MAX_BYTES
    try:
        with path.open("rb") as file:
            # Parsing takes some ten times the file's size: measure before.
            data = file.read(limit + 1)
            if len(data) > limit:
                raise RoadFileError(
                    _(
                        "The GeoJSON file is larger than %(limit)s, the most that is "
                        "read (ROAD_NETWORK_GEOJSON_MAX_BYTES). Give a larger network "
                        "as a GeoPackage."
                    )
                    % {"limit": filesizeformat(limit)}
                )
            document = json.loads(data)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        if isinstance(error, RoadFileError):
            raise
        raise RoadFileError(
            _("The road file is neither GeoJSON nor GeoPackage, or it is damaged.")
        ) from error
    if not isinstance(document, dict) or "type" not in document:
        raise RoadFileError(
            _("The road file is neither GeoJSON nor GeoPackage, or it is damaged.")
        )
    crs = _geojson_crs(document)
    parts = []
    for count, geometry in enumerate(_geojson_geometries(document), start=1):
        if count > settings.ROAD_NETWORK_MAX_FEATURES:
            raise _too_many_features()
        kind = geometry.get("type")
        coordinates = geometry.get("coordinates")
        if kind == "LineString":
            parts.append((count, coordinates))
        elif kind == "MultiLineString" and isinstance(coordinates, list):
            parts.extend((count, line) for line in coordinates)
    arrays, part_index = [], []
    for index, (feature, coordinates) in enumerate(parts):
        if isinstance(coordinates, list) and not coordinates:
            continue  # an empty line
        try:
            line = _geojson_positions(coordinates)
        except RoadFileError as error:
            raise RoadFileError(
                _(
                    "Feature %(number)s, field “coordinates”: the line's coordinates "
                    "are not pairs of numbers."
                )
                % {"number": feature}
            ) from error
        arrays.append(line)
        part_index.append(np.full(len(line), index))
    if not arrays:
        return []
    xy = _projected(np.concatenate(arrays), crs)
    return _split(xy, np.concatenate(part_index))


def _geopackage_crs(layer) -> CRS:
    organization, code, definition = layer.organization, layer.code, layer.definition
    try:
        if organization and organization.upper() == "EPSG" and code and code > 0:
            return CRS.from_epsg(code)
        if definition and definition.strip().lower() != "undefined":
            return CRS.from_wkt(definition)
    except CRSError:
        pass
    raise RoadFileError(
        _("The road file's coordinate system (%(crs)s) is not known.")
        % {"crs": f"{organization}:{code}"}
    )


def _too_many_features():
    return RoadFileError(
        _(
            "The road file has more than %(limit)s features, the most that is read "
            "(ROAD_NETWORK_MAX_FEATURES)."
        )
        % {"limit": intcomma(settings.ROAD_NETWORK_MAX_FEATURES)}
    )


def _geopackage_lines(path: Path) -> list[np.ndarray]:
    lines = []
    budget = settings.ROAD_NETWORK_MAX_FEATURES
    try:
        with geopackage_open(path) as connection:
            for layer in layers(connection):
                geometries = layer_geometries(connection, layer, max_features=budget)
                budget -= len(geometries)
                geometries = geometries[
                    np.isin(shapely.get_type_id(geometries), _LINE_TYPES)
                ]
                if not len(geometries):
                    continue
                crs = _geopackage_crs(layer)
                xy, part = shapely.get_coordinates(
                    shapely.get_parts(geometries), return_index=True
                )
                lines.extend(_split(_projected(xy, crs), part))
    except (sqlite3.Error, ValueError, shapely.errors.GEOSException) as error:
        if isinstance(error, RoadFileError):
            raise
        if isinstance(error, GeoPackageRefused):
            raise RoadFileError(str(error)) from error
        raise RoadFileError(
            _("The road file is not a GeoPackage, or it is damaged.")
        ) from error
    return lines
