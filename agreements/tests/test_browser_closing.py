"""Closing a shop ends its agreement, in the browser (issue 16, point 7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from agreements.models import Agreement, Payout
from agreements.tests.test_browser_attestation import click, main_text
from outlets.models import Outlet

pytestmark = pytest.mark.browser

OFFICIAL = "handlaggare@nordmaling.example"


def committed(browser, year):
    """The budget page's commitment for `year`, in kronor."""
    browser.goto("/agreements/budget/")
    row = browser.page.get_by_role("row").filter(
        has=browser.page.get_by_role("rowheader", name=str(year))
    )
    cell = row.get_by_role("cell").nth(1).inner_text()
    return int("".join(character for character in cell if character.isdigit()))


def test_an_official_closes_a_service_point_and_its_agreement_ends(browser, demo):
    page = browser.page
    outlet = Outlet.objects.get(name="Pers Livs")
    agreement = Agreement.objects.get(outlet=outlet)
    closed_on = timezone.localdate() - timedelta(days=6)
    this_year, next_year = closed_on.year, closed_on.year + 1
    browser.sign_in(OFFICIAL, DEMO_PASSWORD)
    before = committed(browser, this_year), committed(browser, next_year)

    browser.goto(f"/outlets/{outlet.pk}/close/")
    notice = page.locator("#close-consequences").inner_text()
    assert f"Pers Livs har avtal {agreement.reference}" in notice
    assert "upphör avtalet på nedläggningsdagen" in notice
    assert "senare utbetalningar makuleras" in notice
    browser.screenshot("outlet-close-with-agreement-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.screenshot("outlet-close-with-agreement-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Nedläggningsdatum").fill(closed_on.isoformat())
    click(browser, "Registrera som nedlagt")
    browser.check_page()
    assert "Pers Livs är registrerat som nedlagt." in main_text(browser)

    browser.goto(agreement.get_absolute_url())
    text = main_text(browser)
    assert f"Försäljningsstället stängdes {closed_on.isoformat()}." in text
    assert "Makulerad" in text
    browser.screenshot("agreement-after-closing-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.screenshot("agreement-after-closing-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not agreement.payouts.payable().filter(period_end__gt=closed_on)
    assert agreement.payouts.filter(status=Payout.Status.CANCELLED).exists()

    # The budget page commits less: this year the days after the closing date,
    # next year the whole of the agreement's 40 000 kr.
    after = committed(browser, this_year), committed(browser, next_year)
    assert after[0] < before[0]
    assert before[1] - after[1] == 40_000
    browser.screenshot("budget-after-closing-desktop")
