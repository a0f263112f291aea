"""An official changes an outlet in the browser and reads the change in its history;
the system owner reads a user's history in the Django admin. Axe clean, screenshots."""

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from outlets.models import Outlet
from outlets.tests.factories import LocalityFactory, OutletFactory, PartnerFactory

pytestmark = pytest.mark.browser


def test_an_officials_change_shows_in_the_outlets_history(
    browser, municipalities_reloaded
):
    locality = LocalityFactory(name="Nyåker")
    outlet = OutletFactory(
        name="Handlarn Nyåker", kind=Outlet.Kind.GROCERY, locality=locality
    )
    partner = PartnerFactory(localities=[locality])
    UserFactory(email="olle@nordmaling.example", full_name="Olle Handläggare")
    browser.sign_in("olle@nordmaling.example", TEST_PASSWORD)
    page = browser.page

    browser.goto(outlet.get_absolute_url())
    page.get_by_role("link", name="Ändra").first.click()
    page.get_by_label("Öppettider").fill("Alla dagar 8–21")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()

    history = page.locator("section[aria-labelledby=history-heading]")
    rows = history.locator("tbody tr").all_inner_texts()
    assert "Olle Handläggare" in rows[0]
    assert "Försäljningsställe ändrades: öppettider" in rows[0]
    browser.check_page()
    browser.screenshot("outlet-history")
    for name, record in (("locality", locality), ("partner", partner)):
        browser.goto(record.get_absolute_url())
        browser.screenshot(f"{name}-history")


def test_the_system_owner_reads_a_users_history_in_the_admin(
    browser, municipalities_reloaded
):
    UserFactory(system_owner=True, email="system@servicepunkter.example")
    official = UserFactory(full_name="Olle Handläggare")
    browser.sign_in("system@servicepunkter.example", TEST_PASSWORD)
    page = browser.page

    page.goto(f"{browser.base_url}/admin/accounts/user/{official.pk}/change/")
    page.locator("#id_role").select_option("administrator")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.goto(f"{browser.base_url}/admin/accounts/user/{official.pk}/change/")

    history = page.locator("section[aria-labelledby=history-heading]")
    assert "Användare ändrades: roll Handläggare → Administratör" in (
        history.inner_text()
    )
    browser.screenshot("admin-user-history")
