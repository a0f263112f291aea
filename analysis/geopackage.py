"""Reading GeoPackage files (OGC's SQLite format) with SQLite and shapely, no GDAL.

The road reader and the population reader both use it: open the file read-only,
list its geometry layers with their spatial reference systems, and read a layer's
rows or geometries. SQLite's errors (`sqlite3.Error`) and a damaged geometry blob
(`ValueError`) reach the caller, which says in its own words that the file is not a
GeoPackage or is damaged.

Reading is bounded, since a small file can describe endless rows: only real tables
are read (a view can be a recursive query), a layer is read up to the caller's
number of features, SQLite stops after `GEOPACKAGE_READ_SECONDS`, and no single
value may exceed `VALUE_MAX_BYTES`. Over a bound: `GeoPackageRefused`, whose
message the caller passes on.
"""

import sqlite3
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

# Bytes of a geometry blob's envelope, by the envelope indicator in its flags.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
# The largest text or blob SQLite may make while reading (a road's geometry is
# kilobytes).
VALUE_MAX_BYTES = 64 * 1024 * 1024
# SQLite calls the time check every this many virtual machine instructions.
_PROGRESS_STEPS = 10_000
_METADATA_TABLES = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")


class GeoPackageRefused(ValueError):
    """A GeoPackage that is not read: a view for a layer, too many features, too
    slow. The message says which, for a person."""


@dataclass(frozen=True)
class Layer:
    """A geometry column of a GeoPackage, with its spatial reference system."""

    table: str
    column: str
    organization: str | None
    code: int | None
    definition: str | None


@contextmanager
def geopackage_open(path):
    """A read-only SQLite connection to the GeoPackage at `path`, closed after.

    Every query on it stops with GeoPackageRefused once `GEOPACKAGE_READ_SECONDS`
    have passed since it was opened.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    seconds = settings.GEOPACKAGE_READ_SECONDS
    deadline = time.monotonic() + seconds
    expired = []

    def past_deadline():
        if time.monotonic() > deadline:
            expired.append(True)
            return 1  # SQLite interrupts the query
        return 0

    connection.set_progress_handler(past_deadline, _PROGRESS_STEPS)
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, VALUE_MAX_BYTES)
    try:
        _check_metadata_tables(connection)
        yield connection
    except sqlite3.OperationalError as error:
        if expired:
            raise GeoPackageRefused(
                _(
                    "Reading the GeoPackage took longer than %(seconds)s seconds, "
                    "the most allowed (GEOPACKAGE_READ_SECONDS)."
                )
                % {"seconds": seconds}
            ) from error
        raise
    finally:
        connection.close()


@contextmanager
def geopackage_open_bytes(data: bytes):
    """`geopackage_open` for a GeoPackage held in memory (an upload)."""
    with tempfile.NamedTemporaryFile(suffix=".gpkg") as file:
        file.write(data)
        file.flush()
        with geopackage_open(file.name) as connection:
            yield connection


def layers(connection) -> list[Layer]:
    """Every geometry column of the file, in the file's order; GeoPackageRefused
    when one of them is not a real table (a view, a virtual table)."""
    found = [
        Layer(*row)
        for row in connection.execute(
            "SELECT c.table_name, c.column_name, s.organization,"
            " s.organization_coordsys_id, s.definition"
            " FROM gpkg_geometry_columns c"
            " LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id"
        )
    ]
    for layer in found:
        if not _is_table(connection, layer.table):
            raise GeoPackageRefused(
                _(
                    "The GeoPackage's layer “%(layer)s” is not a table (it is a view "
                    "or a virtual table), and only tables are read. Save the layer "
                    "as a table and try again."
                )
                % {"layer": layer.table}
            )
    return found


def first_feature_layer(connection) -> Layer | None:
    """The feature layer first by table name, or None when there is none."""
    features = {
        table
        for (table,) in connection.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
        )
    }
    candidates = [layer for layer in layers(connection) if layer.table in features]
    return min(candidates, key=lambda layer: layer.table, default=None)


def layer_rows(
    connection, layer: Layer, *, max_features: int
) -> tuple[list[str], list[tuple]]:
    """A layer's column names (lower case) and rows, the geometry blob included;
    GeoPackageRefused beyond `max_features` rows."""
    cursor = connection.execute(f"SELECT * FROM {_quoted(layer.table)}")  # noqa: S608
    names = [description[0].lower() for description in cursor.description]
    return names, _bounded(cursor, layer, max_features)


def layer_geometries(connection, layer: Layer, *, max_features: int):
    """A layer's geometries as a shapely array; empty and missing ones are left out.
    GeoPackageRefused beyond `max_features` geometries."""
    import shapely

    column, table = _quoted(layer.column), _quoted(layer.table)
    blobs = connection.execute(
        f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    )
    wkb = [
        geometry_wkb(bytes(blob)) for (blob,) in _bounded(blobs, layer, max_features)
    ]
    return shapely.from_wkb([item for item in wkb if item is not None])


def _bounded(cursor, layer, max_features):
    rows = []
    while chunk := cursor.fetchmany(10_000):
        rows += chunk
        if len(rows) > max_features:
            raise GeoPackageRefused(
                _(
                    "The GeoPackage's layer “%(layer)s” has more than %(limit)s "
                    "features, the most that is read."
                )
                % {"layer": layer.table, "limit": intcomma(max_features)}
            )
    return rows


def _is_table(connection, name):
    row = connection.execute(
        "SELECT type, sql FROM sqlite_master WHERE name = ? COLLATE NOCASE", (name,)
    ).fetchone()
    return (
        row is not None
        and row[0] == "table"
        and not (row[1] or "").lstrip().upper().startswith("CREATE VIRTUAL")
    )


def _check_metadata_tables(connection):
    """The GeoPackage's own tables must be tables: a view there would be read
    before any layer is."""
    kinds = connection.execute(
        "SELECT name, type FROM sqlite_master WHERE lower(name) IN (?, ?, ?)",
        _METADATA_TABLES,
    ).fetchall()
    for name, kind in kinds:
        if kind != "table":
            raise GeoPackageRefused(
                _("The GeoPackage's table “%(table)s” is a view; it must be a table.")
                % {"table": name}
            )


def geometry_wkb(blob: bytes) -> bytes | None:
    """The WKB geometry inside a GeoPackage geometry blob; None for an empty one."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    if flags & 0b10000:  # empty geometry
        return None
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise ValueError("bad envelope indicator")
    return blob[8 + envelope :]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
