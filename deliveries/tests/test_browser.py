import pytest

from accounts.demo import DEMO_PASSWORD
from deliveries.models import Delivery

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_official_reads_the_yearly_summary_on_a_phone(browser, demo):
    browser.page.set_viewport_size(PHONE)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)

    browser.page.get_by_role("link", name="Hemsändning").first.click()
    browser.check_page()
    browser.page.get_by_role("link", name="Årssammanställning och bidrag").click()
    browser.check_page()

    table = browser.page.get_by_role("table")
    assert "Bidrag att söka" in table.inner_text()
    assert "Totalt" in table.inner_text()
    browser.screenshot("deliveries-summary-phone")


def test_shop_owner_logs_a_delivery_on_a_phone_and_a_name_is_refused(browser, demo):
    browser.page.set_viewport_size(PHONE)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    browser.page.get_by_role("link", name="Hemsändning: logga hemsändningar").click()
    browser.page.get_by_role("link", name="Logga en hemsändning").click()
    browser.check_page()
    browser.screenshot("deliveries-owner-form-phone")
    before = Delivery.objects.count()

    browser.page.get_by_label("Hushållets kod").fill("Anna Svensson")
    browser.page.get_by_label("Kostnad (kr)").fill("250")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()
    # On the field, and in the summary as a link to it.
    field_error = browser.page.locator("#id_household_reference_error")
    assert "Det här ser ut som ett namn." in field_error.inner_text()
    summary = browser.page.locator(".error-summary")
    assert summary.get_by_role("link", name="Hushållets kod").is_visible()
    browser.screenshot("deliveries-owner-form-error-phone")

    browser.page.get_by_label("Hushållets kod").fill("h-042")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()
    assert browser.page.get_by_text("Hemsändningen är sparad.").is_visible()
    assert Delivery.objects.count() == before + 1
    assert Delivery.objects.filter(household_reference="H-042").exists()


def test_on_a_desktop_the_yearly_summary_shows_every_column(browser, demo):
    browser.page.set_viewport_size({"width": 1280, "height": 900})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)

    browser.goto("/deliveries/summary/")

    region = browser.page.get_by_role("region", name="Hemsändningar och nettokostnad")
    assert region.evaluate("node => node.scrollWidth <= node.clientWidth")
    grant = region.get_by_role("row", name="Bidrag att söka")
    assert grant.is_visible()
    assert not browser.page.get_by_text("rulla i sidled").is_visible()
    browser.screenshot("deliveries-summary-desktop")


def test_shop_owner_types_the_cost_as_on_the_receipt(browser, demo):
    browser.page.set_viewport_size(PHONE)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    browser.goto("/deliveries/new/")
    browser.page.get_by_label("Hushållets kod").fill("h-043")

    browser.page.get_by_label("Kostnad (kr)").fill("-5")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()
    assert browser.page.get_by_text("Ange 1 kr eller mer.").first.is_visible()
    browser.screenshot("deliveries-cost-error-phone")

    browser.page.get_by_label("Kostnad (kr)").fill("1 250 kr")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()
    assert Delivery.objects.get(household_reference="H-043").cost == 1_250
