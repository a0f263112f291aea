"""Two factors in the browser (issue 13): an administrator is sent to set up an
authenticator app, sets it up, signs out and in again with a code; a wrong code is
refused and counted."""

import base64
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import app_code, app_of

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_an_administrator_sets_up_an_app_and_signs_in_with_its_code(
    browser, municipalities_reloaded
):
    administrator = UserFactory(
        administrator=True, email="karin@nordmaling.example", full_name="Karin Holm"
    )
    page = browser.page

    browser.sign_in(administrator.email, TEST_PASSWORD, second_factor=False)

    # Sent to the set-up, the only page there is before it.
    assert page.url.endswith("/accounts/two-factor/setup/?next=/")
    browser.check_page()
    assert page.get_by_role("img", name="QR-kod för din autentiseringsapp").is_visible()
    assert page.get_by_role("navigation", name="Huvudmeny").count() == 0
    browser.screenshot("two-factor-setup")
    page.set_viewport_size(PHONE)
    browser.check_page()
    browser.screenshot("two-factor-setup-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    browser.goto("/outlets/")
    assert "/accounts/two-factor/setup/" in page.url

    # The app is set up from the key the page shows (as typed instead of scanned).
    key = page.locator(".secret-key code").inner_text().replace(" ", "")
    code = f"{TOTP(base64.b32decode(key)).token():06d}"
    page.get_by_label("Kod", exact=True).fill(code)
    page.get_by_role("button", name="Bekräfta och slå på").click()
    page.wait_for_load_state()

    assert "/accounts/two-factor/recovery-codes/" in page.url
    assert page.get_by_text("Tvåstegsinloggning är på.").is_visible()
    assert page.locator(".recovery-codes li").count() == 10
    browser.check_page()
    browser.screenshot("two-factor-recovery-codes")
    page.get_by_role("link", name="Fortsätt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).count() == 1
    assert "/accounts/two-factor/" not in page.url

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()
    browser.sign_in(administrator.email, TEST_PASSWORD, second_factor=False)
    assert "/accounts/two-factor/verify/" in page.url
    browser.check_page()
    browser.screenshot("two-factor-verify")

    page.get_by_label("Kod", exact=True).fill("000000")
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_load_state()

    assert page.get_by_text("Koden är fel.").is_visible()
    browser.check_page()
    browser.screenshot("two-factor-verify-wrong")
    device = TOTPDevice.objects.get(user=administrator)
    assert device.throttling_failure_count == 1

    # The next attempt is checked once a second has passed since the wrong one.
    allowed_at = device.throttling_failure_timestamp + timedelta(seconds=1)
    time.sleep(max(0, (allowed_at - timezone.now()).total_seconds()))
    page.get_by_label("Kod", exact=True).fill(app_code(device))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_load_state()

    assert re.search(r"/$", page.url)
    browser.check_page()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    # The profile says it is on; the administrator cannot turn it off.
    browser.goto("/accounts/profile/")
    assert page.get_by_text("På: du loggar in med ditt lösenord").is_visible()
    assert page.get_by_role("link", name="Stäng av").count() == 0
    browser.screenshot("two-factor-profile")


def test_the_pages_to_reset_and_turn_off_a_second_factor(
    browser, municipalities_reloaded
):
    """Axe on the remaining two-factor pages: an administrator resets a
    colleague's app; an official turns their own off with their password."""
    UserFactory(administrator=True, email="karin@nordmaling.example")
    official = UserFactory(email="johan@nordmaling.example", full_name="Johan Berg")
    app_of(official)
    page = browser.page

    browser.sign_in("karin@nordmaling.example", TEST_PASSWORD)
    browser.goto("/accounts/users/")
    page.get_by_role("link", name="Återställ (Johan Berg)").click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("two-factor-reset")
    page.get_by_role("button", name="Återställ andra steget").click()
    page.wait_for_load_state()
    assert page.get_by_text("Andra steget för Johan Berg är återställt.").is_visible()
    assert not TOTPDevice.objects.filter(user=official).exists()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()

    app_of(official)
    browser.sign_in(official.email, TEST_PASSWORD)
    browser.goto("/accounts/profile/")
    page.get_by_role("link", name="Stäng av").click()
    page.wait_for_load_state()
    browser.check_page()
    page.get_by_label("Ditt lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Stäng av").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tvåstegsinloggning är av.").is_visible()
    browser.check_page()
    browser.screenshot("two-factor-turned-off")
