"""The municipality's follow-up settings and site-visit checklist in the browser."""

import re

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NEW_CRITERION = "Hjärtstartare finns och är utmärkt"


def screenshots(browser, name):
    """The page as an administrator sees it at the desk and on a phone."""
    browser.screenshot(f"{name}-desktop")
    browser.page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot(f"{name}-phone")
    browser.page.set_viewport_size(DESKTOP)


def focused_criterion(page):
    """The id of the checklist criterion that has focus, if one has."""
    return page.evaluate(
        "document.activeElement.matches('li.criterion') && document.activeElement.id"
    )


def test_the_administrator_adds_a_criterion_and_it_is_on_the_next_site_visit_form(
    browser, demo
):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)

    # One place for the municipality's settings: the start page leads to it.
    page.get_by_role("link", name=re.compile("^Inställningar")).click()
    page.wait_for_load_state()
    browser.check_page()
    settings_nav = page.get_by_role("navigation", name="Kommunens inställningar")
    settings_nav.get_by_role("link", name="Uppföljning").click()
    page.wait_for_load_state()
    browser.check_page()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Inställningar för uppföljning"
    )
    days = page.get_by_label("Dagar från avtalsårets slut till sista dag")
    assert days.input_value() == "60"
    days.fill("400")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "Ange ett antal dagar från 1 till 365." in page.inner_text("main")
    browser.check_page()
    page.get_by_label("Dagar från avtalsårets slut till sista dag").fill("45")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "Inställningarna är sparade." in page.inner_text("main")
    screenshots(browser, "followup-settings")

    page.get_by_role("navigation", name="Kommunens inställningar").get_by_role(
        "link", name="Checklista för platsbesök"
    ).click()
    page.wait_for_load_state()
    browser.check_page()
    page.get_by_label("Kontrollpunkt", exact=True).fill(NEW_CRITERION)
    page.get_by_role("button", name="Lägg till i checklistan").click()
    page.wait_for_load_state()
    assert f"”{NEW_CRITERION}” är tillagd i checklistan." in page.inner_text("main")
    page.get_by_role("button", name=f"Upp {NEW_CRITERION}").click()
    page.wait_for_load_state()
    in_use = page.get_by_role("region", name=re.compile("^I bruk"))
    items = in_use.get_by_role("listitem").all_inner_texts()
    assert NEW_CRITERION in items[-2]
    # Focus stays with the criterion moved, so the next "Up" is one Tab away.
    moved = page.locator("li.criterion", has_text=NEW_CRITERION)
    assert focused_criterion(page) == moved.get_attribute("id")
    browser.check_page()
    screenshots(browser, "checklist")

    # The next site visit of a Nordmaling follow-up checks it, in its place.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Uppföljning"
    ).click()
    page.wait_for_load_state()
    page.get_by_role("region", name=re.compile("^Aktuella")).get_by_role(
        "link", name="Pers Livs"
    ).first.click()
    page.wait_for_load_state()
    browser.check_page()
    legends = page.locator(".checklist-item legend").all_inner_texts()
    assert [legend.rstrip(":") for legend in legends][-2] == NEW_CRITERION
    browser.screenshot("site-visit-form-with-new-criterion")
    page.get_by_label("Datum för besöket").fill(timezone.localdate().isoformat())
    page.get_by_label("Besökare från kommunen").fill("Karin Holm")
    for radio in page.get_by_role("radio", name="OK", exact=True).all():
        radio.check()
    page.get_by_role("button", name="Spara platsbesöket").click()
    page.wait_for_load_state()
    assert "Platsbesöket är sparat." in page.inner_text("main")
    results = page.get_by_role("region", name="Platsbesök").get_by_role("table")
    assert results.get_by_role("rowheader", name=NEW_CRITERION).is_visible()


def test_focus_follows_a_criterion_taken_out_of_use_and_back(browser, demo):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)
    browser.goto("/followup/checklist/")
    first = page.locator("li.criterion").first
    criterion_id = first.get_attribute("id")

    first.get_by_role("button", name=re.compile("^Ta ur bruk")).click()
    page.wait_for_load_state()

    assert focused_criterion(page) == criterion_id
    out_of_use = page.get_by_role("region", name=re.compile("^Tagna ur bruk"))
    assert out_of_use.locator(f"#{criterion_id}").is_visible()
    browser.check_page()

    page.locator(f"#{criterion_id}").get_by_role(
        "button", name=re.compile("^Ta i bruk igen")
    ).click()
    page.wait_for_load_state()

    assert focused_criterion(page) == criterion_id
    in_use = page.get_by_role("region", name=re.compile("^I bruk"))
    assert in_use.locator(f"#{criterion_id}").is_visible()
