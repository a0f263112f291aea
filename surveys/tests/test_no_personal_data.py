"""The public survey pages hold no personal data of the service point's people:
contact persons, the signatory, the owner's account, the crisis contact, or a sole
trader's organisation number (their personal identity number)."""

import datetime
import re

import pytest
from django.urls import reverse
from stdnum.se import personnummer

from accounts.tests.factories import UserFactory
from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory, PartyFactory
from outlets.tests.factories import OutletContactFactory, OutletFactory

pytestmark = pytest.mark.django_db

SOLE_TRADER_NUMBER = "811218-9876"


@pytest.fixture
def sole_traders_service_point():
    assert personnummer.is_valid(SOLE_TRADER_NUMBER)
    outlet = OutletFactory(
        name="Handlarn Nyåker",
        organisation_number=SOLE_TRADER_NUMBER,
        phone="0930-200 00",
        crisis_contact="Krisansvarig Sigrid Lund, 070-765 43 21",
    )
    OutletContactFactory(
        outlet=outlet,
        name="Märta Kontaktsson",
        email="marta.kontakt@nyaker.example",
        phone="070-111 22 33",
    )
    party = PartyFactory(
        municipality=outlet.municipality,
        name="Handlarn Nyåker (Gustav Ekström)",
        organisation_number=SOLE_TRADER_NUMBER,
        signatory_name="Gustav Ekström",
        email="gustav.ekstrom@nyaker.example",
    )
    AgreementFactory(
        outlet=outlet,
        municipality=outlet.municipality,
        party=party,
        state=Agreement.State.SIGNED,
        signed_on=datetime.date(2024, 12, 1),
        starts_on=datetime.date(2025, 1, 1),
    )
    UserFactory(
        shop_owner=True,
        email="gustav.owner@nyaker.example",
        full_name="Gustav Ägarsson",
        outlets=[outlet],
    )
    return outlet


PERSONAL = [
    SOLE_TRADER_NUMBER,
    "8112189876",
    "19811218",
    "Sigrid Lund",
    "070-765 43 21",
    "Märta Kontaktsson",
    "marta.kontakt@nyaker.example",
    "070-111 22 33",
    "Gustav",
    "Ekström",
    "gustav.ekstrom@nyaker.example",
    "gustav.owner@nyaker.example",
    "Ägarsson",
    "@nyaker.example",
]


def test_the_survey_pages_never_show_the_service_points_people(
    client, settings, sole_traders_service_point
):
    outlet = sole_traders_service_point
    answer_url = reverse("surveys:answer", kwargs={"pk": outlet.pk})
    pages = [
        client.get(answer_url),
        client.post(answer_url, {}),  # the form again, with its errors
        client.get(reverse("surveys:thanks", kwargs={"pk": outlet.pk})),
    ]
    settings.SURVEY_ANSWERS_PER_MINUTE = 0

    token = re.search(r'name="token" value="([^"]+)"', pages[0].text).group(1)
    question = re.search(r'name="(question_\d+)" value="([^"]+)"', pages[0].text)
    pages.append(
        client.post(answer_url, {"token": token, question[1]: question[2]})
    )  # refused: too many

    assert [page.status_code for page in pages] == [200, 400, 200, 429]
    for page in pages:
        text = page.content.decode()
        assert "Handlarn Nyåker" in text
        found = [value for value in PERSONAL if value in text]
        assert found == [], (page.request["PATH_INFO"], found)
