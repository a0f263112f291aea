"""An official asks for the annual report in the browser: the page says it is being
prepared, a real worker makes it, the page's script sees it done and reloads, the
PDF downloads; a failed job says why and offers to try again. Screenshots of each
page, desktop and phone."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from core.testing import run_worker

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(browser, name):
    page = browser.page
    browser.check_page()
    browser.screenshot(f"annual-report-{name}")
    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot(f"annual-report-{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_an_official_gets_the_annual_report_made_in_the_background(
    browser, demo, monkeypatch
):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto("/reports/annual-report/?year=2025")
    assert page.get_by_role("button", name="Förbered årsrapporten").count() == 1
    both_widths(browser, "none")
    browser.goto("/reports/?year=2025")

    page.get_by_role("button", name="Ladda ner årsrapporten 2025 (PDF)").click()
    page.wait_for_load_state()
    status = page.locator(".report-status [data-status-text]")
    assert status.inner_text() == "Väntar på att starta"
    both_widths(browser, "waiting")

    # A real worker takes the job; the page's script sees it finish and reloads.
    run_worker(queues=["documents"])
    expect(status).to_contain_text("Klar, daterad")
    page.wait_for_load_state()
    both_widths(browser, "ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner årsrapporten 2025 (PDF)").click()
    assert download.value.suggested_filename == "arsrapport-2401-2025.pdf"

    def broken(**kwargs):
        raise RuntimeError("the font went missing")

    monkeypatch.setattr("reports.documents.annual_report_render_pdf", broken)
    page.get_by_role("button", name="Förbered den igen").click()
    page.wait_for_load_state()
    run_worker(queues=["documents"])
    expect(status).to_have_text("Misslyckades")
    page.wait_for_load_state()
    assert "stoppades av ett oväntat fel" in page.locator(".report-status").inner_text()
    both_widths(browser, "failed")
    assert page.get_by_role("button", name="Försök igen").count() == 1
