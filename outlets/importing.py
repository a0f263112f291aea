"""Importing outlet files: read, validate every row, then write all at once or nothing.

The columns and their values come from `OutletResource`. django-import-export's own
import runs several queries and a save per row; here every row is validated first
with the resource's widgets against lookups loaded once, so each error keeps its
line, column and message, and a valid file is then written in bulk in one
transaction.
"""

import csv
import io
import logging
import math
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

import tablib
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import column_index_from_string

from core.exporting import FORMULA_PREFIXES
from outlets.bulk import bulk_insert
from outlets.geo import is_in_sweden, wgs84_from_sweref
from outlets.models import Locality, Municipality, Outlet, OutletContact, OutletImport
from outlets.permissions import can_import_outlets
from outlets.resources import (
    COLUMN_LABELS,
    EXPORT_ONLY_FIELDS,
    HEADER_FIELDS,
    ImportValueError,
    OutletResource,
    header_key,
)

# Model fields the file can set; the rest of an outlet's record stays as it is.
OUTLET_FIELDS = [
    "name",
    "kind",
    "chain",
    "external_id",
    "organisation_number",
    "street_address",
    "postcode",
    "town",
    "latitude",
    "longitude",
    "opening_hours",
    "agent_roles",
    "status",
    "closed_on",
    "crisis_role",
]
CONTACT_FIELDS = {
    "contact_name": "name",
    "contact_email": "email",
    "contact_phone": "phone",
}
REQUIRED_FIELDS = ["name", "kind"]
logger = logging.getLogger(__name__)
NOT_IN_FILE = object()
POSITION_FIELDS = {"latitude", "longitude", "northing", "easting"}
# Metres within which a position in a file is the stored one (see _compare).
POSITION_TOLERANCE_M = 2
# A workbook's parts unpacked, at most (a zip packs repetitive XML a thousandfold).
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        return _("line %(line)s: %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


# A change of these moves the service analysis: who depends on which shop, and how far.
ANALYSIS_FIELDS = {"kind", "position", "status"}


@dataclass
class FieldChange:
    """One field of a stored outlet that the import changes, as the user reads it."""

    field: str
    label: str
    old: str
    new: str

    @property
    def moves_analysis(self):
        return self.field in ANALYSIS_FIELDS


@dataclass
class OutletChange:
    """What the import changes in one stored outlet."""

    outlet: Outlet
    fields: list

    @property
    def moves_analysis(self):
        return any(change.moves_analysis for change in self.fields)


@dataclass
class ImportPlan:
    """What storing a file would do, worked out without writing anything."""

    row_count: int = 0
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    # For each changed outlet, which fields change from what to what.
    changes: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    new_localities: dict = field(default_factory=dict)
    contacts: list = field(default_factory=list)
    municipalities: set = field(default_factory=set)
    ignored_columns: list = field(default_factory=list)

    @property
    def invalid_lines(self):
        return sorted({error.line for error in self.errors})

    @property
    def is_valid(self):
        return not self.errors

    def summary(self):
        return {
            "rows": self.row_count,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "invalid": len(self.invalid_lines),
        }

    @property
    def moves_analysis_count(self):
        """How many changed outlets change kind, position or status."""
        return sum(change.moves_analysis for change in self.changes)


def check_file_size(size):
    limit = settings.OUTLET_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; the largest file accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_outlet_file(name, data):
    """A tablib Dataset from CSV (UTF-8, UTF-8 with BOM, Windows-1252) or XLSX bytes."""
    check_file_size(len(data))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text": UTF-16 with a byte order mark, tab separated.
        return _read_csv(data.decode("utf-16", errors="replace"))
    if b"\x00" in data[:8192]:
        raise ImportFileError(
            _(
                "The file is not a CSV or XLSX file. Save the list as CSV or as an "
                "Excel workbook (.xlsx) and try again."
            )
        )
    return _read_csv(_decode(data))


def _decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Swedish Excel saves "CSV" as Windows-1252 (now and then behind a BOM).
        return data.decode("cp1252", errors="replace")


def _read_csv(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError(
            _(
                "The file cannot be read as CSV: a cell is too long or a quotation "
                "mark is not closed. Open it in Excel and save it as CSV again."
            )
        ) from None
    if rows and rows[0] and rows[0][0].startswith("\ufeff"):
        rows[0][0] = rows[0][0][1:]
    _check_table_bounds(rows)
    return _dataset(rows)


def _read_xlsx(data):
    """The first sheet's rows, read in openpyxl's read-only mode within the bounds.

    A workbook's declared dimension is not trusted (openpyxl pads every row to it),
    and openpyxl holds every shared string: each part of the workbook is first
    scanned as it streams, counting its real rows, columns, cells and strings, and
    refused over a bound before openpyxl reads any of it.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_workbook_bounds(archive)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = [
            ["" if cell is None else cell for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        workbook.close()
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        logger.info("Unreadable XLSX upload", exc_info=True)
        raise ImportFileError(
            _("The Excel file cannot be read. Open it in Excel and save it again.")
        ) from None
    return _dataset(rows)


def _too_many(what, limit):
    """The message for a file over one of the import's bounds."""
    messages = {
        "rows": _(
            "The file has more than %(limit)s rows, the most an import accepts. "
            "Split the list into smaller files."
        ),
        "columns": _(
            "The file has more than %(limit)s columns, the most an import accepts. "
            "Remove the columns that are not needed and try again."
        ),
        "cells": _(
            "The file has more than %(limit)s filled cells, the most an import "
            "accepts. Split the list into smaller files."
        ),
        "unpacked": _(
            "The workbook unpacks to more than %(limit)s, the most an import "
            "accepts. Split the list into smaller files."
        ),
    }
    shown = filesizeformat(limit) if what == "unpacked" else intcomma(limit)
    return ImportFileError(messages[what] % {"limit": shown})


def _check_table_bounds(rows):
    """The bounds on a table read whole (a CSV file, whose bytes bound it already)."""
    if len(rows) > settings.OUTLET_IMPORT_MAX_ROWS + 1:  # the header comes on top
        raise _too_many("rows", settings.OUTLET_IMPORT_MAX_ROWS)
    if max(map(len, rows), default=0) > settings.OUTLET_IMPORT_MAX_COLUMNS:
        raise _too_many("columns", settings.OUTLET_IMPORT_MAX_COLUMNS)
    if sum(map(len, rows)) > settings.OUTLET_IMPORT_MAX_CELLS:
        raise _too_many("cells", settings.OUTLET_IMPORT_MAX_CELLS)


def _check_workbook_bounds(archive):
    """Every part of the workbook within the bounds: the unpacked size, and in each
    part streamed through expat, its rows, columns and cells (a worksheet) or its
    strings (the shared strings, fewer than the cells in an honest workbook).
    ImportFileError on the first bound passed; nothing of the parts is kept."""
    if sum(member.file_size for member in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
        raise _too_many("unpacked", XLSX_MAX_UNPACKED_BYTES)
    for member in archive.infolist():
        with archive.open(member) as part:
            try:
                _check_part_bounds(part)
            except expat.ExpatError:
                # Not XML (an image), or broken: openpyxl stops at the same place.
                continue


def _check_part_bounds(part):
    max_rows = settings.OUTLET_IMPORT_MAX_ROWS
    max_columns = settings.OUTLET_IMPORT_MAX_COLUMNS
    max_cells = settings.OUTLET_IMPORT_MAX_CELLS
    state = {"row": 0, "column": 0, "cells": 0, "strings": 0}

    def start(name, attributes):
        name = name.rpartition(":")[2]
        if name == "row":
            row = attributes.get("r")
            state["row"] = int(row) if row and row.isdigit() else state["row"] + 1
            state["column"] = 0
            if state["row"] > max_rows + 1:  # the header line comes on top
                raise _too_many("rows", max_rows)
        elif name == "c":
            letters = attributes.get("r", "").rstrip("0123456789")
            state["column"] = (
                column_index_from_string(letters)
                if letters.isalpha() and len(letters) <= 3
                else state["column"] + 1
            )
            state["cells"] += 1
            if state["column"] > max_columns:
                raise _too_many("columns", max_columns)
            if state["cells"] > max_cells:
                raise _too_many("cells", max_cells)
        elif name == "si":
            state["strings"] += 1
            if state["strings"] > max_cells:
                raise _too_many("cells", max_cells)

    def no_doctype(*args):
        raise ValueError("a DOCTYPE in a workbook part")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_doctype
    while chunk := part.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _dataset(rows):
    while rows and not any(str(cell).strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [str(cell).strip() for cell in rows[0]]
    if len(rows) == 1:
        raise ImportFileError(_("The file has a header line but no rows."))
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    overlong = []
    for line, row in enumerate(rows[1:], start=2):
        row = list(row)
        if any(str(cell).strip() for cell in row[width:]):
            overlong.append(line)
        row = row[:width]
        dataset.append(row + [""] * (width - len(row)))
    dataset.overlong_lines = overlong
    return dataset


class OutletImporter:
    """Validates a dataset for a user (None: an operator's command) and plans it.

    `municipality`: the municipality chosen on the form or with --municipality; rows
    without a municipality code belong to it.
    """

    def __init__(self, dataset, *, user=None, municipality=None):
        self.dataset = dataset
        self.user = user
        self.municipality = municipality
        self.resource = OutletResource()
        self.widgets = {
            name: resource_field.widget
            for name, resource_field in self.resource.fields.items()
        }

    def plan(self, progress=None, every=1000):
        """The plan; `progress(rows)` is called after each `every` rows read."""
        plan = ImportPlan(row_count=len(self.dataset))
        columns = self._columns(plan)
        if not plan.is_valid:
            return plan
        rows = []
        # The header is line 1 of the file, so the first row is line 2.
        for line, row in enumerate(self.dataset, start=2):
            rows.append(self._clean_row(line, row, columns, plan))
            if progress and (line - 1) % every == 0:
                progress(every)
        for line in getattr(self.dataset, "overlong_lines", []):
            plan.errors.append(
                RowError(
                    line,
                    "",
                    _(
                        "The row has more values than the header line has columns: "
                        "check for a separator inside a value."
                    ),
                )
            )
        self._match(rows, columns, plan)
        plan.errors.sort(key=lambda error: error.line)
        return plan

    def _columns(self, plan):
        """Field name -> column index; errors for missing or doubled columns."""
        columns = {}
        for index, header in enumerate(self.dataset.headers or []):
            field_name = HEADER_FIELDS.get(header_key(header))
            if field_name in EXPORT_ONLY_FIELDS:
                continue
            if field_name is None:
                if header:
                    plan.ignored_columns.append(header)
                continue
            if field_name in columns:
                plan.errors.append(
                    RowError(1, header, _("The column appears twice in the file."))
                )
            columns[field_name] = index
        missing = [name for name in REQUIRED_FIELDS if name not in columns]
        if "municipality" not in columns and self.municipality is None:
            missing.append("municipality")
        if missing:
            plan.errors.append(
                RowError(
                    1,
                    ", ".join(COLUMN_LABELS[name] for name in missing),
                    ngettext(
                        "This required column is missing. The first line must name "
                        "the columns, e.g. Namn;Typ;Kommunkod.",
                        "These required columns are missing. The first line must "
                        "name the columns, e.g. Namn;Typ;Kommunkod.",
                        len(missing),
                    ),
                )
            )
        positions = [("latitude", "longitude"), ("northing", "easting")]
        for pair in positions:
            if (pair[0] in columns) != (pair[1] in columns):
                present, absent = pair if pair[0] in columns else pair[::-1]
                plan.errors.append(
                    RowError(
                        1,
                        COLUMN_LABELS[absent],
                        _("The file has a %(present)s column but no %(absent)s.")
                        % {
                            "present": COLUMN_LABELS[present],
                            "absent": COLUMN_LABELS[absent],
                        },
                    )
                )
        return columns

    def _clean_row(self, line, row, columns, plan):
        values, errors, failed = self._cleaned_values(line, row, columns)
        errors += self._missing_values(line, values, columns)
        errors += self._check_lengths(line, values, columns)
        if not failed & POSITION_FIELDS:
            errors += self._position(line, values, columns)
        errors += self._check_email_and_closing(line, values, columns)
        if "status" in columns and values.get("status") is None:
            values["status"] = Outlet.Status.OPEN
        if values.get("status") == Outlet.Status.OPEN:
            values["closed_on"] = None
        plan.errors += errors
        return line, values, not errors

    def _cleaned_values(self, line, row, columns):
        """The row's values by field, read by each field's widget. Returns the
        values, the errors, and the fields whose value could not be read."""
        values = {}
        errors = []
        failed = set()
        for field_name, index in columns.items():
            raw = row[index]
            if isinstance(raw, str):
                raw = raw.strip()
                # Undo a spreadsheet's formula escaping ("'=..." as written on export).
                if raw[:1] == "'" and raw[1:2] in FORMULA_PREFIXES:
                    raw = raw[1:]
            widget = self.widgets.get(field_name)
            if field_name in ("northing", "easting"):
                widget = self.widgets["latitude"]
            try:
                if field_name in ("municipality", "locality") or widget is None:
                    value = "" if raw is None else str(raw).strip()
                else:
                    value = widget.clean(raw)
            except ImportValueError as error:
                errors.append(RowError(line, self.dataset.headers[index], str(error)))
                failed.add(field_name)
                continue
            values[field_name] = (
                "" if value is None and field_name in TEXT_FIELDS else value
            )
        return values, errors, failed

    def _missing_values(self, line, values, columns):
        return [
            RowError(
                line,
                self.dataset.headers[columns[field_name]],
                _("The value is missing."),
            )
            for field_name in REQUIRED_FIELDS
            if field_name in values and not values[field_name]
        ]

    def _check_email_and_closing(self, line, values, columns):
        """An e-mail address must be one; a closed outlet needs its closing date."""
        errors = []
        if values.get("contact_email"):
            try:
                validate_email(values["contact_email"])
            except ValidationError:
                errors.append(
                    RowError(
                        line,
                        self.dataset.headers[columns["contact_email"]],
                        _("“%(value)s” is not an e-mail address.")
                        % {"value": values["contact_email"]},
                    )
                )
        if values.get("status") == Outlet.Status.CLOSED and not values.get("closed_on"):
            errors.append(
                RowError(
                    line,
                    COLUMN_LABELS["closed_on"],
                    _("A closed outlet needs the date it closed (YYYY-MM-DD)."),
                )
            )
        return errors

    def _check_lengths(self, line, values, columns):
        errors = []
        for field_name, value in values.items():
            model_field = MAX_LENGTHS.get(field_name)
            if model_field and isinstance(value, str) and len(value) > model_field:
                errors.append(
                    RowError(
                        line,
                        self.dataset.headers[columns[field_name]],
                        _("The value is longer than %(limit)s characters.")
                        % {"limit": model_field},
                    )
                )
        return errors

    def _position(self, line, values, columns):
        northing, easting = values.pop("northing", None), values.pop("easting", None)
        if "latitude" not in columns and northing is not None and easting is not None:
            latitude, longitude = wgs84_from_sweref(northing, easting)
            values["latitude"] = round(latitude, 6)
            values["longitude"] = round(longitude, 6)
        elif "latitude" not in columns and "northing" in columns:
            values["latitude"] = values["longitude"] = None
        latitude, longitude = values.get("latitude"), values.get("longitude")
        if (latitude is None) != (longitude is None):
            return [
                RowError(
                    line,
                    COLUMN_LABELS["longitude" if latitude is not None else "latitude"],
                    _("Give both coordinates of the position, or neither."),
                )
            ]
        if latitude is not None and not is_in_sweden(latitude, longitude):
            column = COLUMN_LABELS["latitude" if "latitude" in columns else "northing"]
            return [
                RowError(
                    line,
                    column,
                    _(
                        "The position is not in Sweden. Check that latitude and "
                        "longitude (or N and E) are not swapped."
                    ),
                )
            ]
        return []

    def _match(self, rows, columns, plan):
        """Resolve municipalities and localities, find each row's outlet, compare."""
        resolved, by_municipality = self._with_municipalities(rows, plan)
        existing = self._existing_outlets(by_municipality, resolved)
        localities = {
            (locality.municipality_id, locality.name.lower()): locality
            for locality in Locality.objects.filter(municipality_id__in=by_municipality)
        }
        seen = {}
        for line, values, municipality in resolved:
            key = natural_key(municipality.pk, values)
            if key in seen:
                plan.errors.append(
                    RowError(
                        line,
                        COLUMN_LABELS["name"],
                        _(
                            "The same outlet as on line %(line)s (same %(key)s). Keep "
                            "one of the rows."
                        )
                        % {"line": seen[key], "key": key_label(key)},
                    )
                )
                continue
            seen[key] = line
            plan.municipalities.add(municipality.pk)
            if "locality" in values:
                values["locality"] = self._locality(
                    values, municipality, localities, plan
                )
            outlet = self._find(key, values, municipality, existing)
            if outlet is not None and outlet.municipality_id != municipality.pk:
                plan.errors.append(
                    RowError(
                        line,
                        COLUMN_LABELS["external_id"],
                        _(
                            "The external id belongs to an outlet in %(other)s. An "
                            "outlet's id cannot be reused in another municipality."
                        )
                        % {"other": outlet.municipality},
                    )
                )
                continue
            self._compare(line, values, municipality, outlet, plan)

    def _with_municipalities(self, rows, plan):
        """Each row's municipality, from its code or the import's municipality.

        A row with an unknown municipality, or one the user may not import into,
        is an error; rows with other errors are left out. Returns the (line,
        values, municipality) of the rows to match, and their municipalities by pk.
        """
        codes = {values.get("municipality") for _line, values, _ok in rows}
        known = {
            municipality.code: municipality
            for municipality in Municipality.objects.filter(code__in=codes - {""})
        }
        if self.municipality:
            known[self.municipality.code] = self.municipality
        allowed = self._allowed_municipality_ids()
        by_municipality = {}
        resolved = []
        for line, values, ok in rows:
            code = values.pop("municipality", "") or (
                self.municipality.code if self.municipality else ""
            )
            municipality = known.get(code)
            column = COLUMN_LABELS["municipality"]
            if municipality is None:
                message = (
                    _("“%(code)s” is not a Swedish municipality code (four digits).")
                    % {"code": code}
                    if code
                    else _("The municipality code is missing.")
                )
                plan.errors.append(RowError(line, column, message))
                continue
            if allowed is not None and municipality.pk not in allowed:
                plan.errors.append(
                    RowError(
                        line,
                        column,
                        _(
                            "The row is for %(row)s; you can import outlets of "
                            "%(own)s only."
                        )
                        % {"row": municipality, "own": self.user.municipality},
                    )
                )
                continue
            if ok:
                resolved.append((line, values, municipality))
                by_municipality.setdefault(municipality.pk, municipality)
        return resolved, by_municipality

    def _find(self, key, values, municipality, existing):
        """The stored outlet a row describes: by external id when the row has one,
        else (or when the register does not know the id yet) by the other keys."""
        outlet = existing.get(key)
        if outlet is None and key[0] == "external_id":
            fallback = existing.get(
                natural_key(municipality.pk, {**values, "external_id": ""})
            )
            if fallback is not None and not fallback.external_id:
                outlet = fallback
        return outlet

    def _allowed_municipality_ids(self):
        if self.user is None or self.user.is_system_owner:
            return None
        return {self.user.municipality_id}

    def _existing_outlets(self, by_municipality, resolved):
        external_ids = [
            values["external_id"]
            for _line, values, _m in resolved
            if values.get("external_id")
        ]
        outlets = (
            Outlet.objects.filter(municipality_id__in=by_municipality)
            | Outlet.objects.filter(external_id__in=external_ids)
        ).prefetch_related("contacts")
        existing = {}
        for outlet in outlets.select_related("locality"):
            for key in outlet_keys(outlet):
                existing.setdefault(key, outlet)
        return existing

    def _locality(self, values, municipality, localities, plan):
        name = values["locality"]
        if not name:
            return None
        key = (municipality.pk, name.lower())
        if key not in localities:
            # A new locality is placed where its first outlet is, until someone
            # gives it its own position.
            locality = Locality(
                municipality=municipality,
                name=name,
                latitude=values.get("latitude"),
                longitude=values.get("longitude"),
            )
            localities[key] = plan.new_localities[key] = locality
        return localities[key]

    def _compare(self, line, values, municipality, outlet, plan):
        contact = {
            CONTACT_FIELDS[name]: values.pop(name)
            for name in list(values)
            if name in CONTACT_FIELDS
        }
        locality = values.pop("locality", NOT_IN_FILE)
        if outlet is None:
            outlet = Outlet(
                municipality=municipality,
                **{name: value for name, value in values.items() if value is not None},
            )
            if locality is not NOT_IN_FILE:
                outlet.locality = locality
            plan.new.append(outlet)
            if contact.get("name"):
                plan.contacts.append(OutletContact(outlet=outlet, **contact))
            return
        self._keep_position_within_tolerance(values, outlet)
        changed = [
            name for name, value in values.items() if getattr(outlet, name) != value
        ]
        before = {name: getattr(outlet, name) for name in changed}
        for name in changed:
            setattr(outlet, name, values[name])
        if locality is not NOT_IN_FILE and locality != outlet.locality:
            before["locality"] = outlet.locality
            outlet.locality = locality
            changed.append("locality")
        contact_change = self._plan_contact(outlet, contact, plan)
        if changed or contact_change:
            plan.changed.append((outlet, changed))
            fields = field_changes(outlet, before)
            if contact_change:
                fields.append(contact_change)
            plan.changes.append(OutletChange(outlet, fields))
        else:
            plan.unchanged += 1

    @staticmethod
    def _keep_position_within_tolerance(values, outlet):
        """A position within a few metres of the stored one is the same place: a
        file in SWEREF 99 TM whole metres never gives back the stored degrees
        exactly, and such noise must not read as a move of the outlet."""
        new = (values.get("latitude"), values.get("longitude"))
        old = (outlet.latitude, outlet.longitude)
        if None in new or None in old:
            return
        if _distance_m(old, new) < POSITION_TOLERANCE_M:
            values["latitude"], values["longitude"] = old

    def _plan_contact(self, outlet, contact, plan):
        """Plan the row's contact person; the change as the preview shows it, or
        None when the contact is as stored."""
        if not contact.get("name"):
            return None
        label = _("Contact person")
        for existing in outlet.contacts.all():
            if existing.name.lower() == contact["name"].lower():
                if all(getattr(existing, k) == v for k, v in contact.items()):
                    return None
                old = _contact_display(existing)
                for name, value in contact.items():
                    setattr(existing, name, value)
                plan.contacts.append(existing)
                return FieldChange("contact", label, old, _contact_display(existing))
        new = OutletContact(outlet=outlet, **contact)
        plan.contacts.append(new)
        return FieldChange("contact", label, "–", _contact_display(new))


def _contact_display(contact):
    return ", ".join(filter(None, [contact.name, contact.email, contact.phone])) or "–"


def _display(outlet, name, value):
    """A field's value as the outlet page shows it: labels, not stored codes."""
    if value is None or value == "" or value == []:
        return "–"
    if name == "agent_roles":
        labels = dict(Outlet.AgentRole.choices)
        return ", ".join(str(labels.get(role, role)) for role in value)
    model_field = Outlet._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if name == "closed_on":
        return value.isoformat()
    return str(value)


def _position_display(latitude, longitude):
    if latitude is None or longitude is None:
        return "–"
    return f"{latitude:.5f}, {longitude:.5f}"


def _distance_m(a, b):
    """Metres between two (latitude, longitude) points, near enough for a notice."""
    north = (b[0] - a[0]) * 111_195
    east = (b[1] - a[1]) * 111_195 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def field_changes(outlet, before):
    """The changed fields of an outlet (already set to the file's values) as
    FieldChanges, latitude and longitude as one position."""
    changes = []
    position_changed = {"latitude", "longitude"} & set(before)
    for name in OUTLET_FIELDS + ["locality"]:
        if name not in before or name in ("latitude", "longitude"):
            continue
        label = str(Outlet._meta.get_field(name).verbose_name)
        changes.append(
            FieldChange(
                name,
                label[:1].upper() + label[1:],
                _display(outlet, name, before[name]),
                _display(outlet, name, getattr(outlet, name)),
            )
        )
    if position_changed:
        old = (
            before.get("latitude", outlet.latitude),
            before.get("longitude", outlet.longitude),
        )
        new = (outlet.latitude, outlet.longitude)
        new_display = _position_display(*new)
        if None not in old and None not in new:
            new_display += " " + _("(moved %(distance)s m)") % {
                "distance": intcomma(round(_distance_m(old, new)))
            }
        changes.insert(
            0,
            FieldChange(
                "position", _("Position"), _position_display(*old), new_display
            ),
        )
    # What moves the analysis first, so that it is read first.
    changes.sort(key=lambda change: not change.moves_analysis)
    return changes


TEXT_FIELDS = {
    name
    for name in OUTLET_FIELDS + list(CONTACT_FIELDS)
    if name
    not in ("latitude", "longitude", "agent_roles", "status", "closed_on", "kind")
}
MAX_LENGTHS = {
    **{
        model_field.name: model_field.max_length
        for model_field in Outlet._meta.fields
        if getattr(model_field, "max_length", None) and model_field.name in TEXT_FIELDS
    },
    "contact_name": 200,
    "contact_phone": 40,
    "contact_email": 254,
    "locality": 100,
}


def natural_key(municipality_id, values):
    """The external id when given; else organisation number and name; else name and
    postcode, within the municipality."""
    if values.get("external_id"):
        return ("external_id", values["external_id"])
    name = values.get("name", "").lower()
    if values.get("organisation_number"):
        return (
            "organisation_number",
            municipality_id,
            values["organisation_number"],
            name,
        )
    return (
        "postcode",
        municipality_id,
        name,
        values.get("postcode", "").replace(" ", ""),
    )


def outlet_keys(outlet):
    values = {
        "external_id": outlet.external_id,
        "organisation_number": outlet.organisation_number,
        "name": outlet.name,
        "postcode": outlet.postcode,
    }
    keys = [natural_key(outlet.municipality_id, values)]
    if outlet.external_id:
        keys.append(natural_key(outlet.municipality_id, {**values, "external_id": ""}))
    if outlet.organisation_number:
        keys.append(
            natural_key(
                outlet.municipality_id,
                {**values, "external_id": "", "organisation_number": ""},
            )
        )
    return keys


def key_label(key):
    return {
        "external_id": _("external id"),
        "organisation_number": _("organisation number and name"),
        "postcode": _("name and postcode"),
    }[key[0]]


@transaction.atomic
def outlet_import_store(plan, *, file_name, user=None):
    """Store a valid plan in one transaction and record it in the import history."""
    if not plan.is_valid:
        raise ValueError("An import with invalid rows stores nothing.")
    if user is not None and not can_import_outlets(user):
        raise PermissionDenied
    bulk_insert(plan.new_localities.values())
    bulk_insert(plan.new)
    changed_fields = sorted({name for _outlet, names in plan.changed for name in names})
    if changed_fields:
        Outlet.objects.bulk_update(
            [outlet for outlet, names in plan.changed if names],
            changed_fields,
            batch_size=2000,
        )
    changed_contacts = [contact for contact in plan.contacts if contact.pk]
    new_contacts = [contact for contact in plan.contacts if not contact.pk]
    bulk_insert(new_contacts)
    OutletContact.objects.bulk_update(changed_contacts, ["name", "email", "phone"])
    return OutletImport.objects.create(
        municipality_id=(
            next(iter(plan.municipalities)) if len(plan.municipalities) == 1 else None
        ),
        imported_by=user,
        file_name=file_name[:255],
        new_count=len(plan.new),
        changed_count=len(plan.changed),
        unchanged_count=plan.unchanged,
    )
