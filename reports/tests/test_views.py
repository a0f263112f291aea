import pytest
from django.urls import reverse

from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db


def test_the_kpi_page_shows_the_chart_and_the_same_numbers_in_a_table(
    client, official, year_of_records
):
    client.force_login(official)

    response = client.get(reverse("reports:kpis"), {"year": 2026})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html
    assert '<title id="chart-0-title">' in html
    chart, table = html.split("<svg", 1)[1].split("</svg>", 1)
    # The chart labels each bar with its number and change; the table repeats them.
    assert ">120</text>" in chart
    assert "130 (+8,3 %)" in chart
    assert '<td class="numeric">130</td>' in table
    assert "+8,3 %" in table
    assert "Uppnått" in table
    assert "<dd>40\xa0000 kr</dd>" in html  # committed in 2026
    assert reverse("reports:annual_report") + "?year=2026&amp;municipality=2401" in html


def test_a_regional_viewer_picks_a_municipality_of_the_county(
    client, regional_viewer, year_of_records
):
    client.force_login(regional_viewer)

    umea = client.get(reverse("reports:kpis"), {"municipality": "2480"})
    norrtalje = client.get(reverse("reports:kpis"), {"municipality": "0188"})

    assert umea.status_code == 200
    assert umea.context["municipality"] == municipality("2480")
    assert norrtalje.status_code == 404


def test_an_official_sees_only_the_own_municipality(client, official, year_of_records):
    client.force_login(official)

    response = client.get(reverse("reports:kpis"), {"municipality": "2480"})

    assert response.context["municipality"] == municipality("2401")


def test_the_annual_report_downloads_as_a_pdf(client, official, year_of_records):
    client.force_login(official)

    response = client.get(reverse("reports:annual_report"), {"year": 2025})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="arsrapport-2401-2025.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_shop_owners_get_neither_page(client, shop_owner):
    client.force_login(shop_owner)

    assert client.get(reverse("reports:kpis")).status_code == 403
    assert client.get(reverse("reports:annual_report")).status_code == 403
