from datetime import date

import pytest
from django.utils import timezone

from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

SITE = "https://servicepunkter.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def agreement_with_deadlines(outlet):
    """Signed at the start of last year for three years, then a year at a time with
    three months' notice: its notice deadline and decision date fall next year; one
    follow-up and one yearly payout fall due in the window around today."""
    today = timezone.localdate()
    starts_on = date(today.year - 1, 1, 1)
    agreement = signed_agreement(
        outlet,
        starts_on=starts_on,
        frequency_months=12,
        requires_followup=False,
        payouts_planned_on=starts_on,
    )
    followups_create_for(agreement=agreement, today=today)
    return agreement


@pytest.fixture
def pers_livs_agreement(own_outlet):
    return agreement_with_deadlines(own_outlet)


@pytest.fixture
def rundvik_agreement():
    return agreement_with_deadlines(OutletFactory(name="Handlarn Rundvik"))


@pytest.fixture
def umea_agreement():
    return agreement_with_deadlines(
        OutletFactory(name="Lanthandeln i Umeå", municipality=municipality("2480"))
    )
