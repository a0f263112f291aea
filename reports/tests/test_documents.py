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


def test_the_report_of_a_year_holds_its_follow_ups_actions_and_grant_claim(
    tmp_path, year_of_records, own_outlet
):
    from deliveries.models import Delivery

    Delivery.objects.create(
        outlet=own_outlet,
        delivered_on=datetime.date(2026, 3, 10),
        household_reference="H-017",
        cost=150,
    )
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2026, today=TODAY
        )
    )

    text = " ".join(run("pdftotext", str(path), "-").split())

    for expected in [
        "Årsrapport 2026",
        "Pers Livs, avtalsår 1 (2025-01-01 – 2025-12-31)",
        "Förfaller 2026-03-01: klar.",
        "Bedömning: Servicepunkten fungerar väl.",
        "Ny skylt vid vägen Kommunen",
        "+8,3 %",
        "Uppnått",
        # 150 kr net: the grant is half, 75 kr, under the cap of 100 kr.
        "Totalt 1 150 kr 75 kr",
    ]:
        assert expected in text, expected


def test_the_report_lists_the_years_trainings_and_activities(
    tmp_path, year_of_records, own_outlet
):
    from followup.models import Activity, Training

    training = Training.objects.create(
        municipality=own_outlet.municipality,
        held_on=datetime.date(2026, 4, 20),
        topic=Training.Topic.CRISIS,
        organiser="Länsstyrelsen Västerbotten",
        participant_count=4,
    )
    training.outlets.add(own_outlet)
    Activity.objects.create(
        outlet=own_outlet,
        held_on=datetime.date(2026, 5, 6),
        title="Fika och hjälp med BankID",
        participants=12,
    )
    Activity.objects.create(
        outlet=own_outlet, held_on=datetime.date(2025, 5, 6), title="Förra årets träff"
    )
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2026, today=TODAY
        )
    )

    text = " ".join(run("pdftotext", str(path), "-").split())

    trainings, activities = text.split("Utbildningar för servicepunkternas personal")[
        1
    ].split("Aktiviteter på servicepunkterna")
    for expected in ["2026-04-20", "Krisberedskap", "Länsstyrelsen Västerbotten"]:
        assert expected in trainings, expected
    for expected in ["Pers Livs", "2026-05-06", "Fika och hjälp med BankID", "12"]:
        assert expected in activities, expected
    assert "Förra årets träff" not in text
