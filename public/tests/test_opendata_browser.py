import re
import shutil
from pathlib import Path

import pytest

from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def service_points(municipalities_reloaded):
    signed_agreement(OutletFactory(name="Handlarn Rundvik"))
    signed_agreement(
        OutletFactory(name="Umeå lanthandel", municipality=municipality("2480"))
    )


@pytest.mark.parametrize(("viewport", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_visitor_reads_what_the_open_data_holds_and_downloads_it(
    browser, service_points, viewport, size
):
    browser.page.set_viewport_size(size)
    browser.goto("/open-data/")

    page = browser.page
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Öppna data: servicepunkter"
    )
    assert page.get_by_role("link", name="CC0 1.0").get_attribute("href") == (
        "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    downloads = page.get_by_role("region", name="Nedladdningar")
    assert "Umeå kommun" in downloads.inner_text()
    geojson = downloads.get_by_role("link", name=re.compile(r"^GeoJSON\W+Umeå kommun$"))
    assert geojson.get_attribute("href") == (
        "/open-data/service-points.geojson?municipality=2480"
    )
    shutil.copy(
        browser.screenshot(f"opendata-index-{viewport}"),
        _shots() / f"opendata-index-{viewport}.png",
    )

    page.get_by_role("button", name="English").click()
    browser.check_page()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Open data: service points"
    )
    shutil.copy(
        browser.screenshot(f"opendata-index-{viewport}-en"),
        _shots() / f"opendata-index-{viewport}-en.png",
    )


def _shots():
    shots = Path("/work/shots/opendata")
    shots.mkdir(parents=True, exist_ok=True)
    return shots
