"""Erasure in the browser (issue 15): an administrator erases a colleague from the
users page; the colleague can no longer sign in."""

import re

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.tests.concurrency import (  # noqa: F401 - a fixture
    municipalities_back_after_the_flush,
)

# The fixture imported above (module-wide, autouse) loads the municipalities again
# after the live server's flush, for the tests that run later.
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_an_administrator_erases_a_colleague_who_then_cannot_sign_in(
    browser, municipalities_reloaded
):
    administrator = UserFactory(
        administrator=True, email="karin@nordmaling.example", full_name="Karin Holm"
    )
    UserFactory(email="johan@nordmaling.example", full_name="Johan Berg")
    page = browser.page
    browser.sign_in(administrator.email, TEST_PASSWORD)

    browser.goto("/accounts/users/")
    page.set_viewport_size(PHONE)
    browser.check_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Radera (Johan Berg)").click()
    page.wait_for_load_state()
    browser.check_page()
    assert page.get_by_role("heading", name="Radera Johan Berg").is_visible()
    assert page.get_by_text("johan@nordmaling.example").is_visible()
    browser.screenshot("erasure-user")

    page.get_by_role("button", name="Radera användaren").click()
    page.wait_for_load_state()
    assert page.get_by_text("Detta fält måste fyllas i.").is_visible()
    browser.check_page()
    browser.screenshot("erasure-user-no-reason")

    page.get_by_label("Varför raderas uppgifterna?").fill("Slutat på kommunen")
    page.get_by_role("button", name="Radera användaren").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kontot är raderat.").is_visible()
    assert page.get_by_text("johan@nordmaling.example").count() == 0
    assert page.get_by_role("link", name=re.compile(r"^Radera \(")).count() == 0
    browser.check_page()
    browser.screenshot("erasure-user-done")

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()
    browser.sign_in("johan@nordmaling.example", TEST_PASSWORD)
    assert "/accounts/login/" in page.url
