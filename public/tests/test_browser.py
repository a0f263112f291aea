"""The public pages and the embed in a real browser, on a desktop and a phone: axe
clean, no CSP violation, no sideways scroll, the maps drawn; the embed inside another
site's frame, where the other pages refuse to be."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def municipality_site(live_server):
    """Another site on another origin: a municipality's page with our embed in one
    frame and an ordinary page of ours in another, served by a small server of its
    own on 127.0.0.1 (ours is localhost). A real server, not Playwright's routing:
    Chrome's local network checks refuse a routed page's frames to localhost."""
    html = (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Nordmalings kommun</title></head><body><main>"
        "<h1>Servicepunkter i kommunen</h1>"
        f'<iframe id="embed" src="{live_server.url}/embed/2401/"'
        ' title="Servicepunkter" width="100%" height="500"></iframe>'
        f'<iframe id="denied" src="{live_server.url}/service-points/"'
        ' title="Inte inbäddningsbar" width="100%" height="100"></iframe>'
        "</main></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request, browser):
    browser.page.set_viewport_size(VIEWPORTS[request.param])
    return request.param


@pytest.fixture
def service_points(municipalities_reloaded, service_point_with_personal_data):
    signed_agreement(
        OutletFactory(
            name="Rundviks Handel",
            town="Rundvik",
            street_address="Storvägen 3",
            opening_hours="Alla dagar 8–21",
            latitude=63.53,
            longitude=19.44,
        )
    )
    signed_agreement(
        OutletFactory(
            name="Byboa Sävar",
            municipality=municipality("2480"),
            latitude=63.90,
            longitude=20.55,
        )
    )
    return service_point_with_personal_data


def test_the_country_page_with_its_map_and_search(browser, service_points, viewport):
    page = browser.page
    browser.goto("/service-points/")
    page.locator(".leaflet-container canvas").wait_for()
    assert page.get_by_role("link", name="Nordmalings kommun").is_visible()
    browser.screenshot(f"public-country-{viewport}")

    page.get_by_label("Ort, kommun eller butikens namn").fill("rundvik")
    page.get_by_role("button", name="Sök").click()
    page.wait_for_load_state()
    browser.check_page()
    assert page.get_by_role("link", name="Rundviks Handel").is_visible()
    assert page.get_by_role("link", name="Sigrids Lanthandel").count() == 0
    browser.screenshot(f"public-search-{viewport}")


def test_a_municipality_page_and_a_service_point_page(
    browser, service_points, viewport
):
    page = browser.page
    browser.goto("/service-points/municipality/2401/")
    page.locator(".leaflet-marker-icon").first.wait_for()
    assert page.get_by_role("heading", name="Rundviks Handel").is_visible()
    browser.screenshot(f"public-municipality-{viewport}")

    page.get_by_role("link", name="Sigrids Lanthandel").click()
    page.wait_for_load_state()
    browser.check_page()
    page.locator(".leaflet-marker-icon").first.wait_for()
    assert page.get_by_role("link", name="0930-100 20").get_attribute("href") == (
        "tel:093010020"
    )
    assert page.get_by_role("link", name="Öppna i din kartapp").is_visible()
    page_text = page.content()
    assert not [s for s in service_points.secrets if s in page_text]
    browser.screenshot(f"public-service-point-{viewport}")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    browser.check_page()
    assert page.get_by_role("heading", name="What you can do here").is_visible()


def test_the_embed_shows_in_another_sites_frame_where_other_pages_do_not(
    browser, service_points, viewport, municipality_site
):
    page = browser.page
    browser.goto("/embed/2401/?lang=en")
    assert page.get_by_role("heading", name="Sigrids Lanthandel").is_visible()
    browser.goto("/embed/2401/map/")
    page.locator(".leaflet-marker-icon").first.wait_for()

    page.goto(municipality_site)
    embed = page.frame_locator("#embed")
    embed.get_by_role("heading", name="Sigrids Lanthandel").wait_for()
    assert embed.get_by_text("Mån–fre 9–19, lör 10–14").is_visible()
    # Our ordinary page refused to be framed: the browser reports the refusal
    # (expected here, so taken off the watch list) and the frame holds nothing ours.
    denied = page.locator("#denied").element_handle().content_frame()
    for _ in range(50):
        if browser.csp_violations:
            break
        page.wait_for_timeout(100)
    refusals = [v for v in browser.csp_violations if "frame-ancestors 'none'" in v]
    assert len(refusals) == 1
    browser.csp_violations.clear()
    assert denied.url.startswith("chrome-error:")
    assert denied.get_by_role("heading", name="Servicepunkter").count() == 0
    browser.check_page()
    browser.screenshot(f"public-embed-in-frame-{viewport}")


def test_the_publish_page_gives_staff_the_codes_to_paste(
    browser, service_points, viewport
):
    UserFactory(email="webb@nordmaling.example")
    browser.sign_in("webb@nordmaling.example", TEST_PASSWORD)
    browser.goto("/service-points/publish/")
    code = browser.page.get_by_label("Kod att klistra in").first.input_value()
    assert code.startswith('<iframe src="http') and "/embed/2401/" in code
    browser.screenshot(f"public-publish-{viewport}")
