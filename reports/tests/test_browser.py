import pytest

from servicepunkter.demo import DEMO_PASSWORD

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
    assert "440 (+4,8 %)" in chart.text_content()
    assert page.get_by_role("link", name="Ladda ner årsrapporten 2025 (PDF)").count()
    browser.check_page()
    browser.screenshot("reports-kpis")
