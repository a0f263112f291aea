"""The customer survey's answers of a follow-up's period on the follow-up page."""

import datetime
import uuid

import pytest
from django.urls import reverse

from followup.models import FollowUp
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from surveys.services import survey_questions_seed, survey_response_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_year(own_outlet):
    agreement = signed_agreement(own_outlet, requires_followup=False)
    followups_create_for(agreement=agreement, today=datetime.date(2026, 6, 1))
    return FollowUp.objects.get(agreement=agreement, agreement_year=1)


def answer(outlet, on, **by_kind):
    questions = {
        q.kind: q for q in survey_questions_seed(municipality=outlet.municipality)
    }
    survey_response_submit(
        outlet=outlet,
        nonce=uuid.uuid4(),
        answers={questions[kind]: value for kind, value in by_kind.items()},
        today=on,
    )


def test_the_follow_up_shows_what_customers_answered_in_its_period(
    client, official, own_outlet, first_year
):
    assert (first_year.period_start, first_year.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    answer(own_outlet, datetime.date(2025, 3, 1), satisfaction=5, distance=3)
    answer(own_outlet, datetime.date(2025, 11, 30), satisfaction=4, distance=15)
    # Outside the period: another year's follow-up counts it.
    answer(own_outlet, datetime.date(2026, 1, 2), satisfaction=1, distance=400)
    client.force_login(official)

    page = client.get(
        reverse("followup:followup_detail", kwargs={"pk": first_year.pk})
    ).text

    section = page.split('id="survey-heading"')[1].split("</section>")[0]
    assert "2 svar." in section
    assert "Svar lämnade från 2025-01-01 till 2025-12-31." in section
    assert "medelvärde 4,5" in section
    assert "median 9 km" in section
    assert '<th scope="row">5 – mycket nöjd</th><td class="numeric">1</td>' in section
    assert '<th scope="row">11–20 km</th><td class="numeric">1</td>' in section
    assert '<th scope="row">Mer än 20 km</th><td class="numeric">0</td>' in section
    assert reverse("surveys:answer", kwargs={"pk": own_outlet.pk}) in section
    client.cookies["django_language"] = "en"
    english = client.get(
        reverse("followup:followup_detail", kwargs={"pk": first_year.pk})
    ).text
    assert '<th scope="row">More than 20 km</th>' in english
    # The municipality's own question stays Swedish, and says so (WCAG 3.1.2).
    assert '<span lang="sv">Hur långt har du rest hit (km)?</span>' in english


def test_a_follow_up_without_answers_says_so(client, official, first_year):
    client.force_login(official)

    page = client.get(
        reverse("followup:followup_detail", kwargs={"pk": first_year.pk})
    ).text

    assert "Ingen kund har svarat på enkäten under perioden." in page
