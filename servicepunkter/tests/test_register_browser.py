"""The register explains itself, in the browser on the demo: an outlet's place in the
programme, the service-point filter, crisis readiness, and an import preview that
names every change. Each page passes axe, at desktop and phone width."""

import pytest
from django.conf import settings

from accounts.demo import DEMO_PASSWORD
from outlets.import_runs import outlet_import_check
from outlets.models import OutletImportRun

pytestmark = pytest.mark.browser

NORDMALING_SAMPLE = (
    settings.BASE_DIR / "outlets" / "data" / ("outlets-nordmaling-excel-sv.csv")
)
WIDTHS = {"desktop": 1280, "phone": 390}


def at_width(browser, viewport):
    browser.page.set_viewport_size({"width": WIDTHS[viewport], "height": 900})


@pytest.mark.parametrize("viewport", WIDTHS)
def test_official_filters_the_service_points_reads_one_and_checks_crisis_readiness(
    browser, demo, viewport
):
    at_width(browser, viewport)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    browser.goto("/outlets/")
    page.get_by_label("Servicepunkter").select_option(
        label="Servicepunkter: avtal i kraft"
    )
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot(f"register-list-service-points-{viewport}")
    assert (
        page.locator("tbody tr").count()
        == page.locator("tbody .badge", has_text="Servicepunkt").count()
    )

    page.get_by_role("link", name="ICA Lundins").click()
    page.wait_for_load_state()
    browser.check_page()
    programme = page.get_by_role("region", name="I serviceprogrammet")
    assert "Gällande" in programme.inner_text()
    browser.screenshot(f"register-outlet-official-{viewport}")

    browser.goto("/outlets/")
    page.get_by_role("link", name="Krisberedskap").click()
    page.wait_for_load_state()
    browser.check_page()
    table = page.get_by_role("table", name="Servicepunkter och försäljningsställen")
    assert "Testet är äldre än ett år" in table.inner_text()
    assert "Aldrig testad" in table.inner_text()
    # On a phone the table scrolls in its box, and the hint says so.
    hint = page.get_by_text("rulla i sidled för att se alla kolumner")
    assert hint.is_visible() == (viewport == "phone")
    browser.screenshot(f"register-crisis-{viewport}")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_shop_owner_sees_their_agreement_and_follow_up_on_their_outlet(
    browser, demo, viewport
):
    at_width(browser, viewport)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    browser.goto("/outlets/")
    browser.page.get_by_role("link", name="Pers Livs").first.click()
    browser.page.wait_for_load_state()
    browser.check_page()
    programme = browser.page.get_by_role("region", name="I serviceprogrammet")
    assert "Avtal" in programme.inner_text()
    browser.screenshot(f"register-outlet-owner-{viewport}")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_administrator_sees_what_the_nordmaling_file_would_change(
    browser, demo, viewport
):
    at_width(browser, viewport)
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)
    page = browser.page
    browser.goto("/outlets/import/")
    page.get_by_label("Fil").set_input_files(str(NORDMALING_SAMPLE))
    page.get_by_role("button", name="Visa förhandsvisning").click()
    page.locator(".import-status").wait_for()
    # The file is checked by a background job: run here as a worker would.
    outlet_import_check(run_id=OutletImportRun.objects.latest("pk").pk)
    page.reload()
    page.get_by_role("heading", level=1, name="Förhandsvisning av import").wait_for()
    browser.check_page()

    lundins = page.locator(".import-change", has_text="ICA Lundins")
    text = lundins.inner_text()
    assert "Flyttar serviceanalysen" in text
    assert "Dagligvarubutik, fullsortiment" in text
    assert "Dagligvarubutik, begränsat sortiment" in text
    browser.screenshot(f"register-import-preview-{viewport}")
