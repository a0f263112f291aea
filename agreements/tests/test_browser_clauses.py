"""The agreement text's editor in the browser (issue 16, point 6): accessible at
desktop and phone width, its errors said, its changes in the history."""

import pytest

from accounts.demo import DEMO_PASSWORD
from agreements.models import AgreementClause
from agreements.tests.test_browser_attestation import click, main_text

pytestmark = pytest.mark.browser

ADMINISTRATOR = "administrator@nordmaling.example"
OFFICIAL = "handlaggare@nordmaling.example"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def at_both_widths(browser, name):
    """Check the page and take its screenshots at desktop and phone width."""
    page = browser.page
    browser.check_page()
    browser.screenshot(f"{name}-desktop")
    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot(f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_an_administrator_keeps_the_agreement_text(browser, demo):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in(ADMINISTRATOR, DEMO_PASSWORD)

    browser.goto("/agreements/")
    page.get_by_role("link", name="Avtalstext").click()
    page.wait_for_load_state()
    text = main_text(browser)
    assert "Skyltning och information" in text
    assert "Hävning vid avtalsbrott" in text
    assert page.get_by_label("Kommunens organisationsnummer").input_value() == (
        "212000-2452"
    )
    at_both_widths(browser, "agreement-text")

    # An empty heading and a text over the limit: said, and nothing stored.
    page.get_by_label("Rubrik").fill("")
    page.get_by_label("Text", exact=True).fill("x" * 5001)
    click(browser, "Lägg till villkoret")
    browser.check_page()
    errors = main_text(browser)
    assert "Skriv villkorets rubrik." in errors
    assert "Texten är 5 001 tecken lång; ett villkor har högst 5 000." in errors
    assert not AgreementClause.objects.filter(text__startswith="xxx").exists()
    at_both_widths(browser, "agreement-text-errors")

    page.get_by_label("Rubrik").fill("Öppettider")
    page.get_by_label("Text", exact=True).fill(
        "Servicepunkten håller öppet minst sex dagar i veckan.\n\n"
        "Ändrade öppettider meddelas kommunen i förväg."
    )
    click(browser, "Lägg till villkoret")
    browser.check_page()
    assert "”Öppettider” är tillagt sist i avtalstexten." in main_text(browser)

    page.get_by_role("button", name="Upp Öppettider").click()
    page.wait_for_load_state()
    titles = [
        clause.title
        for clause in AgreementClause.objects.filter(
            municipality__code="2401"
        ).order_by("position")
    ]
    assert titles[-2:] == ["Öppettider", "Tvist"]

    page.get_by_role("link", name="Ändra Försäkring").click()
    page.wait_for_load_state()
    at_both_widths(browser, "agreement-clause-form")
    page.get_by_label("Text", exact=True).fill(
        "Servicepunkten ska ha en ansvarsförsäkring."
    )
    click(browser, "Spara")
    browser.check_page()
    text = main_text(browser)
    assert "”Försäkring” är sparat." in text
    assert "Texten i villkoret ”Försäkring” ändrad" in text
    assert "Karin Holm" in text


def test_an_official_reads_the_agreement_text(browser, demo):
    page = browser.page
    browser.sign_in(OFFICIAL, DEMO_PASSWORD)

    browser.goto("/agreements/text/")

    assert "Skyltning och information" in main_text(browser)
    assert page.get_by_role("button", name="Lägg till villkoret").count() == 0
    assert page.get_by_role("link", name="Ändra Försäkring").count() == 0
    at_both_widths(browser, "agreement-text-official")
