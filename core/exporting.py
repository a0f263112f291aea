"""The one export writer: CSV for Swedish Excel and plain XLSX workbooks.

Every export of the app (the register, the analysis tables, the home-delivery
summary, the payouts for the finance system) writes through here;
servicepunkter/tests/test_exports.py holds each export address to that.

CSV is UTF-8 with a byte order mark and semicolons, so that it opens right in Swedish
Excel; XLSX is a plain workbook whose numbers and dates stay numbers and dates. Text
is text in both: in CSV a cell that a spreadsheet would run as a formula gets a
leading apostrophe; in XLSX every text cell is written as a string, never a formula.
"""

import csv
import datetime
import io
import re

from django.utils import timezone

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What a spreadsheet takes for the start of a formula (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain number written as text ("-12", "-1 234,5"): a spreadsheet reads it as the
# number it is, so it keeps its minus sign instead of an apostrophe.
PLAIN_NUMBER = re.compile(r"-?\d[\d\u00a0\u202f ]*([.,]\d+)?")

# Control characters an XLSX file cannot hold (openpyxl refuses them).
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_formula(value):
    """Spreadsheets run cells that start like a formula; make them plain text."""
    if (
        isinstance(value, str)
        and value[:1] in FORMULA_PREFIXES
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_bytes(headers, rows):
    """UTF-8 with a byte order mark and semicolons: opens right in Swedish Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(header) for header in headers])
    writer.writerows([escape_formula(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class _Line:
    """A file-like object whose write returns what it was given, so csv.writer
    yields one line at a time."""

    def write(self, value):
        return value


def csv_lines(headers, rows):
    """The same CSV as `csv_bytes`, line by line, for a StreamingHttpResponse: an
    export of any length is written without holding it in memory."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([escape_formula(h) for h in headers])).encode()
    for row in rows:
        yield writer.writerow([escape_formula(value) for value in row]).encode()


def xlsx_bytes(headers, rows, *, title, numeric_columns=()):
    """A plain workbook: a header row, then the rows. Numbers and dates keep their
    type, and so do the columns headed `numeric_columns` where they hold text
    ("63,7"); every text cell is a string, whatever it starts with."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, header) for header in headers])
    numeric = {
        index for index, header in enumerate(headers) if header in numeric_columns
    }
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in numeric and isinstance(value, str) and value:
                value = float(value.replace(",", "."))
            cells.append(_xlsx_cell(sheet, value))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    """A cell holding `value`: text as a string cell (openpyxl would take text
    starting with "=" for a formula), times in local time (Excel has no zones)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=XLSX_ILLEGAL.sub("", value))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)
