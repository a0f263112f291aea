"""What the service analysis stores: population squares (with binary COPY), road
networks, and a municipality's analysis settings."""

import struct
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from analysis.models import (
    AGE_COLUMNS,
    AnalysisSettings,
    PopulationImport,
    PopulationSquare,
    RoadNetwork,
)
from analysis.permissions import can_edit_analysis_settings

# Storing and loading squares with binary COPY ------------------------------------

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)


def _binary_rows(columns):
    """PostgreSQL binary COPY rows for (name, values, '>i4' or '>i8') columns."""
    count = len(columns[0][1])
    dtype = [("fields", ">i2")]
    for name, _values, kind in columns:
        dtype += [(f"{name}_length", ">i4"), (name, kind)]
    rows = np.empty(count, dtype=dtype)
    rows["fields"] = len(columns)
    for name, values, kind in columns:
        rows[f"{name}_length"] = np.dtype(kind).itemsize
        rows[name] = values
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def squares_copy_in(*, population_import, grid):
    """Insert the grid's squares with one binary COPY."""
    count = len(grid)
    columns = [
        ("population_import_id", np.full(count, population_import.pk), ">i8"),
        ("municipality_id", np.full(count, population_import.municipality_id), ">i8"),
        ("easting", grid.easting, ">i4"),
        ("northing", grid.northing, ">i4"),
        ("size_m", grid.size_m, ">i4"),
        ("population", grid.population, ">i4"),
    ]
    if grid.ages is not None:
        columns += [
            (name, grid.ages[:, j], ">i4") for j, name in enumerate(AGE_COLUMNS)
        ]
    names = ", ".join(name for name, _values, _kind in columns)
    table = PopulationSquare._meta.db_table
    statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(_binary_rows(columns))


def squares_copy_out(*, municipality):
    """The municipality's squares as arrays: corners, sides, people, ages or None."""
    ages = ", ".join(f"coalesce({name}, -1)" for name in AGE_COLUMNS)
    query = (
        f"COPY (SELECT easting, northing, size_m, population, {ages} "
        f"FROM {PopulationSquare._meta.db_table} WHERE municipality_id = "
        f"{int(municipality.pk)}) TO STDOUT (FORMAT BINARY)"
    )
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        for chunk in copy:
            buffer += chunk
    width = 4 + len(AGE_COLUMNS)
    dtype = [("fields", ">i2")]
    for j in range(width):
        dtype += [(f"l{j}", ">i4"), (f"v{j}", ">i4")]
    body = bytes(buffer[len(_COPY_HEADER) : len(buffer) - len(_COPY_TRAILER)])
    rows = np.frombuffer(body, dtype=dtype)
    values = np.column_stack([rows[f"v{j}"] for j in range(width)]).astype(np.int64)
    ages = values[:, 4:]
    if (ages < 0).any():
        ages = None
    return values[:, 0], values[:, 1], values[:, 2], values[:, 3], ages


@transaction.atomic
def population_store(
    *, municipality, grid, file_name, by=None, synthetic=False
) -> PopulationImport:
    """Replace the municipality's squares with the grid's, all or nothing."""
    record = PopulationImport.objects.create(
        municipality=municipality,
        file_name=file_name,
        format=PopulationImport.Format.SYNTHETIC if synthetic else grid.format,
        synthetic=synthetic,
        imported_by=by,
        square_count=len(grid),
        population=int(grid.population.sum()),
        has_ages=grid.ages is not None,
        note=grid.note,
    )
    PopulationSquare.objects.filter(municipality=municipality).delete()
    squares_copy_in(population_import=record, grid=grid)
    return record


@transaction.atomic
def road_network_store(*, path, name, by=None, municipality=None) -> RoadNetwork:
    """Read road lines, build the graph and store it: the municipality's own
    network, or (without one) a network shared by every municipality."""
    from analysis.roads import RoadFileError, road_lines_read
    from analysis.roads import RoadNetwork as Network

    network = Network.from_lines(road_lines_read(path))
    if not network.edge_count:
        raise RoadFileError(_("The road file's lines have no length."))
    return RoadNetwork.objects.create(
        municipality=municipality,
        name=name,
        file_name=Path(path).name,
        imported_by=by,
        node_count=len(network.node_xy),
        edge_count=network.edge_count,
        data=network.to_bytes(),
    )


def road_network_current(*, municipality=None):
    """The network a municipality's analysis measures along: its own newest one,
    else the newest shared one."""
    networks = RoadNetwork.objects.filter(municipality__isnull=True)
    if municipality is not None:
        networks = RoadNetwork.objects.filter(
            Q(municipality=municipality) | Q(municipality__isnull=True)
        )
    return networks.order_by(
        F("municipality").asc(nulls_last=True), "-imported_at", "-pk"
    ).first()


def analysis_settings_save(*, analysis_settings, by) -> AnalysisSettings:
    """A municipality's analysis settings (its administrators). Stored results of the
    old settings are no longer found: the detour factor and the threshold are in
    their fingerprints."""
    if not can_edit_analysis_settings(by) or (
        by.municipality_id != analysis_settings.municipality_id
    ):
        raise PermissionDenied
    analysis_settings.full_clean()
    analysis_settings.save()
    return analysis_settings
