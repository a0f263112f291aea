"""An outlet file cannot take the server's memory: XLSX and CSV are read within bounds.

The bound under test: reading a crafted 5 KB workbook allocates at most 50 MB
(Python allocations, measured with tracemalloc). Before these bounds, a sheet
declaring A1:XFD3000 took about 400 MB here and A1:XFD1048576 ran out of memory.
"""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.storage import default_storage
from openpyxl import Workbook

from outlets.import_runs import PENDING_DIR
from outlets.importing import ImportFileError, read_outlet_file
from outlets.models import Outlet, OutletImport, OutletImportRun
from outlets.tests.imports import upload

pytestmark = pytest.mark.django_db

MEMORY_BOUND = 50 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def cell(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def crafted_workbook(dimension, rows):
    """A real workbook whose first sheet is replaced by the given XML: a declared
    dimension and rows as {row number: [(cell reference, text)]}."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    sheet_data = "".join(
        f'<row r="{number}">'
        + "".join(cell(ref, text) for ref, text in cells)
        + "</row>"
        for number, cells in rows.items()
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    output = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = sheet.encode() if item.filename == SHEET else source.read(item)
            target.writestr(item.filename, data)
    return output.getvalue()


HEADER = [("A1", "Namn"), ("B1", "Typ"), ("C1", "Kommunkod")]


def read_measured(data):
    """read_outlet_file's result (or its error) and the peak of Python allocations."""
    tracemalloc.start()
    try:
        try:
            result = read_outlet_file("lista.xlsx", data)
        except ImportFileError as error:
            result = error
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


def test_sheet_declaring_a1_xfd3000_with_a_cell_on_row_3000_is_read_within_bound():
    data = crafted_workbook("A1:XFD3000", {1: HEADER, 3000: [("A3000", "Pers Livs")]})
    assert len(data) < 6 * 1024
    dataset, peak = read_measured(data)
    assert peak < MEMORY_BOUND
    assert dataset.headers == ["Namn", "Typ", "Kommunkod"]
    assert len(dataset) == 2999
    assert dataset[-1] == ("Pers Livs", "", "")


def test_sheet_declaring_a1_xfd1048576_with_a_cell_on_the_last_row_is_refused():
    data = crafted_workbook(
        "A1:XFD1048576", {1: HEADER, 1048576: [("A1048576", "Pers Livs")]}
    )
    assert len(data) < 6 * 1024
    error, peak = read_measured(data)
    assert peak < MEMORY_BOUND
    assert str(error) == (
        "Filen har fler än 100\xa0000 rader, det mesta en import tar emot. "
        "Dela upp listan i mindre filer."
    )


def test_a_cell_in_the_last_column_is_refused():
    data = crafted_workbook("A1:C2", {1: HEADER, 2: [("XFD2", "x")]})
    error, peak = read_measured(data)
    assert peak < MEMORY_BOUND
    assert "fler än 200 kolumner" in str(error)


def test_more_filled_cells_than_the_bound_are_refused(settings):
    settings.OUTLET_IMPORT_MAX_CELLS = 10
    rows = {1: HEADER} | {
        number: [(f"A{number}", "a"), (f"B{number}", "b")] for number in range(2, 7)
    }
    error, _ = read_measured(crafted_workbook("A1:C6", rows))
    assert "fler än 10 ifyllda celler" in str(error)


def test_a_csv_file_over_the_row_bound_is_refused(settings):
    settings.OUTLET_IMPORT_MAX_ROWS = 3
    data = ("Namn;Typ\n" + "a;b\n" * 4).encode()
    with pytest.raises(ImportFileError, match="fler än 3 rader"):
        read_outlet_file("lista.csv", data)
    read_outlet_file("lista.csv", ("Namn;Typ\n" + "a;b\n" * 3).encode())


def test_a_workbook_that_unpacks_beyond_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr("outlets.importing.XLSX_MAX_UNPACKED_BYTES", 1000)
    data = crafted_workbook("A1:C1", {1: HEADER})
    with pytest.raises(ImportFileError, match="packas upp till mer än"):
        read_outlet_file("lista.xlsx", data)


def test_the_import_page_refuses_the_bomb_with_a_message_and_stores_nothing(
    client, administrator
):
    data = crafted_workbook(
        "A1:XFD1048576", {1: HEADER, 1048576: [("A1048576", "Pers Livs")]}
    )
    client.force_login(administrator)
    response = upload(client, data, "lista.xlsx")
    assert response.status_code == 200
    assert "Filen har fler än 100\xa0000 rader" in response.content.decode()
    assert not Outlet.objects.exists()
    assert not OutletImport.objects.exists()
    run = OutletImportRun.objects.get()
    assert (run.status, run.stored_file) == ("failed", "")
    assert default_storage.listdir(PENDING_DIR)[1] == []
