"""The payouts page in the browser (issue 16, point 8): an administrator filters
the payouts of one outlet, ticks two and approves them; one is approved, the other
refused with the reason shown; one is withheld with a reason. At phone width and
on a desktop, axe-clean."""

import pytest

from accounts.demo import DEMO_PASSWORD
from agreements.models import Agreement, Payout

pytestmark = pytest.mark.browser

ADMINISTRATOR = "administrator@nordmaling.example"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def two_planned(demo):
    """Two planned payouts of one signed agreement: the first waits for a
    follow-up not done, the second waits for nothing."""
    agreement = next(
        agreement
        for agreement in Agreement.objects.filter(
            state=Agreement.State.SIGNED, municipality__code="2401"
        ).order_by("pk")
        if agreement.payouts.filter(status=Payout.Status.PLANNED).count() >= 2
    )
    waiting, ready = agreement.payouts.filter(status=Payout.Status.PLANNED).order_by(
        "due_on"
    )[:2]
    Payout.objects.filter(pk=waiting.pk).update(
        requires_followup=True,
        followup_complete=False,
        requires_report=False,
        condition_year=waiting.agreement_year,
    )
    Payout.objects.filter(pk=ready.pk).update(
        requires_followup=False, requires_report=False
    )
    waiting.refresh_from_db()
    ready.refresh_from_db()
    return agreement, waiting, ready


def main_text(browser):
    return browser.page.inner_text("main").replace("\xa0", " ")


def checkbox_of(page, payout):
    return page.locator(f"#approve-{payout.pk}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_an_administrator_approves_two_payouts_and_one_is_refused_with_the_reason(
    browser, two_planned, viewport
):
    agreement, waiting, ready = two_planned
    page = browser.page
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    browser.sign_in(ADMINISTRATOR, DEMO_PASSWORD)

    browser.goto("/agreements/")
    page.get_by_role("link", name="Utbetalningar", exact=True).click()
    page.wait_for_load_state()
    browser.check_page()

    filters = page.get_by_role("search", name="Filtrera utbetalningarna")
    filters.get_by_label("Status").select_option(label="Planerad")
    filters.get_by_label("Försäljningsställe").select_option(
        label=agreement.outlet.name
    )
    filters.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    browser.check_page()
    text = main_text(browser)
    assert f"Väntar på uppföljningen av avtalsår {waiting.condition_year}" in text
    browser.screenshot(f"payouts-filtered-{viewport}")

    checkbox_of(page, waiting).check()
    checkbox_of(page, ready).check()
    page.get_by_role("button", name="Godkänn de förkryssade utbetalningarna").click()
    page.wait_for_load_state()

    browser.check_page()
    text = main_text(browser)
    assert "1 utbetalning är godkänd." in text
    assert (
        f"Inte godkänd: {agreement.outlet.name}, {agreement.reference}, förfaller "
        f"{waiting.due_on.isoformat()}. Utbetalningen väntar på uppföljningen av "
        f"avtalsår {waiting.agreement_year}."
    ) in text
    # Back on the same filter: the approved one has left the planned ones.
    assert "status=planned" in page.url
    browser.screenshot(f"payouts-approved-one-refused-{viewport}")
    waiting.refresh_from_db()
    ready.refresh_from_db()
    assert (waiting.status, ready.status) == ("planned", "approved")

    row = page.locator(f"#payout-{waiting.pk}")
    row.get_by_text("Håll inne…").click()
    row.get_by_label("Varför utbetalningen hålls inne").fill(
        "Uppföljningen är inte bokad."
    )
    browser.check_page()
    browser.screenshot(f"payouts-withhold-form-{viewport}")
    row.get_by_role("button", name="Håll inne utbetalningen").click()
    page.wait_for_load_state()
    assert "Utbetalningen hålls inne." in main_text(browser)
    browser.check_page()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.withheld_reason) == (
        "withheld",
        "Uppföljningen är inte bokad.",
    )

    # Issue 16 review, point 2: a withheld payout is no dead end.
    filters = page.get_by_role("search", name="Filtrera utbetalningarna")
    filters.get_by_label("Status").select_option(label="Innehållen")
    filters.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    browser.check_page()
    row = page.locator(f"#payout-{waiting.pk}")
    assert "Innehållen: Uppföljningen är inte bokad." in row.inner_text()
    browser.screenshot(f"payouts-withheld-row-{viewport}")
    row.get_by_role("button", name="Släpp").click()
    page.wait_for_load_state()
    assert "Utbetalningen är släppt: den är planerad igen." in main_text(browser)
    browser.check_page()
    waiting.refresh_from_db()
    assert waiting.status == "planned"
