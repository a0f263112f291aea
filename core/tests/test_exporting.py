import io

from openpyxl import load_workbook

from core.exporting import csv_bytes, xlsx_bytes


def test_csv_opens_in_swedish_excel_and_runs_no_formula():
    data = csv_bytes(["Namn", "Antal"], [["=HYPERLINK(1)", 3], ["Pers Livs", None]])

    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == [
        "Namn;Antal",
        "'=HYPERLINK(1);3",
        "Pers Livs;",
    ]


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    data = xlsx_bytes(
        ["Namn", "Lat", "Antal"],
        [["=1+1", "63,7", 4]],
        title="A sheet with a title longer than Excel's 31 characters",
        numeric_columns=("Lat",),
    )

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "A sheet with a title longer tha"
    name, latitude, count = next(sheet.iter_rows(min_row=2, values_only=True))
    assert (name, latitude, count) == ("=1+1", 63.7, 4)
    assert sheet["A2"].data_type == "s"
