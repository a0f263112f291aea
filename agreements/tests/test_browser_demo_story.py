"""In the browser, on the demo (issue 17, points 11 and 12): the official is warned of
ICA Lundins' passed notice deadline on the start page and the agreement's page, and
adds a contracting party from a new agreement's form without losing the draft."""

import pytest

from accounts.demo import DEMO_PASSWORD
from agreements.models import Party
from agreements.selectors import missed_deadlines
from agreements.tests.test_browser_attestation import main_text
from agreements.tests.test_browser_clauses import DESKTOP, OFFICIAL, at_both_widths
from outlets.models import Municipality

pytestmark = pytest.mark.browser


def test_the_official_is_warned_and_adds_a_party_without_losing_the_draft(
    browser, demo
):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in(OFFICIAL, DEMO_PASSWORD)
    (missed,) = missed_deadlines(municipality=Municipality.objects.get(code="2401"))
    lundins = missed.agreement
    assert lundins.outlet.name == "ICA Lundins"
    warning = (
        f"Sista dag att säga upp avtalet var {missed.on.isoformat()} och inget "
        "beslut är registrerat"
    )

    browser.goto("/")
    assert "Passerat utan beslut" in main_text(browser)
    assert warning in main_text(browser)
    at_both_widths(browser, "start-missed-deadline")
    page.get_by_role("link", name=f"{lundins.reference} ICA Lundins").click()
    page.wait_for_load_state()
    assert warning in main_text(browser)
    at_both_widths(browser, "agreement-missed-deadline")

    browser.goto("/agreements/new/")
    page.locator("[name=outlet]").select_option(label="Pers Livs")
    page.locator("[name=decision_registration_number]").fill("KS 2026/99")
    page.locator("[name=space]").fill("Ett bord vid fönstret.")
    service = page.locator("input[name^=include_]").nth(1)
    service.check()
    page.get_by_role("button", name="Lägg till en avtalspart").click()
    page.wait_for_load_state()
    assert "Avtalet du skriver sparas" in main_text(browser)
    at_both_widths(browser, "party-for-agreement")
    page.locator("[name=name]").fill("Brattfors Byaförening")
    page.locator("[name=organisation_number]").fill("802400-0005")
    page.locator("[name=bankgiro]").fill("5050-1055")
    page.locator("[name=signatory_name]").fill("Anna Bäckström")
    page.locator("[name=signatory_title]").fill("Ordförande")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()

    party = Party.objects.get(name="Brattfors Byaförening")
    assert "Avtalsparten Brattfors Byaförening har lagts till." in main_text(browser)
    assert page.locator("[name=party]").input_value() == str(party.pk)
    outlet = page.locator("[name=outlet] option:checked")
    assert outlet.inner_text() == "Pers Livs"
    assert page.locator("[name=decision_registration_number]").input_value() == (
        "KS 2026/99"
    )
    assert page.locator("[name=space]").input_value() == "Ett bord vid fönstret."
    assert page.locator("input[name^=include_]").nth(1).is_checked()
    at_both_widths(browser, "agreement-form-draft-kept")
