"""The finance system's file (issue 16, point 10): what a municipal finance system
needs to pay, or claim back, per line; confirmed bank details only; no sums line,
which an import could read as a payment to nobody (the page shows the sums)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Party, PayoutRecovery, ProgrammeSettings
from agreements.services import (
    FINANCE_COLUMNS,
    agreement_mark_ready,
    party_save,
    payout_approve,
    payout_mark_paid,
)
from agreements.tests.test_services import sign_both

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(official, colleague, shop_owner, draft, nordmaling):
    """A quarterly agreement with no condition; its first two payouts approved,
    the first paid and partly claimed back."""
    ProgrammeSettings.objects.create(
        municipality=nordmaling, accounting_code="4590 1234 56"
    )
    Party.objects.filter(pk=draft.party_id).update(
        supplier_number="LEV-10442", plusgiro="123456-6"
    )
    version = draft.first_version()
    version.payout_frequency_months = 3
    version.payout_requires_followup = False
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    first, second = draft.payouts.order_by("period_start")[:2]
    for payout in (first, second):
        payout_approve(payout=payout, by=colleague)
    payout_mark_paid(payout=first, by=colleague)
    PayoutRecovery.objects.create(
        payout=first,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        amount=3_000,
        vat_amount=750,
        reason="Stängt i mars.",
    )
    draft.refresh_from_db()
    return draft


def export_of(client, user):
    client.force_login(user)
    response = client.get(reverse("agreements:payout_export"))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_file_names_what_a_finance_system_needs(client, approved, colleague):
    payout, recovery = export_of(client, colleague)

    assert payout == {
        "Avtal": approved.reference,
        "Betalningsmottagare": "Pers Livs AB",
        "Organisationsnummer": "556036-0793",
        "Leverantörsnummer": "LEV-10442",
        "Bankgiro": "5050-1055",
        "Plusgiro": "123456-6",
        "Belopp exkl. moms": "10000",
        "Moms": "2500",
        "Totalt": "12500",
        "Period från": "2026-04-01",
        "Period till": "2026-06-30",
        "Förfallodag": "2026-07-31",
        "Kontering": "4590 1234 56",
        "Avser": "Utbetalning",
    }
    assert recovery | {"Förfallodag": ""} == payout | {
        "Belopp exkl. moms": "-3000",
        "Moms": "-750",
        "Totalt": "-3750",
        "Period från": "2026-03-01",
        "Period till": "2026-03-31",
        "Förfallodag": "",
        "Avser": "Återkrav",
    }
    assert recovery["Förfallodag"] == timezone.localdate().isoformat()


def test_every_line_of_the_file_has_a_payee_and_the_page_shows_the_sums(
    client, approved, colleague
):
    lines = export_of(client, colleague)

    assert [line["Avser"] for line in lines] == ["Utbetalning", "Återkrav"]
    assert all(line["Betalningsmottagare"] and line["Avtal"] for line in lines)
    page = client.get(reverse("agreements:payout_list")).content.decode()
    assert (
        "Filen: 1 godkänd utbetalning och 1 återkrav, sammanlagt 7 000 kr exkl. moms "
        "(8 750 kr inkl. moms)." in page.replace("\xa0", " ")
    )


def test_new_bank_details_waiting_for_confirmation_are_not_exported(
    client, approved, colleague, official
):
    party = Party.objects.get(pk=approved.party_id)
    party.bankgiro = "5050-1030"
    party_save(party=party, by=official)
    assert Party.objects.get(pk=party.pk).has_pending_bank_details

    for line in export_of(client, colleague):
        assert (line["Bankgiro"], line["Plusgiro"]) == ("5050-1055", "123456-6")


def test_a_party_whose_details_were_never_confirmed_has_no_account_in_the_file(
    client, approved, colleague
):
    # Approved payouts cannot exist for such a party; its recoveries can (its
    # details entered anew before anyone confirmed them, say): claimed back
    # without an account number nobody has checked.
    Party.objects.filter(pk=approved.party_id).update(
        bank_details_confirmed_at=None, bank_details_confirmed_by=None
    )

    lines = export_of(client, colleague)

    assert [line["Avser"] for line in lines] == ["Utbetalning", "Återkrav"]
    for line in lines:
        assert (line["Bankgiro"], line["Plusgiro"]) == ("", "")
        assert line["Betalningsmottagare"] == "Pers Livs AB"


def test_an_empty_file_has_its_header_only(client, colleague):
    client.force_login(colleague)
    response = client.get(reverse("agreements:payout_export"))
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows == [FINANCE_COLUMNS]
