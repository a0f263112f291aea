"""An administrator imports the municipality's Excel list in the browser: the page
follows each background job (run here by a real worker) to its preview or outcome."""

import pytest
from django.conf import settings

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from core.testing import run_worker
from outlets.models import Outlet

pytestmark = pytest.mark.browser

DATA = settings.BASE_DIR / "outlets" / "data"
NORDMALING_SAMPLE = DATA / "outlets-nordmaling-excel-sv.csv"
VASTERBOTTEN_SAMPLE = DATA / "outlets-vasterbotten-excel-sv.csv"


def test_administrator_imports_the_windows_1252_sample_and_finds_the_outlets(
    browser, municipalities_reloaded
):
    administrator = UserFactory(administrator=True, email="admin@nordmaling.example")
    browser.sign_in(administrator.email, TEST_PASSWORD)
    page = browser.page

    browser.goto("/outlets/")
    page.get_by_role("link", name="Importera försäljningsställen").click()
    browser.check_page()
    # The whole county's list first: the other municipalities' rows are not ours.
    page.get_by_label("Fil").set_input_files(str(VASTERBOTTEN_SAMPLE))
    page.get_by_role("button", name="Visa förhandsvisning").click()
    assert "Väntar på att kontrolleras" in page.locator(".import-status").inner_text()
    browser.check_page()
    browser.screenshot("import-waiting")
    run_worker()
    errors = page.get_by_role("table", name="Rader att rätta")
    errors.wait_for()
    assert errors.locator("tbody tr").count() == 46
    assert "Raden gäller Bjurholms kommun" in errors.inner_text()
    browser.check_page()
    browser.screenshot("import-preview-errors")
    page.get_by_role("link", name="Ladda upp en rättad fil").click()

    page.get_by_label("Fil").set_input_files(str(NORDMALING_SAMPLE))
    page.get_by_role("button", name="Visa förhandsvisning").click()
    run_worker()

    heading = page.get_by_role("heading", level=1, name="Förhandsvisning av import")
    heading.wait_for()
    counts = dict(
        zip(
            page.locator(".counts dt").all_inner_texts(),
            page.locator(".counts dd").all_inner_texts(),
            strict=True,
        )
    )
    assert counts == {"Nya": "13", "Ändrade": "0", "Oförändrade": "0", "Felaktiga": "0"}
    assert Outlet.objects.count() == 0
    browser.check_page()
    browser.screenshot("import-preview")

    page.get_by_role("button", name="Bekräfta importen").click()
    assert "Importen har startat" in page.inner_text("main")
    run_worker()
    page.get_by_text("Importerade outlets-nordmaling-excel-sv.csv: 13 nya").wait_for()
    browser.check_page()
    browser.screenshot("import-done")
    page.get_by_role("link", name="Importhistorik").click()
    assert "outlets-nordmaling-excel-sv.csv" in page.inner_text("main")

    browser.goto("/outlets/")
    assert page.get_by_role("link", name="Pers Livs").is_visible()
    assert page.get_by_role("link", name="Handlarn Rundvik").is_visible()

    browser.goto("/outlets/map/")
    page.locator(".leaflet-marker-icon, .map-marker").first.wait_for()
    markers = page.locator(".leaflet-marker-icon, .leaflet-interactive.map-marker")
    # The 13 outlets and the localities the import added where they stand.
    assert markers.count() == 26
    browser.check_page()
    browser.screenshot("import-map")
