import pytest

from accounts.models import Role
from servicepunkter.demo import DEMO_PASSWORD, DEMO_USERS, demo_seed
from servicepunkter.tests.browser import Browser

pytestmark = pytest.mark.browser

START_PAGE_LINKS = {
    Role.SYSTEM_OWNER: ["Start", "Försäljningsställen", "Systemadministration"],
    Role.ADMINISTRATOR: ["Start", "Försäljningsställen", "Användare"],
    Role.OFFICIAL: ["Start", "Försäljningsställen"],
    Role.SHOP_OWNER: ["Start", "Mina försäljningsställen"],
    Role.REGIONAL_VIEWER: ["Start", "Försäljningsställen"],
}


@pytest.fixture
def demo(municipalities_reloaded):
    demo_seed()


@pytest.fixture
def browser(page, live_server):
    return Browser(page, live_server.url)


def test_anonymous_visitor_gets_the_swedish_login_page(browser, demo):
    browser.goto("/", expected_status=200)
    assert browser.page.url.startswith(browser.base_url + "/accounts/login/")
    assert browser.page.locator("html").get_attribute("lang") == "sv"
    assert browser.page.get_by_role("heading", level=1).inner_text() == "Logga in"
    browser.screenshot("login")


@pytest.mark.parametrize("demo_user", DEMO_USERS, ids=lambda demo: demo.role)
def test_each_demo_user_signs_in_and_lands_on_their_start_page(
    browser, demo, demo_user
):
    browser.sign_in(demo_user.email, DEMO_PASSWORD)

    assert browser.page.url == browser.base_url + "/"
    heading = browser.page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Välkommen, {demo_user.full_name}"
    browser.check_page()
    browser.screenshot(f"start-{demo_user.role}")

    menu = browser.page.get_by_role("navigation", name="Huvudmeny")
    assert (
        menu.get_by_role("link").all_inner_texts() == START_PAGE_LINKS[demo_user.role]
    )
    for label in START_PAGE_LINKS[demo_user.role][1:]:
        if label == "Systemadministration":
            continue  # Django's own admin pages are outside our templates.
        browser.page.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name=label
        ).click()
        browser.check_page()


def test_wrong_password_is_refused_with_a_swedish_message(browser, demo):
    browser.sign_in("handlaggare@nordmaling.example", "fel-lösenord")

    assert "/accounts/login/" in browser.page.url
    assert "Fel e-postadress eller lösenord" in browser.page.inner_text("main")
    browser.check_page()


def test_language_switch_shows_the_page_in_english(browser, demo):
    browser.goto("/accounts/login/")
    browser.page.get_by_role("button", name="English").click()
    browser.page.wait_for_load_state()

    assert browser.page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert browser.page.locator("html").get_attribute("lang") == "en"
    browser.check_page()


def test_unknown_address_shows_the_swedish_not_found_page(browser, demo):
    browser.goto("/finns-inte/", expected_status=404)
    assert (
        browser.page.get_by_role("heading", level=1).inner_text()
        == "Sidan hittades inte"
    )


def test_outlet_pages_work_on_a_phone(browser, demo):
    browser.page.set_viewport_size({"width": 375, "height": 740})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto("/outlets/")
    browser.page.get_by_role("link", name="Pers Livs").click()
    browser.check_page()
    assert browser.page.get_by_role("heading", level=1).inner_text() == "Pers Livs"
    browser.screenshot("outlet-detail-phone")
