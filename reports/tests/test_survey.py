"""The customer survey in the key figures and the annual report: each service
point's answers of the year, and every question over them all."""

import datetime
import subprocess
import uuid

import pytest
from django.urls import reverse

from surveys.models import SurveyQuestion
from surveys.services import survey_questions_seed, survey_response_submit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def answer(outlet, on, *, satisfaction, km, came_for):
    questions = {
        q.kind: q for q in survey_questions_seed(municipality=outlet.municipality)
    }
    choice = next(
        q for q in SurveyQuestion.objects.filter(kind="choice").order_by("position")
    )
    survey_response_submit(
        outlet=outlet,
        nonce=uuid.uuid4(),
        answers={
            questions["satisfaction"]: satisfaction,
            questions["distance"]: km,
            choice: came_for,
        },
        today=on,
    )


@pytest.fixture
def answers_of_2025(year_of_records, own_outlet):
    """Three answers at Pers Livs in 2025 (satisfaction 3, 4, 5; 2, 7 and 30 km),
    one in 2026 that the year 2025 does not count."""
    for satisfaction, km, came_for in [
        (3, 2, "Hämta eller lämna paket"),
        (4, 7, "Hämta eller lämna paket"),
        (5, 30, "Handla mat eller drivmedel"),
    ]:
        answer(
            own_outlet,
            datetime.date(2025, 5, 1),
            satisfaction=satisfaction,
            km=km,
            came_for=came_for,
        )
    answer(
        own_outlet, datetime.date(2026, 2, 1), satisfaction=1, km=100, came_for="Annat"
    )


def test_the_key_figures_show_each_service_points_answers_of_the_year(
    client, official, answers_of_2025
):
    client.force_login(official)

    page = client.get(reverse("reports:kpis"), {"year": 2025}).text

    assert "Kundenkät 2025" in page
    row = page.split("Svar per servicepunkt")[1]
    assert (
        '<th scope="row">Pers Livs</th><td class="numeric">3</td>'
        '<td class="numeric">4,0</td><td class="numeric">7</td>'
    ) in row
    # Every question over all service points: two of three came for a parcel.
    assert 'Hämta eller lämna paket</th><td class="numeric">2</td>' in page
    assert "67&nbsp;%" in page


def test_a_year_without_answers_says_so(client, official, answers_of_2025):
    client.force_login(official)

    page = client.get(reverse("reports:kpis"), {"year": 2027}).text

    assert "Ingen kund svarade på enkäten under året." in page


def test_the_annual_report_has_the_survey_section(
    tmp_path, own_outlet, answers_of_2025
):
    from reports.documents import annual_report_render_pdf

    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2025, today=TODAY
        )
    )
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )

    assert "Kundenkät Svar per servicepunkt" in text
    section = text[text.index("Kundenkät") :]
    assert "Pers Livs" in section
    # Answers, mean satisfaction, median distance.
    assert "3 4,0 7" in section
    assert "Hämta eller lämna paket 2 67 %" in section
    # The answer of 2026 is not in the report of 2025.
    assert "Annat 0 0" in section
