import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp
from outlets.tests.factories import OutletFactory, municipality
from reports.tests.conftest import report

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
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
    assert ">130</text>" in chart
    assert ">+8,3 %</text>" in chart
    assert '<td class="numeric">130</td>' in table
    assert "+8,3 %" in table
    assert "Uppnått" in table
    # The owner's figure, told apart from the municipality's delivery log.
    assert "Hemsändningar (ägarens årsrapport)" in table
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


def test_the_annual_report_page_offers_to_prepare_the_report(
    client, official, year_of_records
):
    """The PDF itself is made in the background: test_annual_report_jobs.py."""
    client.force_login(official)

    response = client.get(reverse("reports:annual_report"), {"year": 2025})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Årsrapport 2025: Nordmalings kommun</h1>" in html
    assert "Förbered årsrapporten</button>" in html


def test_shop_owners_get_neither_page(client, shop_owner):
    client.force_login(shop_owner)

    assert client.get(reverse("reports:kpis")).status_code == 403
    assert client.get(reverse("reports:annual_report")).status_code == 403


def test_a_regional_viewer_lands_on_a_municipality_with_an_agreement_in_force(
    client, regional_viewer, year_of_records
):
    # Bjurholm comes first in the county and has outlets, but no agreement.
    OutletFactory(municipality=municipality("2403"), name="Bjurholms Livs")
    client.force_login(regional_viewer)

    response = client.get(reverse("reports:kpis"))

    assert response.context["municipality"] == municipality("2401")
    assert "Nyckeltal 2026: Nordmalings kommun" in response.content.decode()


def test_the_municipality_a_regional_viewer_chose_stays_chosen(
    client, regional_viewer, year_of_records
):
    client.force_login(regional_viewer)

    client.get(reverse("reports:kpis"), {"municipality": "2480"})
    again = client.get(reverse("reports:kpis"), {"year": 2025})

    assert again.context["municipality"] == municipality("2480")
    assert 'href="?year=2026&amp;municipality=2480"' in again.content.decode()


def test_numbers_on_the_kpi_page_are_grouped_in_thousands(
    client, official, year_of_records
):
    followup = year_of_records.followups.get(agreement_year=2)
    followup.report.delete()
    report(followup, 1350, parcels_handled=12500)
    client.force_login(official)

    html = client.get(reverse("reports:kpis"), {"year": 2026}).content.decode()

    chart, table = html.split("<svg", 1)[1].split("</svg>", 1)
    assert ">1\xa0350</text>" in chart
    assert "2026: 1\xa0350 besökare per vecka" in chart
    assert '<td class="numeric">1\xa0350</td>' in table
    assert '<td class="numeric">12\xa0500</td>' in table


def test_the_wide_yearly_table_is_a_labelled_focusable_region_that_says_it_scrolls(
    client, official, year_of_records
):
    client.force_login(official)

    html = client.get(reverse("reports:kpis"), {"year": 2026}).content.decode()

    assert (
        '<div class="table-wrap table-wrap--scroll" tabindex="0" role="region" '
        'aria-labelledby="chart-0-caption" aria-describedby="chart-0-hint">'
    ) in html
    assert '<caption id="chart-0-caption">Årets siffror för Pers Livs</caption>' in html
    assert (
        '<p class="scroll-hint" id="chart-0-hint">Tabellen är bredare än sidan: '
        "rulla i sidled för att se alla kolumner.</p>"
    ) in html


@pytest.mark.parametrize("year", ["1800", "abc", "99999", "2023"])
def test_an_annual_report_of_a_year_outside_the_programme_is_not_found(
    client, official, year_of_records, year
):
    """The agreement starts in 2025: 2024 is the first year with a report."""
    client.force_login(official)

    response = client.get(reverse("reports:annual_report"), {"year": year})

    assert response.status_code == 404


def test_the_annual_report_of_the_year_before_the_programme_and_of_next_year(
    client, official, year_of_records
):
    client.force_login(official)
    next_year = timezone.localdate().year + 1

    for year in [2024, next_year]:
        response = client.get(reverse("reports:annual_report"), {"year": year})
        assert response.status_code == 200
        assert f"<h1>Årsrapport {year}: " in response.content.decode()


def test_the_kpi_page_offers_next_year_when_follow_ups_fall_due_then(
    client, official, year_of_records
):
    client.force_login(official)
    next_year = timezone.localdate().year + 1
    link = f'href="?year={next_year}&amp;'

    html = client.get(reverse("reports:kpis")).content.decode()
    assert link in html or f'href="?year={next_year}"' in html

    FollowUp.objects.filter(due_on__year=next_year).update(due_on=timezone.localdate())
    html = client.get(reverse("reports:kpis")).content.decode()
    assert f"?year={next_year}" not in html


def test_the_kpi_page_offers_no_year_before_the_programme_nor_its_report(
    client, official, year_of_records
):
    """The agreement starts in 2025: 2023 has no report, so neither choice nor link."""
    client.force_login(official)

    html = client.get(reverse("reports:kpis"), {"year": 2023}).content.decode()

    assert 'href="?year=2023' not in html
    assert reverse("reports:annual_report") not in html
    html = client.get(reverse("reports:kpis"), {"year": 2024}).content.decode()
    assert f"{reverse('reports:annual_report')}?year=2024" in html
