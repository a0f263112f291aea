"""The annual report accounts for the choices of service point: per locality the
latest one decided by the end of the year, with the outlets considered and why."""

import datetime
import re
import subprocess

import pytest

from outlets.models import Locality, ServicePointChoice
from outlets.tests.factories import LocalityFactory, OutletFactory
from reports.documents import annual_report_render_pdf

pytestmark = pytest.mark.django_db


def choice(locality, chosen, considered, *, decided, reason):
    made = ServicePointChoice.objects.create(
        locality=locality,
        chosen=chosen,
        reason=reason,
        decision_body="Kommunstyrelsen",
        decision_date=decided,
        decision_paragraph="34",
    )
    made.considered.set(considered)
    return made


def test_the_annual_report_shows_the_latest_choice_decided_by_the_years_end(
    nordmaling,
):
    rundvik = LocalityFactory(
        name="Rundvik",
        classification=Locality.Classification.STRATEGIC,
        classification_motivation="Kustbyarnas butik.",
    )
    handlarn = OutletFactory(name="Handlarn Rundvik", locality=rundvik)
    tempo = OutletFactory(name="Tempo Sunnansjö", locality=None)
    choice(
        rundvik,
        tempo,
        [handlarn, tempo],
        decided=datetime.date(2019, 3, 1),
        reason="Tidigare val.",
    )
    choice(
        rundvik,
        handlarn,
        [handlarn, tempo],
        decided=datetime.date(2024, 5, 12),
        reason="Längst öppettider och plats för paketutlämning.",
    )
    choice(
        rundvik,
        tempo,
        [handlarn, tempo],
        decided=datetime.date(2026, 2, 1),
        reason="Ett senare val, efter året.",
    )

    pdf = annual_report_render_pdf(
        municipality=nordmaling, year=2025, today=datetime.date(2026, 3, 1)
    )
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )

    assert "Val av servicepunkt" in text
    assert "Rundvik: Handlarn Rundvik" in text
    assert re.search(r"Handlarn Rundvik, Tempo Sunnansjö", text)
    assert "Längst öppettider och plats för paketutlämning." in text
    assert "Kommunstyrelsen 2024-05-12 § 34" in text
    assert "Tidigare val." not in text
    assert "Ett senare val" not in text
