"""Users in the browser (issue 16): an administrator invites a shop owner; the
shop owner, on a phone, sets a password from the e-mail's link, reaches their
portal and keeps their shop's opening hours and phone. Axe on every page; the
users page, the invitation form and the set-password page photographed at desktop
and phone width."""

import re

import pytest
from django.core import mail

from accounts.models import Role, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NEW_PASSWORD = "kaffe och kanelbullar i byn 2027"


def look_at(browser, name, *, phone_too=True):
    """Axe at desktop width and, when asked, at phone width; a screenshot of each."""
    browser.page.set_viewport_size(DESKTOP)
    browser.check_page()
    browser.screenshot(f"{name}-desktop")
    if phone_too:
        browser.page.set_viewport_size(PHONE)
        browser.check_page()
        browser.screenshot(f"{name}-phone")
        browser.page.set_viewport_size(DESKTOP)


def test_an_administrator_invites_a_shop_owner_who_sets_a_password_on_a_phone(
    browser, municipalities_reloaded, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    administrator = UserFactory(
        administrator=True, email="karin@nordmaling.example", full_name="Karin Holm"
    )
    OutletFactory(name="Pers Livs")
    page = browser.page

    browser.sign_in(administrator.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Användare"
    ).click()
    page.wait_for_load_state()
    look_at(browser, "users")
    page.get_by_role("link", name="Bjud in en användare").click()
    page.wait_for_load_state()
    look_at(browser, "user-invite")

    page.get_by_label("Namn").fill("Per Lindberg")
    page.get_by_label("E-postadress").fill("per@perslivs.example")
    page.get_by_label("Butiksinnehavare").check()
    page.get_by_label("Pers Livs").check()
    page.get_by_role("button", name="Skicka inbjudan").click()
    page.wait_for_load_state()

    assert page.get_by_text(
        "En inbjudan har skickats till per@perslivs.example."
    ).is_visible()
    assert page.get_by_text("Inbjuden: har inte valt lösenord än").is_visible()
    look_at(browser, "user-detail-invited", phone_too=False)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)

    # The shop owner, on a phone of their own.
    phone = page.context.browser.new_context(viewport=PHONE, locale="sv-SE")
    try:
        owner = type(browser)(phone.new_page(), browser.base_url)
        owner.page.goto(link)
        owner.check_page()
        assert owner.page.url.endswith("/accounts/invitation/password/")
        owner.screenshot("invitation-password-phone")
        owner.page.set_viewport_size(DESKTOP)
        owner.check_page()
        owner.screenshot("invitation-password-desktop")
        owner.page.set_viewport_size(PHONE)
        owner.page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
        owner.page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
        owner.page.get_by_role("button", name="Spara lösenordet och logga in").click()
        owner.page.wait_for_load_state()

        owner.check_page()
        assert owner.page.get_by_role(
            "heading", name="Välkommen, Per Lindberg"
        ).is_visible()
        owner.page.get_by_role("link", name="Min servicepunkt").first.click()
        owner.page.wait_for_load_state()
        owner.check_page()
        owner.screenshot("shop-owner-portal-phone")

        # Point 2: the shop's public facts, from the owner's own outlet page.
        owner.goto("/")
        owner.page.get_by_role("link", name="Pers Livs").click()
        owner.page.wait_for_load_state()
        owner.page.get_by_role("link", name="Ändra öppettider och telefon").click()
        owner.page.wait_for_load_state()
        owner.check_page()
        owner.screenshot("outlet-public-facts-phone")
        owner.page.get_by_label("Öppettider").fill("Mån–fre 9–19\nLör 10–14")
        owner.page.get_by_label("Butikens telefon").fill("0930-123 45")
        owner.page.get_by_role("button", name="Spara").click()
        owner.page.wait_for_load_state()
        owner.check_page()
        assert owner.page.get_by_text("0930-123 45").is_visible()
    finally:
        phone.close()

    per = User.objects.get(email="per@perslivs.example")
    assert per.role == Role.SHOP_OWNER and per.has_usable_password()
    assert Outlet.objects.get(name="Pers Livs").phone == "0930-123 45"
    # The administrator reads on the outlet's page who changed what.
    browser.goto(f"/outlets/{Outlet.objects.get(name='Pers Livs').pk}/")
    assert page.get_by_role("cell", name="Per Lindberg").first.is_visible()
