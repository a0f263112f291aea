"""Exporting the outlet register in the columns the import reads.

CSV is UTF-8 with a byte order mark and semicolons, so that it opens right in Swedish
Excel; XLSX is a plain workbook. Cells that a spreadsheet would run as a formula are
written as text.
"""

import csv
import io

from django.utils import translation

from outlets.importing import FORMULA_PREFIXES
from outlets.resources import OutletResource

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def outlet_export(outlets, export_format, *, records_visible_for=None):
    """The outlets as CSV or XLSX bytes.

    `records_visible_for`: ids of the outlets whose record columns (organisation number,
    contact) may be written; None writes them for all (an operator's command).
    """
    outlets = outlets.select_related("municipality", "locality").prefetch_related(
        "contacts"
    )
    with translation.override("sv"):
        dataset = OutletResource(records_visible_for=records_visible_for).export(
            outlets
        )
    rows = [[escape_formula(value) for value in row] for row in dataset]
    if export_format == "xlsx":
        return _xlsx(dataset.headers, rows)
    return _csv(dataset.headers, rows)


def escape_formula(value):
    """Spreadsheets run cells that start like a formula; make them plain text."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


def _csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(headers, rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Försäljningsställen")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
