"""Reading population grids: the CSV template, SCB's grid statistics, Pipos squares.

Every reader returns a `PopulationGrid` of numpy arrays or raises `PopulationFileError`
with one message a person can act on: the line, the column and what is wrong.

The formats (see README, "Population"):

- template (the contract): `easting,northing,size_m,population` plus optionally all of
  `age_0_4` … `age_85_89`, `age_90_plus`; the ages must add up to the population.
- SCB's open grid statistics (GeoPackage attributes exported as CSV): `rutid_scb`
  (13 digits: the south-west corner's easting, 6 digits, then northing, 7 digits) or
  `rutid_inspire` (`SE_CRS3006RES1000mN6133000E394000`), `rutstorl` (the side; 1000 when
  absent), `beftotalt`, and the age classes `ald0_5` … `ald95_100`, `ald100w`
  (upper-exclusive names: `ald0_5` is ages 0–4). SCB protects small counts, so its parts
  need not add up to its total: the classes are then scaled to the total.
- Pipos squares: Pipos publishes no column list for population squares (its 250 m
  grid is internal). Assumed: SCB's id convention in a column `ruta` or `rutid`, the
  total in `befolkning`, `totalt` or `beftotalt`, the side in `rutstorlek` (250 when
  absent) and SCB's `ald…` age classes.
"""

import csv
import io
import re
import sqlite3
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from analysis.geopackage import (
    GeoPackageRefused,
    first_feature_layer,
    geometry_wkb,
    geopackage_open_bytes,
    layer_rows,
)
from analysis.models import AGE_COLUMNS, SWEDEN_EASTING, SWEDEN_NORTHING

TEMPLATE_COLUMNS = ["easting", "northing", "size_m", "population"]
SCB_AGE_COLUMNS = [f"ald{low}_{low + 5}" for low in range(0, 100, 5)] + ["ald100w"]
INSPIRE_ID = re.compile(r"RES(\d+)mN(\d+)E(\d+)$", re.IGNORECASE)
PIPOS_ID_COLUMNS = ("ruta", "rutid", "ruta_id")
PIPOS_TOTAL_COLUMNS = ("befolkning", "totalt", "beftotalt")


class PopulationFileError(ValueError):
    """A population file that cannot be read; the message says where and why."""


@dataclass
class PopulationGrid:
    format: str
    easting: np.ndarray
    northing: np.ndarray
    size_m: np.ndarray
    population: np.ndarray
    ages: np.ndarray | None
    note: str = ""

    def __len__(self):
        return len(self.population)


def population_file_read(name, data):
    """Read a population file (CSV, or GeoPackage by its extension)."""
    if name.lower().endswith(".gpkg"):
        return _read_geopackage(data)
    text = _decode(data)
    rows = _csv_rows(text)
    header = [column.strip().lower() for column in rows[0]]
    body = rows[1:]
    if len(body) > settings.POPULATION_MAX_SQUARES:
        raise _too_many_squares()
    if not any(any(cell.strip() for cell in row) for row in body):
        raise PopulationFileError(_("The file has no squares."))
    if set(TEMPLATE_COLUMNS) <= set(header):
        grid = _read_template(header, body)
    elif "rutid_scb" in header or "rutid_inspire" in header:
        grid = _read_scb(header, body, fmt="scb", total_columns=("beftotalt",))
    elif any(column in header for column in PIPOS_ID_COLUMNS):
        grid = _read_scb(header, body, fmt="pipos", total_columns=PIPOS_TOTAL_COLUMNS)
    else:
        missing = [column for column in TEMPLATE_COLUMNS if column not in header]
        raise PopulationFileError(
            _(
                "Line 1: the columns %(columns)s are missing. The template's columns "
                "are easting,northing,size_m,population (and optionally the age "
                "columns age_0_4 … age_90_plus)."
            )
            % {"columns": ", ".join(missing)}
        )
    _check_squares(grid)
    return grid


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PopulationFileError(
            _(
                "Line %(line)s: the file is not UTF-8 encoded text. Save it as "
                "“CSV UTF-8” and try again."
            )
            % {"line": line}
        ) from None


