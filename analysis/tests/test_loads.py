"""Loading population grids and road networks from the web app: the preview, the
confirm, the background job (run by a real procrastinate worker in one test), the
history, a bad or changed file, and the analysis page's pointer to the upload."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from lxml import html

from accounts.tests.factories import UserFactory
from analysis.models import (
    AnalysisResult,
    DataLoad,
    PopulationImport,
    PopulationSquare,
    RoadNetwork,
)
from analysis.services import road_network_current
from analysis.services.loads import (
    data_load_confirm,
    data_load_process,
    data_loads_expire,
)
from analysis.tests.grids import E0, N0, hand_grid
from core.testing import retry_stalled, run_worker
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

POPULATION = reverse("analysis:population_upload")
ROADS = reverse("analysis:road_network_upload")
ANALYSIS = reverse("analysis:analysis")

GOOD_CSV = (
    "easting,northing,size_m,population\n"
    f"{E0 - 500},{N0 - 500},1000,120\n"
    f"{E0 + 2500},{N0 - 500},1000,80\n"
    f"{E0 + 9500},{N0 + 3500},1000,7\n"
).encode()
BAD_CSV = (
    "easting,northing,size_m,population\n"
    f"{E0 - 500},{N0 - 500},1000,120\n"
    f"{E0 + 2500},{N0 - 500},1000,åttio\n"
).encode()
ROADS_GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:3006"}},
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[E0, N0], [E0 + 3000, N0], [E0 + 3000, N0 + 4000]],
                },
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[E0 + 3000, N0], [E0 + 12000, N0]],
                },
            },
        ],
    }
).encode()


def texts(response, xpath):
    document = html.fromstring(response.content.decode())
    return [" ".join(node.text_content().split()) for node in document.xpath(xpath)]


def facts(response):
    document = html.fromstring(response.content.decode())
    return {
        " ".join(dt.text_content().split()): " ".join(
            dt.getnext().text_content().split()
        )
        for dt in document.xpath("//dl[@class='facts']/dt")
    }


def stored_files():
    if not default_storage.exists("analysis-loads"):
        return []
    return default_storage.listdir("analysis-loads")[1]


def upload(client, url, file_name, data, **extra):
    return client.post(url, {"file": SimpleUploadedFile(file_name, data), **extra})


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_an_uploaded_population_file_shows_its_totals_and_stores_nothing_yet(
    admin_client, administrator
):
    response = upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)

    load = DataLoad.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("analysis:load_detail", kwargs={"pk": load.pk})
    page = admin_client.get(response.url)
    shown = facts(page)
    assert shown["Rutor"] == "3"
    assert shown["Invånare"] == "207"
    assert shown["Åldersgrupper"].startswith("Nej")
    assert shown["Täckt yta"] == "3,0 km²"
    assert texts(page, "//button")[-2:] == ["Bekräfta och läs in", "Avbryt"]
    assert load.status == "previewed"
    assert load.municipality == administrator.municipality
    assert not PopulationSquare.objects.exists()
    assert len(stored_files()) == 1


def test_a_bad_population_file_gets_its_line_and_column_and_stores_nothing(
    admin_client,
):
    response = upload(admin_client, POPULATION, "rutor.csv", BAD_CSV)

    assert response.status_code == 400
    assert "Rad 3, kolumn ”population”: ”åttio” är inte ett heltal." in texts(
        response, "//ul[@class='errorlist']/li"
    )
    assert not DataLoad.objects.exists()
    assert not PopulationImport.objects.exists()
    assert stored_files() == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    admin_client, settings
):
    settings.POPULATION_UPLOAD_MAX_BYTES = 100

    response = upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)

    assert response.status_code == 400
    assert texts(response, "//ul[@class='errorlist']/li") == [
        "Filen är större än 100 byte, det mesta en inläsning tar emot."
    ]
    assert not DataLoad.objects.exists()


def test_confirming_queues_a_job_and_the_job_stores_the_squares_and_recomputes(
    admin_client, administrator
):
    hand_grid()
    upload(admin_client, POPULATION, "nya-rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()

    response = admin_client.post(reverse("analysis:load_confirm", args=[load.pk]))

    load.refresh_from_db()
    assert response.status_code == 302
    assert load.status == "queued"
    assert load.job_id is not None
    page = admin_client.get(load.get_absolute_url())
    assert "Väntar på att starta" in texts(page, "//*[@role='status']")[-1]

    data_load_process(load_id=load.pk)

    load.refresh_from_db()
    assert load.status == "done"
    assert load.population_import.file_name == "nya-rutor.csv"
    assert PopulationSquare.objects.filter(municipality=load.municipality).count() == 3
    assert AnalysisResult.objects.filter(municipality=load.municipality).exists()
    assert stored_files() == []
    analysis = admin_client.get(ANALYSIS)
    assert facts_of_analysis(analysis)["Invånare i kommunen"] == "207"
    history = admin_client.get(POPULATION)
    row = texts(history, "//table/tbody/tr/*")
    assert row[1:] == ["nya-rutor.csv", administrator.full_name, "3", "207", "Klar"]


def facts_of_analysis(response):
    document = html.fromstring(response.content.decode())
    return {
        " ".join(dt.text_content().split()): " ".join(
            dt.getnext().text_content().split()
        )
        for dt in document.xpath("//dl[contains(@class, 'facts')]/dt")
    }


def test_the_confirm_refuses_a_file_changed_since_the_preview(
    admin_client, administrator
):
    upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()
    default_storage.delete(load.stored_file)
    default_storage.save(load.stored_file, ContentFile(GOOD_CSV + b"\n"))

    response = admin_client.post(
        reverse("analysis:load_confirm", args=[load.pk]), follow=True
    )

    load.refresh_from_db()
    assert load.status == "failed"
    assert load.error.startswith(
        "Den uppladdade filen har ändrats sedan förhandsvisningen"
    )
    assert any("har ändrats" in text for text in texts(response, "//*[@role='status']"))
    assert not PopulationImport.objects.exists()
    assert stored_files() == []


def test_a_job_that_fails_says_why_on_the_page_and_stores_nothing(
    admin_client, administrator
):
    upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()
    data_load_confirm(data_load=load, by=administrator)
    load.refresh_from_db()
    # The file changes between the confirm and the job.
    default_storage.delete(load.stored_file)
    default_storage.save(load.stored_file, ContentFile(BAD_CSV))

    data_load_process(load_id=load.pk)

    page = admin_client.get(load.get_absolute_url())
    status = texts(page, "//*[contains(@class, 'load-status')]")[0]
    assert "Misslyckades" in status
    assert "har ändrats sedan förhandsvisningen" in status
    assert "Inget sparades; de tidigare uppgifterna är oförändrade." in status
    assert not PopulationImport.objects.exists()


def test_cancelling_a_preview_removes_the_file_and_keeps_the_row_in_the_history(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("analysis:load_cancel", args=[load.pk]))

    load.refresh_from_db()
    assert response.url == POPULATION
    assert load.status == "cancelled"
    assert stored_files() == []
    assert "Avbruten" in texts(admin_client.get(POPULATION), "//table/tbody/tr")[0]
    # A second confirm of the same load is refused.
    admin_client.post(reverse("analysis:load_confirm", args=[load.pk]))
    load.refresh_from_db()
    assert load.status == "cancelled"


def test_an_administrators_road_network_is_their_municipalitys_own(
    admin_client, administrator, system_owner
):
    response = upload(admin_client, ROADS, "vagar.geojson", ROADS_GEOJSON, name="Vägar")
    load = DataLoad.objects.get()
    shown = facts(admin_client.get(response.url))
    assert shown["Väglinjer"] == "2"
    assert shown["Längd"] == "16,0 km"
    assert shown["Täckt yta"] == "48,0 km²"

    data_load_confirm(data_load=load, by=administrator)
    data_load_process(load_id=load.pk)

    network = RoadNetwork.objects.get()
    assert network.municipality == administrator.municipality
    assert network.name == "Vägar"
    assert road_network_current(municipality=administrator.municipality) == network
    assert road_network_current(municipality=municipality("2480")) is None


def test_the_analysis_page_links_an_administrator_to_the_upload(admin_client):
    response = admin_client.get(ANALYSIS)

    assert "import_population" not in response.content.decode()
    assert texts(response, f"//a[@href='{POPULATION}']")[-1] == (
        "Läs in ett befolkningsunderlag"
    )


def test_the_analysis_page_tells_an_official_whom_to_ask(client, official):
    UserFactory(administrator=True, full_name="Anna Admin", email="anna@n.example")
    client.force_login(official)

    response = client.get(ANALYSIS)

    text = " ".join(texts(response, "//p[@class='analysis-population-missing']"))
    assert "import_population" not in response.content.decode()
    assert text == (
        "Be en administratör i din kommun att läsa in ett befolkningsunderlag: "
        "Anna Admin."
    )
    assert not texts(response, f"//a[@href='{POPULATION}']")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_confirmed_population_load(
    client, municipalities_reloaded
):
    administrator = UserFactory(administrator=True, email="admin@n.example")
    OutletFactory(municipality=municipality("2401"))
    client.force_login(administrator)
    upload(client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()
    client.post(reverse("analysis:load_confirm", args=[load.pk]))
    load.refresh_from_db()
    # A first worker took the job and died: its heartbeat stopped, it was pruned.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
            "WHERE id = %s",
            [load.job_id],
        )
    # No first worker run here: the periodic retry (every five minutes) may fire as
    # a worker starts, so whether it picks the job up alone depends on the clock.
    load.refresh_from_db()
    assert load.status == "queued"

    retry_stalled()
    run_worker()

    load.refresh_from_db()
    assert load.status == "done", load.error
    assert PopulationSquare.objects.count() == 3
    assert stored_files() == []


def test_a_load_waiting_for_minutes_says_the_worker_may_not_be_running(
    admin_client, administrator
):
    upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()
    data_load_confirm(data_load=load, by=administrator)
    DataLoad.objects.filter(pk=load.pk).update(
        confirmed_at=load.uploaded_at - timedelta(minutes=3)
    )

    page = admin_client.get(load.get_absolute_url())

    status = texts(page, "//*[contains(@class, 'load-status')]")[0]
    assert "bakgrundsarbetaren kanske inte körs" in status


def test_the_system_owner_loads_a_shared_road_network_and_follows_only_road_loads(
    client, system_owner, administrator
):
    client.force_login(administrator)
    upload(client, POPULATION, "rutor.csv", GOOD_CSV)
    population_load = DataLoad.objects.get()
    client.force_login(system_owner)

    response = upload(client, ROADS, "sverige.geojson", ROADS_GEOJSON)

    load = DataLoad.objects.get(kind="road_network")
    assert load.municipality is None
    assert facts(client.get(response.url))["Gäller"] == "Alla kommuner (delat)"
    assert client.get(population_load.get_absolute_url()).status_code == 404
    assert client.get(POPULATION).status_code == 403


def test_a_preview_left_unconfirmed_for_a_day_is_cancelled_and_its_file_removed(
    admin_client,
):
    upload(admin_client, POPULATION, "rutor.csv", GOOD_CSV)
    load = DataLoad.objects.get()

    assert data_loads_expire(now=load.uploaded_at + timedelta(hours=23)) == 0
    assert data_loads_expire(now=load.uploaded_at + timedelta(hours=25)) == 1

    load.refresh_from_db()
    assert load.status == "cancelled"
    assert stored_files() == []


def test_a_bad_road_file_names_the_feature_and_field_and_stores_nothing(admin_client):
    document = json.loads(ROADS_GEOJSON)
    document["features"][1]["geometry"]["coordinates"][1] = ["öster", N0]

    response = upload(
        admin_client, ROADS, "vagar.geojson", json.dumps(document).encode()
    )

    assert response.status_code == 400
    assert texts(response, "//ul[@class='errorlist']/li") == [
        "Objekt 2, fältet ”coordinates”: linjens koordinater är inte talpar."
    ]
    assert not DataLoad.objects.exists()
    assert stored_files() == []
