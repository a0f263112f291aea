"""The yearly follow-up in the browser: the owner reports on a phone, the official
reviews, visits and completes, and the payout waiting for it is approved."""

import re
from datetime import date

import pytest
from django.utils import timezone
from PIL import Image

from accounts.demo import DEMO_PASSWORD
from agreements.models import Payout
from agreements.services import payout_condition_set
from followup.models import AgreedAction, FollowUp
from followup.tests.factories import signed_agreement
from outlets.models import Outlet

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def sign_out(browser):
    browser.page.get_by_role("button", name="Logga ut").click()
    browser.page.wait_for_load_state()


def main_text(browser):
    return browser.page.inner_text("main")


def test_the_owner_reports_the_official_completes_and_the_payout_is_approved(
    browser, demo
):
    page = browser.page
    followup = (
        FollowUp.objects.filter(agreement__outlet__name="Pers Livs")
        .open()
        .order_by("-agreement_year")
        .first()
    )
    year = followup.agreement_year
    payout = followup.agreement.payouts.filter(condition_year=year).first()
    assert payout.status == Payout.Status.PLANNED and not payout.condition_holds

    # The owner, on a phone.
    page.set_viewport_size(PHONE)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Min servicepunkt").first.click()
    browser.check_page()
    assert page.get_by_role("heading", level=1).inner_text() == "Min servicepunkt"
    assert page.get_by_role("link", name="Undertecknat avtal (PDF)").is_visible()
    browser.screenshot("portal-phone")

    page.get_by_role("link", name=f"Fyll i rapporten för år {year}").click()
    page.wait_for_load_state()
    browser.check_page()
    page.get_by_label("Vad har fungerat bra").fill("Paketutlämningen lockar folk.")
    page.get_by_label("Behov och önskemål").fill("En ny anslagstavla.")
    page.get_by_role("button", name="Skicka till kommunen").click()
    page.wait_for_load_state()
    assert "Ange antalet besökare en vanlig vecka" in main_text(browser)
    browser.check_page()
    browser.screenshot("report-form-errors-phone")
    page.get_by_label("Besökare per vecka").fill("ca 450")
    page.get_by_label("Uppskattat").check()
    page.get_by_label("Hanterade paket").fill("1 350")
    page.get_by_role("button", name="Skicka till kommunen").click()
    page.wait_for_load_state()
    assert "Tack! Kommunen har fått din rapport." in main_text(browser)
    assert "Skickad, väntar på kommunen" in main_text(browser)
    browser.check_page()
    browser.screenshot("portal-after-report-phone")
    sign_out(browser)

    # The official, at the desk.
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Uppföljning"
    ).click()
    page.wait_for_load_state()
    browser.check_page()
    browser.screenshot("followup-list")
    page.get_by_role("region", name=re.compile("^Aktuella")).get_by_role(
        "link", name="Pers Livs"
    ).first.click()
    page.wait_for_load_state()
    browser.check_page()
    assert "Paketutlämningen lockar folk." in main_text(browser)
    page.get_by_role("button", name="Godkänn rapporten").click()
    page.wait_for_load_state()
    assert "Rapporten är godkänd." in main_text(browser)

    today = timezone.localdate().isoformat()
    page.get_by_label("Datum för dialogen").fill(today)
    page.get_by_label("Deltagare").fill("Per Lindberg, Johan Berg")
    page.get_by_role("button", name="Spara dialogen").click()
    page.wait_for_load_state()
    assert "Den årliga dialogen är sparad." in main_text(browser)
    page.get_by_text("Lägg till en överenskommen åtgärd").click()
    page.get_by_label("Åtgärd:", exact=True).fill("Sätt upp en ny anslagstavla")
    page.get_by_role("radio", name="Kommunen").check()
    page.get_by_role("button", name="Lägg till åtgärden").click()
    page.wait_for_load_state()
    assert "Åtgärden är tillagd." in main_text(browser)

    page.get_by_label("Datum för besöket").fill(today)
    page.get_by_label("Besökare från kommunen").fill("Johan Berg")
    for radio in page.get_by_role("radio", name="OK", exact=True).all():
        radio.check()
    browser.check_page()
    browser.screenshot("site-visit-form")
    page.get_by_role("button", name="Spara platsbesöket").click()
    page.wait_for_load_state()
    assert "Platsbesöket är sparat." in main_text(browser)

    page.get_by_label("Bedömning av året").fill("Ett bra år för Pers Livs.")
    page.get_by_role("button", name="Uppföljningen klar").click()
    page.wait_for_load_state()
    assert "Uppföljningen är klar." in main_text(browser)
    browser.check_page()
    browser.screenshot("followup-complete")

    # The payout that waited for this follow-up can now be approved: by the
    # second official, since Johan drafted the agreement (the attestation order).
    agreement_url = followup.agreement.get_absolute_url()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()
    browser.sign_in("handlaggare2@nordmaling.example", DEMO_PASSWORD)
    browser.goto(agreement_url)
    row = page.locator(
        "tr", has_text=f"Villkoret uppfyllt: uppföljningen av avtalsår {year} ("
    ).first
    row.get_by_role("button", name="Godkänn").click()
    page.wait_for_load_state()
    assert "Utbetalningen är godkänd." in main_text(browser)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.APPROVED


