"""Fixtures of the agreements tests: a catalogue, a party and a draft agreement."""

from datetime import date

import pytest

from accounts.tests.factories import UserFactory
from agreements.models import Party, Service
from agreements.services import (
    ServiceLine,
    agreement_create,
    party_confirm_bank_details,
    party_save,
    service_catalogue_seed,
)

TERMS = {
    "decision_registration_number": "KS 2025/118",
    "decision_body": "Kommunstyrelsen",
    "decision_date": date(2025, 12, 9),
    "decision_paragraph": "212",
    "space": "Mötesplats med fyra bord vid entrén.",
    "annual_compensation": None,
    "compensation_justification": "",
    "vat_rate_percent": 25,
    "payout_frequency_months": 12,
    "payout_timing": "arrears",
    "payment_days": 30,
    "payout_requires_followup": True,
    "payout_requires_report": False,
    "payout_condition_year": "previous",
    "starts_on": date(2026, 1, 1),
    "initial_term_months": 36,
    "extension_months": 12,
    "notice_period_months": 3,
    "decision_lead_days": 30,
}


@pytest.fixture
def catalogue(nordmaling):
    service_catalogue_seed(municipality=nordmaling)
    return list(Service.objects.filter(municipality=nordmaling))


@pytest.fixture
def colleague():
    """A second official of Nordmaling: the attestation rules need two people."""
    return UserFactory(email="colleague@nordmaling.example")


def party_entered(official):
    return party_save(
        party=Party(
            name="Pers Livs AB",
            organisation_number="5560360793",
            bankgiro="5050-1055",
            signatory_name="Per Lindberg",
            signatory_title="VD",
        ),
        by=official,
    )


@pytest.fixture
def unconfirmed_party(official):
    """A party whose bank details the official entered and nobody has confirmed."""
    return party_entered(official)


@pytest.fixture
def party(official):
    """A party whose bank details the official entered and an administrator
    confirmed (other apps' tests import this fixture alone)."""
    return party_confirm_bank_details(
        party=party_entered(official),
        by=UserFactory(administrator=True, email="confirmer@nordmaling.example"),
    )


def lines(catalogue, count=4, fee=10_000):
    return [ServiceLine(service, fee) for service in catalogue[:count]]


@pytest.fixture
def draft(official, own_outlet, party, catalogue):
    return agreement_create(
        by=official,
        outlet=own_outlet,
        party=party,
        version_fields=dict(TERMS),
        services=lines(catalogue),
    )
