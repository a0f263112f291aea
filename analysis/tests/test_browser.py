"""The analysis page and the scenario editor in a browser, on the hand-computed grid
of `grids.py`: the tables, closing an outlet, saving; axe clean, screenshots."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from analysis.tests.grids import hand_grid

pytestmark = pytest.mark.browser


def band_rows(page, caption):
    rows = page.locator("table", has=page.locator("caption", has_text=caption)).locator(
        "tbody tr"
    )
    return [
        [" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
        for row in rows.all()
    ]


@pytest.fixture
def signed_in_official(browser, municipalities_reloaded):
    shops = hand_grid()
    UserFactory(email="analys@nordmaling.example")
    browser.sign_in("analys@nordmaling.example", TEST_PASSWORD)
    return shops


def test_the_analysis_page_shows_the_hand_computed_bands_and_the_map(
    browser, signed_in_official
):
    page = browser.page

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Serviceanalys"
    ).click()
    page.wait_for_load_state()

    assert band_rows(page, "Invånare efter avstånd") == [
        ["0–5 km", "130", "100", "0", "30", "0", "30"],
        ["5–10 km", "50", "0", "40", "10", "0", "10"],
        ["10–20 km", "0", "0", "0", "0", "0", "0"],
        ["20–30 km", "20", "0", "0", "20", "0", "0"],
        ["30 km eller mer", "0", "0", "0", "0", "0", "0"],
    ]
    # The four squares are drawn on the map's canvas once fetched.
    page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()
    assert page.locator("[data-map-status]").inner_text() == ""
    browser.check_page()
    browser.screenshot("analysis-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()
    browser.screenshot("analysis-page-phone")


def test_closing_an_outlet_in_the_editor_changes_the_table_and_saves(
    browser, signed_in_official
):
    page = browser.page
    browser.goto("/analysis/scenarios/new/")

    page.get_by_role("checkbox", name="Handlarn A").check()
    page.get_by_role("button", name="Beräkna").click()
    page.wait_for_load_state()

    rows = band_rows(page, "Invånare per avståndsband och åldersgrupp")
    assert [row for row in rows if row[1] == "Alla åldrar"] == [
        ["0–5 km", "Alla åldrar", "130", "30", "-100"],
        ["5–10 km", "Alla åldrar", "50", "100", "50"],
        ["10–20 km", "Alla åldrar", "0", "50", "50"],
        ["20–30 km", "Alla åldrar", "20", "20", "0"],
        ["30 km eller mer", "Alla åldrar", "0", "0", "0"],
    ]
    page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()
    browser.check_page()
    browser.screenshot("analysis-scenario-editor")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()
    browser.screenshot("analysis-scenario-editor-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Scenariots namn").fill("Utan Handlarn A")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.wait_for_load_state()
    assert "Scenariot ”Utan Handlarn A” är sparat." in page.content()
    history = page.locator("section[aria-labelledby=history-heading]")
    assert "Scenario skapades" in history.inner_text()
    browser.check_page()
    browser.screenshot("analysis-scenario-saved")

    page.get_by_role("link", name="Sparade scenarier").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Utan Handlarn A").count() == 1
    browser.check_page()


def test_a_click_on_the_map_fills_in_the_new_outlets_position(
    browser, signed_in_official
):
    page = browser.page
    browser.goto("/analysis/scenarios/new/")
    page.locator('.analysis-map[aria-busy="false"] canvas').wait_for()

    page.locator(".analysis-map").click(position={"x": 200, "y": 200})

    easting = page.locator("#id_add_easting").input_value()
    northing = page.locator("#id_add_northing").input_value()
    assert 400_000 < int(easting) < 600_000
    assert 6_900_000 < int(northing) < 7_100_000
