"""No official commits the municipality's money alone, in the browser (issue 14): an
agreement above the range waits for an administrator, and its payout for a second
official."""

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.tests.factories import UserFactory
from agreements.models import Agreement, Party, Payout
from agreements.services import party_confirm_bank_details, party_save
from agreements.tests.test_browser import sign_out
from outlets.models import Outlet

pytestmark = pytest.mark.browser

OUTLET = "Lanthandeln i Öre"
FIRST_OFFICIAL = "handlaggare@nordmaling.example"
SECOND_OFFICIAL = "handlaggare2@nordmaling.example"
ADMINISTRATOR = "administrator@nordmaling.example"


@pytest.fixture
def ore_owner(demo):
    """Öre's owner with an account, and its party, whose bank details the
    administrator entered and the second official confirmed."""
    outlet = Outlet.objects.get(name=OUTLET)
    party = party_save(
        party=Party(
            name="Öre Lanthandel AB",
            organisation_number="556036-0793",
            bankgiro="5050-1055",
            signatory_name="Eva Öberg",
            signatory_title="VD",
        ),
        by=User.objects.get(email=ADMINISTRATOR),
    )
    party_confirm_bank_details(party=party, by=User.objects.get(email=SECOND_OFFICIAL))
    owner = UserFactory(
        shop_owner=True, email="eva@orelanthandel.example", outlets=[outlet]
    )
    owner.set_password(DEMO_PASSWORD)
    owner.save()
    return owner


def main_text(browser):
    return browser.page.inner_text("main").replace("\xa0", " ")


def click(browser, name):
    browser.page.get_by_role("button", name=name, exact=True).click()
    browser.page.wait_for_load_state()


def test_an_agreement_above_the_range_needs_an_administrator_and_a_second_official(
    browser, ore_owner
):
    page = browser.page

    # The official drafts an agreement at 60 000 kr a year.
    browser.sign_in(FIRST_OFFICIAL, DEMO_PASSWORD)
    browser.goto("/agreements/new/")
    page.get_by_label("Försäljningsställe:", exact=True).select_option(label=OUTLET)
    page.get_by_label("Avtalspart:", exact=True).select_option(
        label="Öre Lanthandel AB"
    )
    page.get_by_label("Diarienummer").fill("KS 2026/91")
    page.get_by_label("Beslutande organ").fill("Kommunstyrelsen")
    page.get_by_label("Beslutsdatum").fill("2026-10-14")
    page.get_by_label("Startdatum").fill("2026-11-01")
    for service in ("Kommuninformation", "Blankettservice", "Mötesplats"):
        page.get_by_label(service, exact=True).check()
    page.get_by_label("Årlig ersättning").fill("60000")
    page.get_by_label("Motivering").fill("Byns enda butik; lång väg till tätorten.")
    page.get_by_label("Utbetalning kräver att årets uppföljning är klar").uncheck()
    click(browser, "Spara utkast")
    agreement = Agreement.objects.get(outlet__name=OUTLET)

    # Making it ready is refused until an administrator approves the amount.
    click(browser, "Gör klart för underskrift")
    text = main_text(browser)
    assert (
        "60 000 kr per år ligger utanför det rekommenderade intervallet "
        "30 000 kr–50 000 kr."
    ) in text
    assert "En administratör måste godkänna ersättningen" in text
    assert "Behöver godkännas av en administratör" in text
    browser.check_page()
    browser.screenshot("attestation-needs-approval")
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.DRAFT
    sign_out(browser)

    # The administrator approves it, and sees the delegation order.
    browser.sign_in(ADMINISTRATOR, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    click(browser, "Godkänn ersättningen")
    assert "Ersättningen är godkänd." in main_text(browser)
    browser.check_page()
    browser.screenshot("attestation-compensation-approved")
    browser.goto("/agreements/delegations/")
    assert "Johan Berg" in main_text(browser)
    browser.screenshot("attestation-delegations")
    sign_out(browser)

    # The official makes it ready and signs; the owner signs.
    browser.sign_in(FIRST_OFFICIAL, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    click(browser, "Gör klart för underskrift")
    assert "Avtalet är klart för underskrift." in main_text(browser)
    page.get_by_label("Titel").fill("Näringslivsutvecklare")
    page.get_by_label("Ditt lösenord").fill(DEMO_PASSWORD)
    click(browser, "Skriv under för kommunen")
    sign_out(browser)
    browser.sign_in(ore_owner.email, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    page.get_by_label("Titel").fill("VD")
    page.get_by_label("Ditt lösenord").fill(DEMO_PASSWORD)
    click(browser, "Skriv under för servicepunkten")
    sign_out(browser)
    payout = agreement.payouts.order_by("due_on").first()
    assert payout.status == Payout.Status.PLANNED

    # The official who drafted it cannot approve its payout...
    browser.sign_in(FIRST_OFFICIAL, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    payouts = page.get_by_role("region", name="Utbetalningar")
    assert payouts.get_by_role("button", name="Godkänn").count() == 0
    assert (
        "Du upprättade avtalet: enligt attestordningen beslutsattesterar en annan "
        "handläggare eller administratör dess utbetalningar."
    ) in main_text(browser)
    browser.screenshot("attestation-drafter-cannot-approve")
    sign_out(browser)

    # ...the second official does.
    browser.sign_in(SECOND_OFFICIAL, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    payouts.get_by_role("button", name="Godkänn").first.click()
    page.wait_for_load_state()
    assert "Utbetalningen är godkänd." in main_text(browser)
    browser.check_page()
    browser.screenshot("attestation-payout-approved")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.APPROVED
    assert payout.status_changed_by.email == SECOND_OFFICIAL


def test_a_bank_detail_change_waits_for_another_official_in_the_browser(
    browser, ore_owner
):
    page = browser.page
    party = Party.objects.get(name="Öre Lanthandel AB")
    browser.sign_in(FIRST_OFFICIAL, DEMO_PASSWORD)
    browser.goto(f"/agreements/parties/{party.pk}/")
    page.get_by_label("Bankgiro:", exact=True).fill("555-5123")
    page.get_by_label("Leverantörsnummer i ekonomisystemet").fill("LEV-1042")
    click(browser, "Spara")
    assert "väntar på bekräftelse" in main_text(browser)
    browser.check_page()
    browser.screenshot("attestation-parties")
    browser.goto(f"/agreements/parties/{party.pk}/")
    click(browser, "Bekräfta bankuppgifterna för Öre Lanthandel AB")
    assert "Du angav själv bankuppgifterna" in main_text(browser)
    sign_out(browser)

    browser.sign_in(SECOND_OFFICIAL, DEMO_PASSWORD)
    browser.goto(f"/agreements/parties/{party.pk}/")
    browser.screenshot("attestation-party-pending")
    click(browser, "Bekräfta bankuppgifterna för Öre Lanthandel AB")
    assert "Bankuppgifterna för Öre Lanthandel AB är bekräftade." in main_text(browser)
    party.refresh_from_db()
    assert (party.bankgiro, party.pending_bankgiro) == ("555-5123", "")
