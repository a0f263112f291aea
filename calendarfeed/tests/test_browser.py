"""The calendar feed on the profile page, in the browser: an official makes the
address, copies it, the calendar reads it, and the official turns it off."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from calendarfeed.tests.conftest import agreement_with_deadlines
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_an_official_makes_copies_and_turns_off_the_calendar_address(
    browser, settings, municipalities_reloaded
):
    # The address is built from the address the browser asked for.
    settings.SITE_URL = ""
    official = UserFactory(email="anna@nordmaling.example", full_name="Anna Berg")
    agreement_with_deadlines(OutletFactory(name="Pers Livs"))
    page = browser.page
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=browser.base_url
    )
    browser.sign_in(official.email, TEST_PASSWORD)

    browser.goto("/accounts/profile/")
    section = page.get_by_role("region", name="Kalenderprenumeration")
    assert section.get_by_text("Av: ingen adress är skapad.").is_visible()
    section.get_by_role("button", name="Skapa en kalenderadress").click()
    page.wait_for_load_state()

    browser.check_page()
    assert page.get_by_text("Din kalenderadress är skapad.").is_visible()
    field = page.get_by_label("Din kalenderadress")
    address = field.input_value()
    assert address.startswith(browser.base_url + "/calendar/")
    section.scroll_into_view_if_needed()
    browser.screenshot("calendar-feed-made")

    page.get_by_role("button", name="Kopiera", exact=True).click()
    # The clipboard answers in its own time: wait for the status line.
    expect(page.get_by_text("Kopierad", exact=True)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address

    # A calendar app reads the address (the feed asks for no session).
    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "Sista dag för uppsägning: Pers Livs" in feed.text()

    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot("calendar-feed-made-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Shown once: the next visit names only when it was made and last fetched.
    browser.goto("/accounts/profile/")
    assert page.get_by_label("Din kalenderadress").count() == 0
    assert address not in page.content()
    browser.screenshot("calendar-feed-on")

    section.get_by_role("button", name="Stäng av kalenderprenumerationen").click()
    page.wait_for_load_state()
    browser.check_page()
    assert page.get_by_text("Din kalenderadress är avstängd.").is_visible()
    assert section.get_by_text("Av: ingen adress är skapad.").is_visible()
    assert page.request.get(address).status == 404
