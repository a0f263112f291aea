"""An official withdraws an amendment ready for signature on a phone (issue 16,
point 4): the amendment stays on the page as withdrawn, with its reason and its
document, and a new amendment can be started."""

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from agreements.models import Agreement
from agreements.services import agreement_amend, agreement_mark_ready

pytestmark = pytest.mark.browser

OFFICIAL = "handlaggare@nordmaling.example"


def test_an_official_withdraws_an_amendment_on_a_phone(browser, demo):
    official = User.objects.get(email=OFFICIAL)
    agreement = next(
        agreement
        for agreement in Agreement.objects.editable_by(official).filter(
            state=Agreement.State.SIGNED, ends_on__isnull=True
        )
        if all(version.signed_at for version in agreement.versions.all())
    )
    agreement_amend(
        agreement=agreement,
        by=official,
        effective_on=max(timezone.localdate(), agreement.starts_on),
        reason="Nytt öppettider-åtagande.",
    )
    agreement_mark_ready(agreement=agreement, by=official)
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser.sign_in(OFFICIAL, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())

    page.get_by_text("Återkalla tillägget…").click()
    page.get_by_label("Varför tillägget återkallas").fill(
        "Butiken vill inte skriva under."
    )
    page.get_by_role("button", name="Återkalla tillägget").click()
    browser.check_page()
    browser.screenshot("agreement-amendment-withdrawn-phone")

    text = " ".join(page.locator("main").inner_text().split())
    assert "Tillägget är återkallat." in text
    assert "Butiken vill inte skriva under." in text
    assert "Tillägg under arbete" not in text
    assert page.get_by_text("Påbörja ett tillägg").is_visible()
