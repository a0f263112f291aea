"""Exporting the outlet register in the columns the import reads.

CSV is UTF-8 with a byte order mark and semicolons, so that it opens right in Swedish
Excel; XLSX is a plain workbook. Cells that a spreadsheet would run as a formula are
written as text.
"""

import csv
import io

from django.utils import translation

from outlets.importing import FORMULA_PREFIXES
from outlets.resources import COLUMN_LABELS, OutletResource

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
    if export_format == "xlsx":
        return _xlsx(dataset.headers, list(dataset))
    return csv_bytes(
        dataset.headers, [[escape_formula(v) for v in row] for row in dataset]
    )


def escape_formula(value):
    """Spreadsheets run cells that start like a formula; make them plain text."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


def csv_bytes(headers, rows):
    """UTF-8 with a byte order mark and semicolons: opens right in Swedish Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(headers, rows):
    """Positions as numbers; text that looks like a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Försäljningsställen")
    sheet.append(headers)
    numeric = {
        index
        for index, header in enumerate(headers)
        if header in (COLUMN_LABELS["latitude"], COLUMN_LABELS["longitude"])
    }
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in numeric and value:
                value = float(value.replace(",", "."))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
