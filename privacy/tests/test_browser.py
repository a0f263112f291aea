"""The register extract and the privacy notice in the browser (issue 15): the
administrator finds the demo's shop owner and makes the extract; the notice on a
desktop and a phone, before sign-in. axe-checked, screenshots in var/screenshots."""

import pytest

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_administrator_finds_the_shop_owner_and_makes_the_extract(browser, demo):
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Registerutdrag"
    ).click()
    browser.check_page()
    page.get_by_label("Namn eller e-postadress").fill("perslivs")
    page.get_by_role("button", name="Visa").click()
    browser.check_page()
    browser.screenshot("register-extract-search")
    page.get_by_role("link", name="Per Lindberg").first.click()
    browser.check_page()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Registerutdrag: Per Lindberg"
    )
    assert "Avtalsparter" in page.inner_text("main")
    browser.screenshot("register-extract-person")
    with page.expect_download() as download:
        page.get_by_role("button", name="Gör utdraget som PDF").click()
    assert download.value.suggested_filename.startswith("registerutdrag-user-")

    page.set_viewport_size(PHONE)
    page.reload()
    browser.check_page()
    browser.screenshot("register-extract-person-phone")


def test_the_privacy_notice_reads_on_a_desktop_and_a_phone_before_sign_in(
    browser, demo
):
    browser.goto("/accounts/login/")
    browser.page.get_by_role("link", name="Så behandlar vi personuppgifter").click()
    browser.check_page()
    assert browser.page.get_by_role("heading", level=1).inner_text() == (
        "Så behandlar vi personuppgifter"
    )
    browser.screenshot("privacy-notice")

    browser.page.set_viewport_size(PHONE)
    browser.page.reload()
    browser.check_page()
    browser.screenshot("privacy-notice-phone")
