"""An agreement from draft to sealed PDF in the browser, as officials and owners do."""

import subprocess

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.tests.factories import UserFactory
from agreements.models import Agreement, Party
from core.testing import run_worker
from outlets.models import Outlet

pytestmark = pytest.mark.browser

OUTLET = "Lanthandeln i Öre"


@pytest.fixture
def ore_owner(demo):
    outlet = Outlet.objects.get(name=OUTLET)
    Party.objects.create(
        municipality=outlet.municipality,
        name="Öre Lanthandel AB",
        organisation_number="556036-0793",
        bankgiro="5555-1234",
        signatory_name="Eva Öberg",
        signatory_title="VD",
    )
    owner = UserFactory(
        shop_owner=True, email="eva@orelanthandel.example", outlets=[outlet]
    )
    owner.set_password(DEMO_PASSWORD)
    owner.save()
    return owner


def sign_out(browser):
    browser.page.get_by_role("button", name="Logga ut").click()
    browser.page.wait_for_load_state()


def test_an_agreement_is_drafted_frozen_signed_by_both_and_downloaded_sealed(
    browser, ore_owner, tmp_path
):
    page = browser.page
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Avtal"
    ).click()
    browser.check_page()
    page.get_by_role("link", name="Nytt avtal").click()
    page.get_by_label("Försäljningsställe:", exact=True).select_option(label=OUTLET)
    page.get_by_label("Avtalspart:", exact=True).select_option(
        label="Öre Lanthandel AB"
    )
    page.get_by_label("Diarienummer").fill("KS 2026/77")
    page.get_by_label("Beslutande organ").fill("Kommunstyrelsen")
    page.get_by_label("Beslutsdatum").fill("2026-10-14")
    page.get_by_label("Startdatum").fill("2026-11-01")
    for service in ("Kommuninformation", "Blankettservice", "Mötesplats"):
        page.get_by_label(service, exact=True).check()
    browser.check_page()
    browser.screenshot("agreement-form")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()

    agreement = Agreement.objects.get(outlet__name=OUTLET)
    assert "Utkastet till avtal är sparat." in page.inner_text("main")
    assert "30\xa0000 kr" in page.inner_text("main")
    page.get_by_role("button", name="Gör klart för underskrift").click()
    page.wait_for_load_state()
    assert "Avtalet är klart för underskrift." in page.inner_text("main")

    page.get_by_label("Titel").fill("Näringslivsutvecklare")
    page.get_by_label("Ditt lösenord").fill(DEMO_PASSWORD)
    browser.check_page()
    browser.screenshot("agreement-sign")
    page.get_by_role("button", name="Skriv under för kommunen").click()
    page.wait_for_load_state()
    assert "Din underskrift är registrerad." in page.inner_text("main")
    sign_out(browser)

    browser.sign_in(ore_owner.email, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    page.get_by_label("Titel").fill("VD")
    page.get_by_label("Ditt lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Skriv under för servicepunkten").click()
    page.wait_for_load_state()
    assert "Gällande" in page.inner_text("main")
    # The signed document is made in the background: the page says so and
    # follows the job; once a worker has made it, the page shows it.
    assert "Det undertecknade dokumentet tas fram." in page.inner_text("main")
    browser.check_page()
    browser.screenshot("agreement-signed-document-being-prepared")
    run_worker(queues=["documents"])
    page.get_by_role("link", name="Undertecknat avtal (PDF)").wait_for(timeout=20_000)
    assert "Det undertecknade dokumentet tas fram." not in page.inner_text("main")
    browser.check_page()
    browser.screenshot("agreement-signed")

    signed_url = page.get_by_role(
        "link", name="Undertecknat avtal (PDF)"
    ).get_attribute("href")
    response = page.request.get(browser.base_url + signed_url)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(response.body())
    checked = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert "Signature is Valid." in checked.stdout
    assert "Total document signed" in checked.stdout
    sign_out(browser)

    # Another shop owner finds no such document.
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    assert page.request.get(browser.base_url + signed_url).status == 404


def test_an_official_cancels_a_payout_with_a_reason_and_sees_it_struck_through(
    browser, demo
):
    from agreements.models import Payout

    agreement = Agreement.objects.get(outlet__name="Pers Livs")
    payout = agreement.payouts.filter(status=Payout.Status.PLANNED).last()
    period = f"{payout.period_start} – {payout.period_end}"
    page = browser.page
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    row = page.locator("tr", has_text=period)
    row.get_by_text("Makulera…").click()
    row.get_by_label("Varför utbetalningen makuleras").fill(
        "Butiken höll stängt under ombyggnaden; ersättningen utgår enligt beslut."
    )
    browser.check_page()
    row.get_by_role("button", name="Makulera utbetalningen").click()
    page.wait_for_load_state()

    assert "Utbetalningen är makulerad." in page.inner_text("main")
    cancelled = page.locator("tr.payout--cancelled", has_text=period)
    assert "Makulerad: Butiken höll stängt" in cancelled.inner_text()
    browser.check_page()
    browser.screenshot("agreement-payout-cancelled")
    page.set_viewport_size({"width": 375, "height": 740})
    browser.check_page()
    browser.screenshot("agreement-payout-cancelled-phone")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.CANCELLED


def test_an_official_withdraws_an_agreement_ready_for_signature_with_a_reason(
    browser, demo
):
    agreement = Agreement.objects.get(outlet__name="Norrfors Bageri")
    page = browser.page
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    page.get_by_text("Återkalla…").click()
    page.get_by_label("Varför avtalet återkallas").fill(
        "Bageriet väljer att inte ta uppdraget i år."
    )
    browser.check_page()
    browser.screenshot("agreement-withdraw-form")
    desktop = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 740})
    browser.check_page()
    browser.screenshot("agreement-withdraw-form-phone")
    page.get_by_role("button", name="Återkalla avtalet").click()
    page.wait_for_load_state()

    main = page.inner_text("main")
    assert "Avtalet är återkallat." in main
    assert "Bageriet väljer att inte ta uppdraget i år." in main
    assert page.get_by_role("button", name="Återkalla avtalet").count() == 0
    browser.check_page()
    browser.screenshot("agreement-withdrawn-phone")
    page.set_viewport_size(desktop)
    browser.check_page()
    browser.screenshot("agreement-withdrawn")
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.WITHDRAWN
