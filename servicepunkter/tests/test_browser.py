import pytest

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import Role
from outlets.models import Locality, Outlet

pytestmark = pytest.mark.browser


REGISTER = [
    "Orter",
    "Samverkansparter",
    "Karta",
    "Avtal",
    "Uppföljning",
    "Nyckeltal",
    "Serviceanalys",
]
START_PAGE_LINKS = {
    Role.SYSTEM_OWNER: [
        "Start",
        "Försäljningsställen",
        *REGISTER,
        "Länet",
        "Användare",
        "Säkerhetslogg",
        "Registerutdrag",
        "Systemadministration",
    ],
    Role.ADMINISTRATOR: [
        "Start",
        "Försäljningsställen",
        *REGISTER,
        "Användare",
        "Säkerhetslogg",
        "Registerutdrag",
    ],
    Role.OFFICIAL: ["Start", "Försäljningsställen", *REGISTER],
    Role.SHOP_OWNER: [
        "Start",
        "Mina försäljningsställen",
        "Mina avtal",
        "Min servicepunkt",
    ],
    Role.REGIONAL_VIEWER: ["Start", "Försäljningsställen", *REGISTER, "Länet"],
}


def test_anonymous_visitor_gets_the_swedish_login_page(browser, demo):
    browser.goto("/", expected_status=200)
    assert browser.page.url.startswith(browser.base_url + "/accounts/login/")
    assert browser.page.locator("html").get_attribute("lang") == "sv"
    assert browser.page.get_by_role("heading", level=1).inner_text() == "Logga in"
    browser.screenshot("login")


FIRST_OF_EACH_ROLE = {demo.role: demo for demo in reversed(DEMO_USERS)}


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
    if demo_user is not FIRST_OF_EACH_ROLE[demo_user.role]:
        return  # The second official: the same menu and pages as the first.
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
    assert (
        browser.page.get_by_role("heading", level=1).inner_text()
        == "Pers Livs Servicepunkt"
    )
    browser.screenshot("outlet-detail-phone")


def markers(browser, expected):
    browser.page.locator(".leaflet-marker-icon").first.wait_for()
    found = browser.page.locator(".leaflet-marker-icon")
    assert found.count() == expected
    return found


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_official_searches_the_list_opens_an_outlet_and_sees_it_on_the_map(
    browser, demo, viewport
):
    if viewport == "phone":
        browser.page.set_viewport_size({"width": 375, "height": 740})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    browser.goto("/outlets/")
    browser.screenshot(f"outlet-list-{viewport}")
    page.get_by_role("textbox", name="Sök").fill("pers livs")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    browser.check_page()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    rows.get_by_role("link", name="Pers Livs").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Pers Livs Servicepunkt"
    assert "SWEREF 99 TM" in page.inner_text("main")
    markers(browser, 2)  # the outlet and its locality
    browser.check_page()
    browser.screenshot(f"outlet-detail-{viewport}")

    browser.goto("/outlets/map/")
    in_scope = (
        Outlet.objects.filter(municipality__code="2401", latitude__isnull=False).count()
        + Locality.objects.filter(
            municipality__code="2401", latitude__isnull=False
        ).count()
    )
    found = markers(browser, in_scope)
    assert page.get_by_role(
        "region", name="Karta över försäljningsställen och orter"
    ).is_visible()
    browser.check_page()
    browser.screenshot(f"map-{viewport}")
    page.get_by_role("button", name="Pers Livs").first.click()
    page.locator(".leaflet-popup").get_by_role("link", name="Pers Livs").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Pers Livs Servicepunkt"
    assert found.count() >= 1


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_official_adds_an_outlet_with_a_sweref_position_then_closes_it(
    browser, demo, viewport
):
    if viewport == "phone":
        browser.page.set_viewport_size({"width": 375, "height": 740})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    browser.goto("/outlets/")
    page.get_by_role("link", name="Nytt försäljningsställe").click()
    page.wait_for_load_state()
    outlet_fields = page.get_by_role("group", name="Försäljningsställe", exact=True)
    outlet_fields.get_by_label("Namn").fill("Lanthandeln Lögdeå")
    page.get_by_label("Nordlig koordinat (N)").fill("7062000")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "Rätta felen nedan." in page.inner_text("main")
    browser.check_page()
    browser.screenshot(f"outlet-form-errors-{viewport}")

    page.get_by_label("Typ", exact=True).select_option("grocery")
    page.get_by_label("Ort", exact=True).select_option(label="Rundvik")
    page.get_by_label("Östlig koordinat (E)").fill("717 500")
    page.get_by_label("PostNord").check()
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Lanthandeln Lögdeå"
    assert "har lagts till" in page.inner_text("main")
    markers(browser, 2)  # the outlet and its locality
    browser.check_page()
    outlet = Outlet.objects.get(name="Lanthandeln Lögdeå")
    assert 63.5 < outlet.latitude < 63.7

    page.get_by_role("link", name="Ändra").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot(f"outlet-form-{viewport}")
    page.get_by_role("link", name="Avbryt").click()
    page.get_by_role("link", name="Registrera nedläggning").click()
    page.wait_for_load_state()
    page.get_by_label("Nedläggningsdatum").fill("2025-06-30")
    browser.check_page()
    browser.screenshot(f"outlet-close-{viewport}")
    page.get_by_role("button", name="Registrera som nedlagt").click()
    page.wait_for_load_state()
    assert "är registrerat som nedlagt" in page.inner_text("main")
    outlet.refresh_from_db()
    assert outlet.status == Outlet.Status.CLOSED


def test_official_reads_localities_and_partners(browser, demo):
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Orter").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("locality-list")
    page.get_by_role("link", name="Brattfors").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Brattfors"
    page.locator(".leaflet-marker-icon").first.wait_for()
    browser.check_page()
    browser.screenshot("locality-detail")
    page.get_by_role("link", name="Ändra").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("locality-form")

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Samverkansparter").click()
    page.wait_for_load_state()
    browser.check_page()
    page.get_by_role("link", name="Ny samverkanspart").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("partner-form")