def test_the_owner_marks_the_shops_action_done_on_a_phone_and_the_official_sees_it(
    browser, demo
):
    page = browser.page
    followup = (
        FollowUp.objects.filter(
            agreement__outlet__name="Pers Livs", meeting__isnull=False
        )
        .order_by("-agreement_year")
        .first()
    )
    year = followup.agreement_year
    # The demo leaves the shop one open action of its own at the latest dialogue.
    assert (
        followup.meeting.actions.filter(
            party=AgreedAction.Party.SHOP, status=AgreedAction.Status.OPEN
        ).count()
        == 1
    )

    # The owner, on a phone, reads what was agreed and marks the shop's part done.
    page.set_viewport_size(PHONE)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Min servicepunkt").first.click()
    browser.check_page()
    assert "1 överenskommen åtgärd för butiken att göra." in main_text(browser)
    browser.screenshot("portal-dialogue-link-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.screenshot("portal-dialogue-link")
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name=f"Årlig dialog och platsbesök, år {year}").click()
    browser.check_page()
    text = main_text(browser)
    assert "Butiken vill ha bättre skyltning" in text
    assert "Ny skylt vid vägen" in text and "Sätt upp en anslagstavla" in text
    assert "Skylten är blekt." in text
    # Only the shop's own action has the form.
    assert page.get_by_text("Markera som klar").count() == 1
    page.get_by_text("Markera som klar").click()
    page.get_by_label("Kommentar (frivillig)").fill("Tavlan sitter uppe sedan i maj.")
    browser.screenshot("portal-dialogue-phone")
    page.get_by_role("button", name="Spara som klar").click()
    page.wait_for_load_state()
    browser.check_page()
    assert "Tack! Åtgärden är markerad som klar." in main_text(browser)
    assert page.get_by_text("Markera som klar").count() == 0
    browser.screenshot("portal-dialogue-done-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.screenshot("portal-dialogue-done")
    sign_out(browser)

    # The official sees it done, by whom and with the comment.
    page.set_viewport_size(PHONE)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto(followup.get_absolute_url())
    today = timezone.localdate().isoformat()
    assert f"Markerad klar {today} av Per Lindberg." in main_text(browser)
    assert "Kommentar: Tavlan sitter uppe sedan i maj." in main_text(browser)
    browser.screenshot("followup-action-done-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.check_page()
    browser.screenshot("followup-action-done")


def test_errors_take_focus_and_photos_show_on_the_follow_up_page(
    browser, demo, tmp_path
):
    page = browser.page
    followup = (
        FollowUp.objects.filter(agreement__outlet__name="Pers Livs")
        .open()
        .order_by("-agreement_year")
        .first()
    )

    # The owner writes as a shopkeeper does, and one figure is not understood.
    page.set_viewport_size(PHONE)
    browser.sign_in("butik@perslivs.example", DEMO_PASSWORD)
    browser.goto(f"/followup/{followup.pk}/report/")
    page.get_by_label("Besökare per vecka").fill("40–50")
    page.get_by_label("Hanterade paket").fill("ungefär 120")
    page.get_by_label("Hemsändningar").fill("några stycken")
    page.get_by_role("button", name="Spara och fortsätt senare").click()
    page.wait_for_load_state()
    browser.check_page()
    assert "Vi förstod inte ”några stycken”." in main_text(browser)
    assert page.evaluate("document.activeElement.className").endswith("error-summary")
    assert page.get_by_label("Besökare per vecka").input_value() == "40–50"
    browser.screenshot("report-form-forgiving-phone")
    sign_out(browser)

    # The official: a visit dated in the future is refused, and focus goes to
    # the errors of the site-visit form.
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto(f"/followup/{followup.pk}/")
    page.get_by_label("Datum för besöket").fill("2099-01-01")
    page.get_by_label("Besökare från kommunen").fill("Johan Berg")
    for radio in page.get_by_role("radio", name="OK", exact=True).all():
        radio.check()
    page.get_by_role("button", name="Spara platsbesöket").click()
    page.wait_for_load_state()
    browser.check_page()
    focused = page.evaluate(
        "[document.activeElement.className,"
        " document.activeElement.closest('form').action]"
    )
    assert focused[0].endswith("error-summary")
    assert focused[1].endswith(f"/followup/{followup.pk}/site-visit/")
    assert "Datumet kan inte ligga i framtiden." in main_text(browser)

    page.get_by_label("Datum för besöket").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Spara platsbesöket").click()
    page.wait_for_load_state()
    assert "Platsbesöket är sparat." in main_text(browser)

    photo = tmp_path / "skylt.png"
    Image.new("RGB", (1600, 1200), (30, 110, 70)).save(photo)
    page.get_by_text("Lägg till ett foto").click()
    page.get_by_label("Foto:", exact=True).set_input_files(photo)
    page.get_by_label("Vad fotot visar").fill("Skylten vid vägen, blekt av solen")
    browser.screenshot("site-visit-photo-form-phone")
    page.get_by_role("button", name="Lägg till fotot").click()
    page.wait_for_load_state()
    browser.check_page()
    assert "Fotot är tillagt." in main_text(browser)
    thumbnail = page.get_by_role("img", name="Skylten vid vägen, blekt av solen")
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.photo img')]"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    assert thumbnail.evaluate("image => image.naturalWidth") == 320
    browser.screenshot("followup-with-photo-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.screenshot("followup-with-photo")


def test_the_agreement_page_says_what_holds_each_payout_back_on_a_phone(browser, demo):
    agreement = signed_agreement(
        Outlet.objects.get(name="Lanthandeln i Öre"),
        starts_on=date(2026, 1, 1),
        frequency_months=6,
        requires_report=True,
        payout_condition_year="previous",
    )
    payout_condition_set(agreement=agreement, agreement_year=1, report_received=True)
    page = browser.page
    page.set_viewport_size(PHONE)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    browser.check_page()

    table = page.locator(
        "section", has=page.get_by_role("heading", name="Utbetalningar")
    )
    text = table.inner_text()
    assert text.count("Inga villkor") == 2
    assert text.count("Väntar på uppföljningen av avtalsår 1 (2026)") == 2
    assert (
        text.count("Väntar på uppföljningen och årsrapporten för avtalsår 2 (2027)")
        == 2
    )
    whole = browser.screenshot("agreement-payouts-phone")
    table.screenshot(path=whole.with_name("agreement-payouts-table-phone.png"))
    # The table scrolls sideways on a phone: the condition column, scrolled to.
    table.get_by_text(
        "Väntar på uppföljningen av avtalsår 1 (2026)"
    ).first.scroll_into_view_if_needed()
    table.screenshot(path=whole.with_name("agreement-payouts-conditions-phone.png"))
