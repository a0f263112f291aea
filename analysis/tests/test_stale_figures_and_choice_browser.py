"""An official finds the stale figures of a strategic locality, computes them anew
and records the choice of its service point, on a phone; axe clean, screenshots at
390 and 1280 px."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from analysis.services import service_analysis_run
from analysis.tests.grids import hand_grid
from outlets.models import Locality, Outlet
from outlets.tests.factories import municipality

pytestmark = pytest.mark.browser


def shoot(browser, name):
    """The page at phone and desktop widths, back to the phone's."""
    page = browser.page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        browser.check_page()
        browser.screenshot(f"{name}-{width}")


def test_an_official_recomputes_stale_figures_and_records_the_choice(
    browser, municipalities_reloaded
):
    shops = hand_grid()
    Locality.objects.filter(name="Byn A").update(
        classification=Locality.Classification.STRATEGIC,
        classification_motivation="Enda butiken för byarna västerut.",
    )
    service_analysis_run(municipality=municipality("2401"))
    # An edit after the figures were computed: Handlarn B now sells fuel only.
    Outlet.objects.filter(pk=shops["B"].pk).update(kind=Outlet.Kind.FUEL)
    UserFactory(email="olle@nordmaling.example", full_name="Olle Handläggare")
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 900})
    browser.sign_in("olle@nordmaling.example", TEST_PASSWORD)

    browser.goto(shops["A"].locality.get_absolute_url())
    notice = page.locator(".stale-notice")
    assert "Registret har ändrats sedan dess" in notice.inner_text()
    shoot(browser, "locality-stale")
    notice.get_by_role("button", name="Beräkna siffrorna på nytt").click()
    page.wait_for_load_state()
    assert page.locator(".stale-notice").count() == 0
    assert "Siffrorna är beräknade på nytt" in page.locator(".messages").inner_text()
    browser.check_page()

    page.get_by_role("link", name="Registrera ett val").click()
    page.wait_for_load_state()
    browser.check_page()
    considered = page.get_by_role("group", name="Övervägda försäljningsställen")
    considered.get_by_label("Handlarn A", exact=False).check()
    considered.get_by_label("Handlarn B", exact=False).check()
    page.get_by_role("group", name="Valt försäljningsställe").get_by_label(
        "Handlarn A", exact=False
    ).check()
    page.get_by_label("Skäl till valet").fill(
        "Handlarn A ligger mitt i byn och har öppet alla dagar."
    )
    page.get_by_label("Beslutande organ").fill("Kommunstyrelsen")
    page.get_by_label("Beslutsdatum").fill("2010-05-12")
    page.get_by_label("Paragraf (§)").fill("34")
    shoot(browser, "choice-form")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()

    section = page.locator("#service-point-choice")
    assert "Vald: Handlarn A" in section.inner_text()
    assert "Kommunstyrelsen 2010-05-12 § 34" in section.inner_text()
    shoot(browser, "locality-choice")
