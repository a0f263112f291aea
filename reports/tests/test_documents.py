"""The annual report, checked with poppler-utils and rendered to images."""

import datetime
import re
import subprocess

import pytest

from reports.documents import annual_report_render_pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pdf_path(tmp_path, year_of_records, own_outlet):
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2025, today=TODAY
        )
    )
    return str(path)


def test_the_report_names_municipality_year_service_point_and_compensation(pdf_path):
    text = " ".join(run("pdftotext", pdf_path, "-").split())

    for expected in [
        "Nordmalings kommun",
        "Årsrapport 2025",
        "Pers Livs",
        "40 000 kr",
        "Utbildningar",
    ]:
        assert expected in text


def test_the_report_is_pdf_a_3a(pdf_path):
    metadata = run("pdfinfo", "-meta", pdf_path)

    assert re.search(r'pdfaid:part(="|>)3', metadata)
    assert re.search(r'pdfaid:conformance(="|>)A', metadata)
    assert re.search(r"^Tagged:\s+yes$", run("pdfinfo", pdf_path), re.MULTILINE)


def test_every_font_is_embedded(pdf_path):
    rows = run("pdffonts", pdf_path).splitlines()[2:]

    assert rows
    for row in rows:
        name, *_columns, emb, _sub, _uni, _object, _generation = row.split()
        assert emb == "yes", row
        assert "Source-Sans-3" in name, row


def test_two_renders_on_one_day_are_byte_identical(year_of_records, own_outlet):
    def render():
        return annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2025, today=TODAY
        )

    assert render() == render()


def test_the_pages_render_to_images(tmp_path, pdf_path):
    run("pdftoppm", "-png", "-r", "60", pdf_path, str(tmp_path / "page"))

    assert sorted(tmp_path.glob("page-*.png"))
