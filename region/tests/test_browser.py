import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from core.testing import run_worker

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots/region")


def keep(path):
    """A copy of the screenshot where the team looks at them, when there is one."""
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)


def test_the_regional_viewer_reads_the_county_at_a_glance_on_desktop_and_phone(
    browser, demo
):
    page = browser.page
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.sign_in("region@vasterbotten.example", DEMO_PASSWORD)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Länet"
    ).click()
    browser.check_page()
    # The demo stores no analysis: the first visit queues the municipalities' and
    # says so; a real worker computes them and the page's script reloads it.
    computing = page.locator(".analysis-job")
    expect(computing).to_contain_text("Siffrorna beräknas.")
    keep(browser.screenshot("region-county-computing"))
    run_worker()
    expect(computing).to_have_count(0, timeout=15_000)
    page.wait_for_load_state()
    browser.check_page()

    assert page.get_by_role("heading", name="Översikt över Västerbottens län").count()
    # On a desktop the municipalities' table fits: nothing to scroll.
    wrap = page.get_by_role("region", name="Kommunerna")
    assert wrap.evaluate("node => node.scrollWidth <= node.clientWidth")
    programme = page.get_by_role("table", name="Kommunerna")
    nordmaling = programme.get_by_role("row").filter(has_text="Nordmaling")
    # Nordmaling's service points and money beside the twelve with outlets only.
    assert nordmaling.get_by_role("cell").nth(1).text_content().strip() != "0"
    assert programme.get_by_role("row").count() == 1 + 15 + 1
    bands = page.get_by_role("table", name="Invånare efter avstånd")
    assert "Syntetisk befolkning" in bands.text_content()
    shared = page.get_by_role("table", name="Försäljningsställen vars nedläggning")
    assert shared.get_by_role("row").count() > 2
    keep(browser.screenshot("region-county"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    browser.check_page()
    region = page.get_by_role("region", name="Kommunerna")
    assert region.evaluate("node => node.scrollWidth > node.clientWidth")
    hint = page.get_by_text("rulla i sidled för att se alla kolumner").first
    assert hint.is_visible()
    keep(browser.screenshot("region-county-phone"))
