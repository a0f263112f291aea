"""Reading GeoPackage files (OGC's SQLite format) with SQLite and shapely, no GDAL.

The road reader and the population reader both use it: open the file read-only,
list its geometry layers with their spatial reference systems, and read a layer's
rows or geometries. SQLite's errors (`sqlite3.Error`) and a damaged geometry blob
(`ValueError`) reach the caller, which says in its own words that the file is not a
GeoPackage or is damaged.
"""

import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Bytes of a geometry blob's envelope, by the envelope indicator in its flags.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


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
    """A read-only SQLite connection to the GeoPackage at `path`, closed after."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    try:
        yield connection
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
    """Every geometry column of the file, in the file's order."""
    return [
        Layer(*row)
        for row in connection.execute(
            "SELECT c.table_name, c.column_name, s.organization,"
            " s.organization_coordsys_id, s.definition"
            " FROM gpkg_geometry_columns c"
            " LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id"
        )
    ]


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


def layer_rows(connection, layer: Layer) -> tuple[list[str], list[tuple]]:
    """A layer's column names (lower case) and rows, the geometry blob included."""
    cursor = connection.execute(f"SELECT * FROM {_quoted(layer.table)}")  # noqa: S608
    names = [description[0].lower() for description in cursor.description]
    return names, cursor.fetchall()


def layer_geometries(connection, layer: Layer):
    """A layer's geometries as a shapely array; empty and missing ones are left out."""
    import shapely

    column, table = _quoted(layer.column), _quoted(layer.table)
    blobs = connection.execute(
        f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    )
    wkb = [geometry_wkb(bytes(blob)) for (blob,) in blobs]
    return shapely.from_wkb([item for item in wkb if item is not None])


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
