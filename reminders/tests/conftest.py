from datetime import date

import pytest

from accounts.tests.factories import UserFactory
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://servicepunkter.example.se"


@pytest.fixture
def agreement(own_outlet):
    """Pers Livs' agreement, in force since 2025-01-01, yearly in arrears."""
    return signed_agreement(own_outlet)


@pytest.fixture
def followups(agreement):
    """Agreement years 1 and 2: the first report is due on 2026-03-01."""
    followups_create_for(agreement=agreement, today=date(2026, 2, 20))
    return list(agreement.followups.order_by("agreement_year"))


@pytest.fixture
def bystanders(own_outlet):
    """People who must never hear of Pers Livs' events."""
    return [
        UserFactory(
            shop_owner=True,
            email="former@perslivs.example",
            outlets=[own_outlet],
            is_active=False,
        ),
        UserFactory(
            shop_owner=True,
            email="owner@bylivs.example",
            outlets=[OutletFactory(name="Byns Livs")],
        ),
        UserFactory(email="former@nordmaling.example", is_active=False),
        UserFactory(email="official@umea.example", municipality=municipality("2480")),
    ]
