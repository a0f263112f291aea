import pytest

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_official_reads_the_key_figures_with_chart_and_table(browser, demo):
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)
    page = browser.page

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Nyckeltal"
    ).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="2025", exact=True).click()
    page.wait_for_load_state()

    chart = page.get_by_role("img", name="Besökare per vecka i Handlarn Nyåker, per år")
    assert chart.count() == 1
    assert "440 +4,8 % 2025" in " ".join(chart.text_content().split())
    assert page.get_by_role("button", name="Ladda ner årsrapporten 2025 (PDF)").count()
    browser.check_page()
    browser.screenshot("reports-kpis")


def test_on_a_phone_the_charts_text_is_readable_and_the_table_says_it_scrolls(
    browser, demo
):
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser.sign_in("handlaggare@nordmaling.example", DEMO_PASSWORD)

    browser.goto("/reports/?year=2025")

    chart = page.get_by_role("img", name="Besökare per vecka i Handlarn Nyåker, per år")
    # The text's size on the screen: its size in the chart's units, scaled as the
    # chart is to the phone's width.
    shown_px = chart.evaluate(
        """svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
            * parseFloat(getComputedStyle(svg.querySelector('text')).fontSize)"""
    )
    assert shown_px >= 13
    region = page.get_by_role("region", name="Årets siffror för Handlarn Nyåker")
    region.focus()
    assert region.evaluate("node => node === document.activeElement")
    assert region.evaluate("node => node.scrollWidth > node.clientWidth")
    hint = page.get_by_text("rulla i sidled för att se alla kolumner").first
    assert hint.is_visible()
    browser.screenshot("reports-kpis-phone")
