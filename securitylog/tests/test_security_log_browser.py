"""The security log in the browser (issue 15): an administrator finds a failed
sign-in, a lockout, a refused page and an export, and filters by person and kind."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import Client

pytestmark = pytest.mark.browser


def test_the_administrator_reads_and_filters_the_security_log(
    browser, municipalities_reloaded
):
    UserFactory(administrator=True, email="karin@nordmaling.example")
    official = UserFactory(email="johan@nordmaling.example", full_name="Johan Berg")
    colleague = UserFactory(email="eva@nordmaling.example", full_name="Eva Ström")
    # What happened earlier today, through the whole app as people did it.
    for _ in range(5):
        Client().post(
            "/accounts/login/", {"username": official.email, "password": "fel"}
        )
    Client().post("/accounts/login/", {"username": colleague.email, "password": "fel"})
    client = Client()
    client.force_login(colleague)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/outlets/export/?format=csv").status_code == 200

    page = browser.page
    browser.sign_in("karin@nordmaling.example", TEST_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Säkerhetslogg"
    ).click()
    page.wait_for_load_state()
    browser.check_page()
    table = page.get_by_role("table", name="Säkerhetslogg")
    for kind in [
        "Misslyckad inloggning",
        "Spärrad",
        "Ingen behörighet",
        "Export eller nedladdning",
    ]:
        assert table.get_by_role("rowheader", name=kind).count() >= 1, kind
    browser.screenshot("security-log")

    page.get_by_label("Användare eller e-postadress").fill("johan@")
    page.get_by_label("Händelse").select_option(label="Misslyckad inloggning")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()

    browser.check_page()
    assert page.get_by_text("5 händelser").is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 5
    for index in range(5):
        assert "johan@nordmaling.example" in rows.nth(index).inner_text()
        assert "Misslyckad inloggning" in rows.nth(index).inner_text()
    browser.screenshot("security-log-filtered")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.check_page()
    browser.screenshot("security-log-filtered-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Händelse").select_option(label="Export eller nedladdning")
    page.get_by_label("Användare eller e-postadress").fill("eva@")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    assert rows.count() == 1
    assert "/outlets/export/?format=csv" in rows.first.inner_text()
    assert "Eva Ström" in rows.first.inner_text()
