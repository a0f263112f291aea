"""The programme's pages in the browser: an administrator sets the year's goals and
sees them on the key figures; an official records an investment on a phone."""

import datetime

import pytest

from accounts.demo import DEMO_PASSWORD
from programme.models import Investment, ProgrammeGoals

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_administrator_sets_next_years_goals_and_the_key_figures_show_them(
    browser, demo
):
    next_year = datetime.date.today().year + 1
    browser.page.set_viewport_size({"width": 1280, "height": 900})
    browser.sign_in("administrator@nordmaling.example", DEMO_PASSWORD)
    browser.goto("/programme/goals/")
    browser.check_page()

    browser.page.get_by_role("link", name=f"Sätt mål för {next_year}").click()
    browser.check_page()
    browser.page.get_by_label("Servicepunkter med avtal i kraft").fill("5")
    browser.page.get_by_label("Målet i ord").fill("Två nya mötesplatser")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()

    assert browser.page.get_by_text(f"Målen för {next_year} är sparade.").is_visible()
    goals = ProgrammeGoals.objects.get(municipality__code="2401", year=next_year)
    assert (goals.service_points, goals.own_goal) == (5, "Två nya mötesplatser")
    browser.goto(f"/reports/?year={next_year}&municipality=2401")
    browser.check_page()
    table = browser.page.get_by_role("table", name=f"Målen för {next_year}")
    assert "minst 5" in table.inner_text()
    assert "Ännu inte mätbart" in table.inner_text()


def test_official_records_an_investment_from_the_outlet_page_on_a_phone(browser, demo):
    browser.page.set_viewport_size(PHONE)
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    browser.page.get_by_role("link", name="Försäljningsställen").first.click()
    browser.page.get_by_role("link", name="Pers Livs", exact=True).first.click()
    browser.page.get_by_role("link", name="Investeringar hos Pers Livs").click()
    browser.check_page()
    browser.page.get_by_role("link", name="Registrera en investering").click()
    browser.check_page()

    browser.page.get_by_label("Vad").fill("Kylskåp för hemsändning")
    browser.page.get_by_label("Beslut (diarienummer)").fill("KS 2026/200")
    browser.page.get_by_label("Kostnad (kr)").fill("24 000")
    browser.page.get_by_label("Regionens investeringsbidrag (kr)").fill("12 000")
    browser.page.get_by_label("Kommunen (kr)").fill("10 000")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()
    # 22 000 kr of 24 000: said on the cost, and nothing is stored.
    summary = browser.page.locator(".error-summary").inner_text()
    assert "Beloppen från varje källa blir 22" in summary
    assert "När" not in summary  # today, unless changed
    assert not Investment.objects.filter(decision_reference="KS 2026/200").exists()

    browser.page.get_by_label("Butiken själv (kr)").fill("2 000")
    browser.page.get_by_role("button", name="Spara").click()
    browser.check_page()

    assert browser.page.get_by_text("Investeringen är sparad.").is_visible()
    assert browser.page.get_by_role(
        "heading", name="Kylskåp för hemsändning"
    ).is_visible()
    investment = Investment.objects.get(decision_reference="KS 2026/200")
    assert (investment.cost, investment.own_funding) == (24_000, 2_000)
