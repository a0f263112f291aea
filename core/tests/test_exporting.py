import io

from openpyxl import load_workbook

from core.exporting import csv_bytes, csv_lines, xlsx_bytes


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


def test_csv_escapes_every_formula_start_but_not_a_plain_negative_number():
    data = csv_bytes(
        ["A"],
        [["+1+1"], ["-2+3"], ["@SUM(A1)"], ["\tx"], ["-12"], ["-1 234,5"], [-7]],
    )

    assert data.decode("utf-8-sig").splitlines()[1:] == [
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "-12",
        "-1 234,5",
        "-7",
    ]


def test_xlsx_writes_text_as_strings_and_keeps_numbers_and_dates():
    import datetime
    from decimal import Decimal

    data = xlsx_bytes(
        ["Text", "Tal", "Datum"],
        [
            ["+1+1", Decimal("12.50"), datetime.date(2026, 4, 1)],
            ["@SUM(A1)", -3, None],
            ["Pers\x07 Livs", 0.5, None],
        ],
        title="Blad",
    )

    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == ["+1+1", "@SUM(A1)", "Pers Livs"]
    assert {row[0].data_type for row in rows} == {"s"}
    assert [row[1].value for row in rows] == [12.5, -3, 0.5]
    assert {row[1].data_type for row in rows} == {"n"}
    assert rows[0][2].is_date
    assert rows[0][2].value.date() == datetime.date(2026, 4, 1)


def test_streamed_csv_is_the_same_file_one_line_at_a_time():
    headers = ["Namn", "Belopp"]
    rows = [["=HYPERLINK(1)", -12], ['Åsa "Kiosken"; Nås', 1250]]

    lines = list(csv_lines(headers, iter(rows)))

    assert len(lines) == 3
    assert b"".join(lines) == csv_bytes(headers, rows)
