"""The accessibility statement and the privacy notice in the browser (issue 18): a
visitor reaches both from the login page's footer and chooses their municipality;
an administrator keeps the contacts. axe-checked at phone and desktop width;
screenshots in var/screenshots."""

import pytest

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
# The narrowest width WCAG's reflow asks for (1.4.10).
NARROW_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def footer_link(page, name):
    return page.get_by_role("contentinfo").get_by_role("link", name=name)


@pytest.mark.parametrize(
    "link,heading,shot",
    [
        ("Tillgänglighetsredogörelse", "Tillgänglighetsredogörelse", "accessibility"),
        (
            "Så behandlar vi personuppgifter",
            "Så behandlar vi personuppgifter",
            "privacy",
        ),
    ],
)
def test_a_visitor_reads_a_statement_and_chooses_their_municipality(
    browser, demo, link, heading, shot
):
    page = browser.page
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        browser.goto("/accounts/login/")
        footer_link(page, link).click()
        browser.check_page()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        browser.screenshot(f"{shot}-national-{name}")

        page.get_by_label("Välj din kommun").select_option(label="Nordmalings kommun")
        page.get_by_role("button", name="Visa").click()
        browser.check_page()
        assert "municipality=2401" in page.url
        main = page.inner_text("main")
        assert "Nordmalings kommun" in main
        assert "@nordmaling.example" in main
        browser.screenshot(f"{shot}-nordmaling-{name}")
        # The footer now leads to the municipality's versions.
        assert (
            footer_link(page, "Tillgänglighetsredogörelse")
            .get_attribute("href")
            .endswith("?municipality=2401")
        )


def test_the_statement_is_read_in_english_with_the_keyboard(browser, demo):
    page = browser.page
    page.set_viewport_size(NARROW_PHONE)
    browser.goto("/accessibility/?municipality=2401")
    page.get_by_role("button", name="English").click()
    browser.check_page()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Accessibility statement"
    )
    assert "Servicepunkter is partially compliant" in page.inner_text("main")
    # The municipality is chosen with the keyboard alone.
    browser.goto("/accessibility/")
    page.get_by_label("Choose your municipality").focus()
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    browser.check_page()
    assert "municipality=" in page.url
    assert "For Servicepunkter in" in page.inner_text("main")
    browser.screenshot("accessibility-english-phone")


def test_an_administrator_keeps_the_contacts(browser, demo):
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)
    page = browser.page
    browser.goto("/followup/settings/")
    page.get_by_role("navigation", name="Kommunens inställningar").get_by_role(
        "link", name="Kontaktuppgifter för redogörelserna"
    ).click()
    browser.check_page()
    page.get_by_label("Servicepunktsprogrammets e-postadress").fill("nej")
    page.get_by_role("button", name="Spara").click()
    browser.check_page()
    assert "Ange en e-postadress som servicepunkter@kommun.se." in page.inner_text(
        "main"
    )
    browser.screenshot("statement-settings-error")
    page.get_by_label("Servicepunktsprogrammets e-postadress").fill(
        "servicepunkterna.i.nordmalings.kommun@nordmaling.example"
    )
    page.get_by_role("button", name="Spara").click()
    browser.check_page()
    assert "Kontaktuppgifterna är sparade." in page.inner_text("main")
    browser.screenshot("statement-settings")

    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot("statement-settings-phone")
    page.get_by_role("link", name="informationen om personuppgifter").click()
    browser.check_page()
    assert "servicepunkterna.i.nordmalings.kommun@nordmaling.example" in (
        page.inner_text("main")
    )
    browser.screenshot("privacy-nordmaling-long-address-phone")
