"""The survey in the browser: a customer answers on a phone from the sign's QR
code; the official reads the results in the follow-up and the key figures."""

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from followup.models import FollowUp
from outlets.models import Outlet
from surveys.models import SurveyQuestion, SurveyResponse

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_customer_answers_the_survey(browser, demo, viewport):
    page = browser.page
    page.set_viewport_size(viewport)
    outlet = Outlet.objects.get(name="Pers Livs")
    before = SurveyResponse.objects.filter(outlet=outlet).count()
    size = "phone" if viewport is PHONE else "desktop"

    browser.goto(f"/survey/{outlet.pk}/")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Vad tycker du om servicepunkten?")
    )
    browser.screenshot(f"survey-{size}")
    # The honeypot is neither seen (clipped to a pixel) nor reached with the
    # keyboard: tabbing through the page never lands on it.
    honeypot = page.locator("div[aria-hidden=true]", has=page.locator("[name=website]"))
    assert honeypot.bounding_box()["width"] <= 1
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || ''"))
    assert "website" not in reached

    distance = page.get_by_label("Hur långt har du rest hit (km)?")
    distance.fill("9999")
    page.get_by_role("button", name="Skicka svaren").click()
    page.wait_for_load_state()
    browser.check_page()
    assert "Skriv ett avstånd på högst 500 km." in page.inner_text("main")
    browser.screenshot(f"survey-error-{size}")

    page.get_by_label("Hämta eller lämna paket").check()
    page.get_by_label("5 – mycket nöjd").check()
    page.get_by_label("Hur långt har du rest hit (km)?").fill("12")
    page.get_by_role("button", name="Skicka svaren").click()
    page.wait_for_load_state()
    browser.check_page()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Tack för dina svar")
    )
    browser.screenshot(f"survey-thanks-{size}")
    assert SurveyResponse.objects.filter(outlet=outlet).count() == before + 1
    stored = SurveyResponse.objects.filter(outlet=outlet).latest("pk")
    assert stored.submitted_on == timezone.localdate()

    # In English too.
    browser.goto(f"/survey/{outlet.pk}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    browser.check_page()
    assert "What do you think of the service point?" in page.inner_text("h1")
    if viewport is not PHONE:
        return

    # A question of one long word, and a long option: the page still fits the phone
    # (check_page) and every radio button keeps its size.
    SurveyQuestion.objects.create(
        municipality=outlet.municipality,
        text="x" * 200,
        kind=SurveyQuestion.Kind.CHOICE,
        options=["Ja", "y" * 100],
        position=99,
    )
    browser.goto(f"/survey/{outlet.pk}/")
    radio_widths = {
        round(radio.bounding_box()["width"], 1)
        for radio in page.locator("input[type=radio]").all()
    }
    assert len(radio_widths) == 1, radio_widths
    assert page.locator("[lang=sv]", has_text="Kommunal information").count() == 1
    browser.screenshot("survey-long-text-phone")


def test_the_official_reads_the_results_in_the_follow_up_and_key_figures(browser, demo):
    page = browser.page
    page.set_viewport_size(DESKTOP)
    followup = (
        FollowUp.objects.filter(
            agreement__outlet__name="Pers Livs",
            agreement__outlet__survey_responses__isnull=False,
        )
        .order_by("-agreement_year")
        .first()
    )
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)

    browser.goto(f"/followup/{followup.pk}/")
    section = page.locator("section", has=page.locator("#survey-heading"))
    assert "Hur nöjd är du med servicepunkten?" in section.inner_text()
    section.scroll_into_view_if_needed()
    browser.screenshot("survey-in-followup-desktop")

    browser.goto(f"/reports/?year={timezone.localdate().year}")
    table = page.get_by_role("table", name="Svar per servicepunkt")
    assert "Pers Livs" in table.inner_text()
    page.get_by_text("Varje fråga, alla servicepunkter tillsammans").click()
    browser.check_page()
    browser.screenshot("survey-in-key-figures-desktop")

    page.set_viewport_size(PHONE)
    browser.goto(f"/followup/{followup.pk}/")
    browser.screenshot("survey-in-followup-phone")
