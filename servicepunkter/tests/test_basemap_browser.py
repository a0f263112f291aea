"""The base map (static/core/basemap.js) under the register map and the analysis map:
names from the register stay text, tiles come with the attribution their licence asks
for, and without tiles the markers stand on a plain background with no tile fetched."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from analysis.tests.grids import hand_grid
from outlets.models import Locality, Outlet
from servicepunkter.tests import tile_urls

pytestmark = pytest.mark.browser

XSS = "<i>XSS</i>\"'><svg onload=alert(1)>"
SHOP = f"Handlarn {XSS}"
# Markup in the attribution setting is shown as text too.
ATTRIBUTION = "© Testkartans <b>bidragsgivare</b>"
MAPS = {"register": "/outlets/map/", "analysis": "/analysis/"}


@pytest.fixture
def signed_in(browser, municipalities_reloaded, settings):
    """An official of Nordmaling whose register has a locality and an outlet with
    markup in their names; every image request the page makes is recorded."""
    settings.ROOT_URLCONF = "servicepunkter.tests.tile_urls"
    shops = hand_grid()
    # North of its shop, so that both markers can be clicked.
    locality = shops["A"].locality
    Locality.objects.filter(pk=locality.pk).update(
        name=XSS, latitude=locality.latitude + 0.05
    )
    Outlet.objects.filter(pk=shops["A"].pk).update(name=SHOP)
    UserFactory(email="karta@nordmaling.example")
    browser.sign_in("karta@nordmaling.example", TEST_PASSWORD)
    browser.images = []
    browser.page.on(
        "request",
        lambda request: (
            request.resource_type == "image" and browser.images.append(request.url)
        ),
    )
    browser.dialogs = []
    browser.page.on("dialog", lambda dialog: browser.dialogs.append(dialog.message))
    tile_urls.served.clear()
    return browser


def open_map(browser, which):
    browser.goto(MAPS[which])
    page = browser.page
    if which == "analysis":
        page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()
    page.locator(".leaflet-marker-icon").first.wait_for()
    return page.locator(".leaflet-container")


def popup_link(page, marker_title):
    page.get_by_role("button", name=marker_title, exact=True).click()
    link = page.locator(".leaflet-popup-content .map-popup a")
    link.wait_for()
    # Faded in, so that axe sees its colours as they are.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity"
        " === '1'"
    )
    return link


def assert_names_are_text(browser, container):
    page = browser.page
    assert (
        popup_link(
            page, f"{SHOP} (Dagligvarubutik, begränsat sortiment)"
        ).text_content()
        == SHOP
    )
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert popup_link(page, f"{XSS} (Ort)").text_content() == XSS
    assert container.locator("i, svg").count() == 0
    assert browser.dialogs == []


@pytest.mark.parametrize("which", MAPS)
def test_names_with_markup_show_as_text_on_the_plain_background(signed_in, which):
    page = signed_in.page
    container = open_map(signed_in, which)

    assert "map--plain" in container.get_attribute("class")
    if which == "register":
        # On the plain background the localities are named, as text.
        tooltip = container.locator(".leaflet-tooltip.map-name", has_text=XSS)
        assert tooltip.text_content() == XSS
    assert_names_are_text(signed_in, container)
    assert container.locator(".leaflet-control-attribution").inner_text() == "Leaflet"
    signed_in.check_page()
    # No tile asked for: the only image the page loads is the favicon, if any.
    assert container.locator(".leaflet-tile").count() == 0
    assert tile_urls.served == []
    assert [url for url in signed_in.images if "favicon" not in url] == []
    assert page.locator(".leaflet-tooltip").count() == (
        1 + 1 if which == "register" else 0
    )


@pytest.mark.parametrize("which", MAPS)
def test_tiles_show_with_their_attribution(signed_in, settings, which):
    settings.MAP_TILE_URL = tile_urls.TILE_URL
    settings.MAP_TILE_ATTRIBUTION = ATTRIBUTION
    container = open_map(signed_in, which)

    container.locator(".leaflet-tile-loaded").first.wait_for()
    assert "map--plain" not in container.get_attribute("class")
    attribution = container.locator(".leaflet-control-attribution")
    assert attribution.inner_text() == f"Leaflet | {ATTRIBUTION}"
    assert attribution.locator("b").count() == 0
    assert tile_urls.served
    assert any("/test-tiles/" in url for url in signed_in.images)
    # With tiles for bearings, the localities are not named on the map.
    assert container.locator(".leaflet-tooltip").count() == 0
    assert_names_are_text(signed_in, container)
    signed_in.check_page()


def test_the_locality_page_shows_a_name_with_markup_as_text(signed_in):
    """The locality page names the locality in its title, heading, breadcrumbs,
    outlet table caption and map (label, marker, popup): text everywhere."""
    locality = Locality.objects.get(name=XSS)
    signed_in.goto(f"/outlets/localities/{locality.pk}/")
    page = signed_in.page
    container = page.locator(".leaflet-container")
    page.locator(".leaflet-marker-icon").first.wait_for()

    assert page.title() == f"{XSS} · Servicepunkter"
    assert page.locator("h1").text_content() == XSS
    assert page.locator(".breadcrumbs [aria-current=page]").text_content() == XSS
    label = container.get_attribute("aria-label")
    assert label == f"Karta över {XSS} med försäljningsställen"
    tooltip = container.locator(".leaflet-tooltip.map-name")
    assert tooltip.text_content() == XSS
    assert popup_link(page, f"{XSS} (Ort)").text_content() == XSS
    # Nothing of the name became an element, and no script ran.
    assert page.locator("main i, main svg[onload], title ~ i").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onload]').length") == 0
    assert signed_in.dialogs == []
    signed_in.check_page()
