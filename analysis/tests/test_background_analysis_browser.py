"""A large municipality's analysis in the browser: the page says the figures are
being computed and shows the old ones, a real worker computes them, and the page's
script reloads it with today's. Screenshots of the computing state."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from analysis.services import service_analysis_run
from analysis.tests.grids import hand_grid
from analysis.tests.test_background_analysis import close_shop_b
from core.testing import run_worker
from outlets.tests.factories import municipality

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_the_analysis_page_follows_its_background_computation(
    browser, municipalities_reloaded, settings
):
    shops = hand_grid()
    service_analysis_run(municipality=municipality("2401"))
    UserFactory(email="official@nordmaling.example")
    settings.ANALYSIS_INLINE_MAX_SQUARES = 1
    assert django_settings.ANALYSIS_INLINE_MAX_SQUARES == 1
    close_shop_b(shops)
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in("official@nordmaling.example", TEST_PASSWORD)

    browser.goto("/analysis/")
    notice = page.locator(".analysis-job")
    expect(notice).to_contain_text("Siffrorna beräknas.")
    expect(notice).to_contain_text("de är inaktuella")
    browser.check_page()
    browser.screenshot("analysis-computing")
    page.set_viewport_size(PHONE)
    browser.screenshot("analysis-computing-phone")
    page.set_viewport_size(DESKTOP)

    # A real worker computes; the page's script sees it finish and reloads.
    run_worker()
    expect(page.locator(".analysis-job")).to_have_count(0, timeout=10_000)
    expect(page.locator("[data-analysis-map]")).to_have_count(1)
    browser.screenshot("analysis-computed")
