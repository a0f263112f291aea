"""The outlet page's sign panel in the browser, on the demo: an official finds the
window sign and the leaflet of a service point, and the page passes axe at desktop
and phone width."""

import pytest

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.mark.parametrize("viewport", WIDTHS)
def test_official_finds_the_sign_and_the_leaflet_on_a_service_points_page(
    browser, demo, viewport
):
    browser.page.set_viewport_size({"width": WIDTHS[viewport], "height": 900})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    browser.goto("/outlets/")
    page.get_by_role("link", name="ICA Lundins").click()
    page.wait_for_load_state()
    browser.check_page()

    panel = page.get_by_role("region", name="Skylt och broschyr")
    sign = panel.get_by_role("link", name="Skylt för fönstret (PDF)")
    leaflet = panel.get_by_role(
        "link", name="Broschyr med kommunens servicepunkter (PDF)"
    )
    panel.scroll_into_view_if_needed()
    browser.screenshot(f"signs-outlet-panel-{viewport}")

    for link in (sign, leaflet):
        response = page.request.get(browser.base_url + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