def _csv_rows(text):
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise PopulationFileError(_("The file is empty."))
    delimiter = max(";,\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [row for row in rows if row]


# Above every real coordinate in SWEREF 99 TM (northing < 7.7 million metres), side and
# head count; below PostgreSQL's integer limit, so a wild figure gets a line number.
LARGEST_NUMBER = 10_000_000


class _Columns:
    """Column access by name with line-numbered errors."""

    def __init__(self, header, body):
        self.header = header
        self.body = body

    def integers(self, column, *, allow_negative=False):
        position = self.header.index(column)
        values = np.empty(len(self.body), dtype=np.int64)
        for number, row in enumerate(self.body):
            cell = row[position].strip() if position < len(row) else ""
            try:
                value = int(cell)
            except ValueError:
                raise PopulationFileError(
                    _(
                        "Line %(line)s, column “%(column)s”: “%(value)s” is not a "
                        "whole number."
                    )
                    % {"line": number + 2, "column": column, "value": cell}
                ) from None
            if abs(value) > LARGEST_NUMBER:
                raise PopulationFileError(
                    _(
                        "Line %(line)s, column “%(column)s”: %(value)s is too large "
                        "for a grid square."
                    )
                    % {"line": number + 2, "column": column, "value": value}
                )
            if value < 0 and not allow_negative:
                raise PopulationFileError(
                    _(
                        "Line %(line)s, column “%(column)s”: %(value)s is negative; "
                        "give zero or more."
                    )
                    % {"line": number + 2, "column": column, "value": value}
                )
            values[number] = value
        return values

    def strings(self, column):
        position = self.header.index(column)
        return [
            (row[position].strip() if position < len(row) else "") for row in self.body
        ]


def _read_template(header, body):
    columns = _Columns(header, body)
    present = [column for column in AGE_COLUMNS if column in header]
    if present and len(present) != len(AGE_COLUMNS):
        missing = [column for column in AGE_COLUMNS if column not in header]
        raise PopulationFileError(
            _("Line 1: give all the age columns or none; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    grid = PopulationGrid(
        format="template",
        easting=columns.integers("easting"),
        northing=columns.integers("northing"),
        size_m=columns.integers("size_m"),
        population=columns.integers("population"),
        ages=(
            np.column_stack([columns.integers(column) for column in AGE_COLUMNS])
            if present
            else None
        ),
    )
    if grid.ages is not None:
        wrong = np.flatnonzero(grid.ages.sum(axis=1) != grid.population)
        if len(wrong):
            first = int(wrong[0])
            raise PopulationFileError(
                _(
                    "Line %(line)s, column “population”: the age columns add up to "
                    "%(ages)s, not %(population)s."
                )
                % {
                    "line": first + 2,
                    "ages": int(grid.ages[first].sum()),
                    "population": int(grid.population[first]),
                }
            )
    return grid


def _read_scb(header, body, *, fmt, total_columns):
    columns = _Columns(header, body)
    count = len(body)
    size = None
    for column in ("rutstorl", "rutstorlek"):
        if column in header:
            size = columns.integers(column)
    id_column = next(
        (c for c in ("rutid_scb", *PIPOS_ID_COLUMNS) if c in header), "rutid_inspire"
    )
    easting = np.empty(count, dtype=np.int64)
    northing = np.empty(count, dtype=np.int64)
    inspire_size = np.zeros(count, dtype=np.int64)
    for number, value in enumerate(columns.strings(id_column)):
        match = INSPIRE_ID.search(value)
        if match:
            inspire_size[number] = int(match[1])
            northing[number], easting[number] = int(match[2]), int(match[3])
        elif len(value) == 13 and value.isdigit():
            easting[number], northing[number] = int(value[:6]), int(value[6:])
        else:
            raise PopulationFileError(
                _(
                    "Line %(line)s, column “%(column)s”: “%(value)s” is not a square "
                    "id (13 digits: easting then northing of the south-west corner)."
                )
                % {"line": number + 2, "column": id_column, "value": value}
            )
    if size is None:
        default = 1000 if fmt == "scb" else 250
        size = np.where(inspire_size > 0, inspire_size, default)
    age_present = [column for column in SCB_AGE_COLUMNS if column in header]
    ages = None
    if age_present:
        if "ald90w" in header:
            age_present = [c for c in age_present if c < "ald90"] + ["ald90w"]
        classes = np.column_stack([columns.integers(column) for column in age_present])
        ages = np.zeros((count, 19), dtype=np.int64)
        ages[:, : min(18, classes.shape[1])] = classes[:, :18]
        if classes.shape[1] > 18:
            ages[:, 18] = classes[:, 18:].sum(axis=1)
    total_column = next((c for c in total_columns if c in header), None)
    if total_column is None and ages is None:
        raise PopulationFileError(
            _("Line 1: the column with the total population (%(columns)s) is missing.")
            % {"columns": " / ".join(total_columns)}
        )
    population = columns.integers(total_column) if total_column else ages.sum(axis=1)
    note = ""
    if ages is not None:
        ages, adjusted = _ages_scaled_to(ages, population)
        if adjusted:
            note = _(
                "In %(count)s squares the age groups did not add up to the total "
                "(statistical disclosure control); they were scaled to the total."
            ) % {"count": adjusted}
    return PopulationGrid(fmt, easting, northing, size, population, ages, note)


def _ages_scaled_to(ages, population):
    """Scale each square's age classes to its total by largest remainders."""
    sums = ages.sum(axis=1)
    wrong = sums != population
    if not wrong.any():
        return ages, 0
    ages = ages.copy()
    overall = ages.sum(axis=0).astype(float)
    if overall.sum() == 0:
        overall[:] = 1
    shares = ages[wrong].astype(float)
    empty = shares.sum(axis=1) == 0
    shares[empty] = overall
    exact = shares / shares.sum(axis=1, keepdims=True) * population[wrong, None]
    floor = np.floor(exact).astype(np.int64)
    short = population[wrong] - floor.sum(axis=1)
    order = np.argsort(-(exact - floor), axis=1, kind="stable")
    bump = np.arange(19)[None, :] < short[:, None]
    np.put_along_axis(floor, order, np.take_along_axis(floor, order, 1) + bump, 1)
    ages[wrong] = floor
    return ages, int(wrong.sum())


def _check_squares(grid):
    def fail(index, message, **values):
        raise PopulationFileError(
            _("Line %(line)s: ") % {"line": int(index) + 2} + message % values
        )

    bad = np.flatnonzero(grid.size_m <= 0)
    if len(bad):
        fail(bad[0], _("the square's side must be a positive number of metres."))
    off = np.flatnonzero((grid.easting % grid.size_m) | (grid.northing % grid.size_m))
    if len(off):
        i = off[0]
        fail(
            i,
            _(
                "the corner %(easting)s, %(northing)s is not on the grid of "
                "%(size)s m squares (both must be multiples of the side)."
            ),
            easting=int(grid.easting[i]),
            northing=int(grid.northing[i]),
            size=int(grid.size_m[i]),
        )
    outside = np.flatnonzero(
        (grid.easting < SWEDEN_EASTING[0])
        | (grid.easting > SWEDEN_EASTING[1])
        | (grid.northing < SWEDEN_NORTHING[0])
        | (grid.northing > SWEDEN_NORTHING[1])
    )
    if len(outside):
        i = outside[0]
        fail(
            i,
            _(
                "%(easting)s, %(northing)s is outside Sweden in SWEREF 99 TM "
                "(easting first, then northing, in metres)."
            ),
            easting=int(grid.easting[i]),
            northing=int(grid.northing[i]),
        )
    keys = np.column_stack([grid.easting, grid.northing, grid.size_m])
    counts = np.unique(keys, axis=0, return_counts=True)[1]
    if (counts > 1).any():
        seen = set()
        for index, key in enumerate(map(tuple, keys)):
            if key in seen:
                fail(
                    index,
                    _("the square %(easting)s, %(northing)s occurs twice."),
                    easting=int(key[0]),
                    northing=int(key[1]),
                )
            seen.add(key)


def _read_geopackage(data):
    """The first feature layer of a GeoPackage in SWEREF 99 TM, read like a CSV.

    Its attributes are taken as columns; a layer without square ids or corner
    columns gets each square's corner and side from its geometry's bounds.
    """
    names, rows, geometry = _geopackage_squares(data)
    header = [name for j, name in enumerate(names) if j != geometry]
    body = [
        [
            "" if value is None else str(value)
            for j, value in enumerate(row)
            if j != geometry
        ]
        for row in rows
    ]
    if not ({"rutid_scb", "rutid_inspire", "easting", *PIPOS_ID_COLUMNS} & set(names)):
        _corners_from_geometries(header, body, [row[geometry] for row in rows])
    text = io.StringIO()
    csv.writer(text).writerows([header, *body])
    try:
        grid = population_file_read("layer.csv", text.getvalue().encode())
    except PopulationFileError as error:
        raise PopulationFileError(
            _(
                "The GeoPackage's first layer read as a table, whose line 2 is the "
                "first feature and whose columns are its fields: %(error)s"
            )
            % {"error": error}
        ) from None
    grid.format = "geopackage"
    return grid


def _geopackage_squares(data):
    """The column names, the rows and the geometry column's position of the
    GeoPackage's first feature layer, which must be in SWEREF 99 TM."""
    try:
        with geopackage_open_bytes(data) as connection:
            layer = first_feature_layer(connection)
            if layer is None:
                raise PopulationFileError(_("The GeoPackage has no feature layer."))
            names, rows = layer_rows(
                connection, layer, max_features=settings.POPULATION_MAX_SQUARES
            )
    except GeoPackageRefused as error:
        raise PopulationFileError(str(error)) from None
    except sqlite3.Error:
        raise _geopackage_damaged() from None
    if layer.code != 3006:
        raise PopulationFileError(
            _("The GeoPackage's squares must be in SWEREF 99 TM (EPSG:3006).")
        )
    if not rows:
        raise PopulationFileError(_("The file has no squares."))
    return names, rows, names.index(layer.column.lower())


def _corners_from_geometries(header, body, blobs):
    """Add each square's corner and side from its geometry's bounds to the columns,
    and name the total column `population`."""
    import shapely

    try:
        shapes = shapely.from_wkb([geometry_wkb(bytes(blob)) for blob in blobs])
    except (TypeError, ValueError, shapely.errors.GEOSException):
        raise _geopackage_damaged() from None
    bounds = shapely.bounds(shapes)
    header += ["easting", "northing", "size_m"]
    for values, (xmin, ymin, xmax, _ymax) in zip(body, bounds, strict=True):
        values += [str(round(xmin)), str(round(ymin)), str(round(xmax - xmin))]
    if "population" not in header:
        total = next(
            (c for c in ("beftotalt", *PIPOS_TOTAL_COLUMNS) if c in header), None
        )
        if total:
            header[header.index(total)] = "population"


def _too_many_squares():
    return PopulationFileError(
        _(
            "The file has more than %(limit)s squares, the most one municipality's "
            "grid may have (POPULATION_MAX_SQUARES)."
        )
        % {"limit": intcomma(settings.POPULATION_MAX_SQUARES)}
    )


def _geopackage_damaged():
    return PopulationFileError(_("The file is not a GeoPackage, or it is damaged."))
