"""The one export writer: CSV for Swedish Excel and plain XLSX workbooks.

CSV is UTF-8 with a byte order mark and semicolons, so that it opens right in Swedish
Excel; XLSX is a plain workbook whose numbers stay numbers. Cells that a spreadsheet
would run as a formula are written as text in both.
"""

import csv
import io

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What a spreadsheet takes for the start of a formula (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    writer.writerows([escape_formula(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers, rows, *, title, numeric_columns=()):
    """A plain workbook: a header row, then the rows. Numbers stay numbers, and so
    do the columns headed `numeric_columns` where they hold text ("63,7");
    text that looks like a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(headers)
    numeric = {
        index for index, header in enumerate(headers) if header in numeric_columns
    }
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in numeric and isinstance(value, str) and value:
                value = float(value.replace(",", "."))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
