"""An administrator loads a population grid in the browser: a bad file first, then
a good one, its preview, the confirm, a real worker running the job, and the
analysis page with the new figures. Screenshots of each page, desktop and phone."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from analysis.models import DataLoad, PopulationImport
from analysis.tests.grids import hand_grid
from analysis.tests.test_loads import BAD_CSV, GOOD_CSV
from core.testing import run_worker

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(browser, name):
    """Check the page and take its screenshots on a desktop and on a phone."""
    page = browser.page
    browser.check_page()
    browser.screenshot(f"load-{name}")
    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot(f"load-{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_an_administrator_loads_a_population_grid_and_sees_the_new_figures(
    browser, municipalities_reloaded, tmp_path
):
    hand_grid()
    UserFactory(administrator=True, email="admin@nordmaling.example")
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in("admin@nordmaling.example", TEST_PASSWORD)
    browser.goto("/analysis/")
    people = page.locator("dt", has_text="Invånare i kommunen").locator("+ dd")
    assert people.inner_text() == "200"

    page.get_by_role("link", name="Läs in befolkning").click()
    page.wait_for_load_state()
    both_widths(browser, "upload")
    bad = tmp_path / "rutor.csv"
    bad.write_bytes(BAD_CSV)
    page.get_by_label("Fil").set_input_files(str(bad))
    page.get_by_role("button", name="Visa förhandsvisning").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").inner_text() == (
        "Rad 3, kolumn ”population”: ”åttio” är inte ett heltal."
    )
    browser.check_page()
    browser.screenshot("load-bad-file")
    assert not DataLoad.objects.exists()

    good = tmp_path / "nya-rutor.csv"
    good.write_bytes(GOOD_CSV)
    page.get_by_label("Fil").set_input_files(str(good))
    page.get_by_role("button", name="Visa förhandsvisning").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Förhandsvisning: nya-rutor.csv"
    )
    assert page.locator("dt", has_text="Invånare").locator("+ dd").inner_text() == (
        "207"
    )
    both_widths(browser, "preview")

    page.get_by_role("button", name="Bekräfta och läs in").click()
    page.wait_for_load_state()
    status = page.locator(".load-status [data-status-text]")
    assert status.inner_text() == "Väntar på att starta"
    both_widths(browser, "progress")

    # A real worker takes the job; the page's script sees it finish and reloads.
    run_worker()
    expect(status).to_have_text("Klar")
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("load-done")
    assert PopulationImport.objects.latest().file_name == "nya-rutor.csv"

    page.get_by_role("link", name="Visa serviceanalysen").click()
    page.wait_for_load_state()
    assert people.inner_text() == "207"
    browser.check_page()

    page.goto(browser.base_url + "/analysis/loads/population/")
    history = page.locator("table tbody tr").first
    assert "nya-rutor.csv" in history.inner_text()
    assert "Klar" in history.inner_text()
    both_widths(browser, "history")
