"""The outlet import as background jobs: the page that follows a run (progress, a
reload, another session), a bad file failing in the job, a run confirmed once, a
killed worker's job picked up again, and the expiry of unconfirmed previews. A few
tests run a real procrastinate worker; the rest call the jobs' service functions."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import resolve, reverse
from django.utils import timezone
from lxml import html

from accounts.tests.factories import UserFactory
from core.testing import retry_stalled, run_worker
from outlets.import_runs import (
    PENDING_DIR,
    outlet_import_check,
    outlet_import_runs_expire,
    outlet_import_store_run,
)
from outlets.importing import OutletImporter
from outlets.models import Outlet, OutletImport, OutletImportRun
from outlets.tests.factories import OutletFactory, municipality
from outlets.tests.imports import confirm, upload

pytestmark = pytest.mark.django_db

IMPORT = reverse("outlets:outlet_import")
HEADER = "Namn;Typ;Organisationsnummer;Postnummer;Ort;Kommunkod;Latitud;Longitud"
GOOD_ROW = "Pers Livs;Dagligvarubutik;976914-2358;910 37;Brattfors;2401;63,70;19,35"


def csv_bytes(*lines):
    return ("\r\n".join(lines) + "\r\n").encode()


def status_text(response):
    document = html.fromstring(response.content.decode())
    (status,) = document.xpath("//*[contains(@class, 'import-status')]")
    return " ".join(status.text_content().split())


def stored_files():
    if not default_storage.exists(PENDING_DIR):
        return []
    return default_storage.listdir(PENDING_DIR)[1]


def post_file(client, data, name="lista.csv"):
    """The upload alone, its job left in the queue: the redirect to the run."""
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def run_at(url):
    return OutletImportRun.objects.get(pk=resolve(url).kwargs["pk"])


def second_client(client, user):
    """Another browser of the same user: a client of the fixture's kind (its
    force_login passes the second factor), with a session of its own."""
    other = type(client)()
    other.force_login(user)
    return other


# The page that follows a run.


def test_the_upload_keeps_the_file_queues_the_check_and_sends_to_the_runs_page(
    client, administrator
):
    client.force_login(administrator)

    url = post_file(client, csv_bytes(HEADER, GOOD_ROW))

    run = run_at(url)
    assert url == f"/outlets/import/{run.pk}/"
    assert (run.status, run.municipality, run.uploaded_by) == (
        "check_queued",
        administrator.municipality,
        administrator,
    )
    assert run.file_size == len(csv_bytes(HEADER, GOOD_ROW)) and len(run.sha256) == 64
    assert default_storage.exists(run.stored_file)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT task_name, queue_name, (args->>'run_id')::int "
            "FROM procrastinate_jobs WHERE id = %s",
            [run.job_id],
        )
        assert cursor.fetchone() == (
            "outlets.outlet_import_check",
            "imports",
            run.pk,
        )
    page = client.get(url)
    assert "Väntar på att kontrolleras" in status_text(page)
    assert "outlets/import_run.js" in page.content.decode()


@pytest.mark.parametrize(
    ("status", "shown"), [("checking", "Kontrollerar filen"), ("storing", "Sparar")]
)
def test_a_running_job_shows_its_progress_and_a_reload_from_another_session_too(
    client, administrator, status, shown
):
    client.force_login(administrator)
    url = post_file(client, csv_bytes(HEADER, GOOD_ROW))
    OutletImportRun.objects.filter(pk=run_at(url).pk).update(
        status=status, rows_done=6500, rows_total=12000
    )

    first = client.get(url)
    again = client.get(url)
    elsewhere = second_client(client, administrator).get(url)

    for page in (first, again, elsewhere):
        assert page.status_code == 200
        text = status_text(page)
        assert f"Status: {shown}" in text
        assert "6 500 av 12 000 rader" in text
        assert 'max="12000" value="6500"' in page.content.decode()
        assert f'data-run-status="{status}"' in page.content.decode()
    # The upload page lists the run, to find it again after leaving.
    assert url in client.get(IMPORT).content.decode()


def test_the_check_writes_its_progress_while_it_plans(
    client, administrator, monkeypatch
):
    monkeypatch.setattr("outlets.import_runs.PROGRESS_ROWS", 2)
    seen = []
    match = OutletImporter._match

    def match_noting_progress(importer, *args):
        seen.append(OutletImportRun.objects.values_list("rows_done", "rows_total")[0])
        return match(importer, *args)

    monkeypatch.setattr(OutletImporter, "_match", match_noting_progress)
    rows = [GOOD_ROW.replace("Pers Livs", f"Butik {n}") for n in range(5)]
    rows = [row.replace("976914-2358", "") for row in rows]
    client.force_login(administrator)
    url = post_file(client, csv_bytes(HEADER, *rows))

    outlet_import_check(run_id=run_at(url).pk)

    # Rows read before the outlets are matched, in steps of two.
    assert seen == [(4, 5)]
    run = run_at(url)
    assert (run.status, run.rows_done, run.rows_total) == ("previewed", 5, 5)


def test_a_preview_on_one_client_is_confirmed_on_another_of_the_same_user(
    client, administrator
):
    client.force_login(administrator)
    preview = upload(client, csv_bytes(HEADER, GOOD_ROW))
    assert preview.context["counts"]["new"] == 1
    other = second_client(client, administrator)

    done = confirm(other, other.get(preview.context["run"].get_absolute_url()))

    assert "Importerade lista.csv: 1 nya, 0 ändrade, 0 oförändrade." in status_text(
        done
    )
    assert Outlet.objects.get().name == "Pers Livs"
    assert OutletImport.objects.get().imported_by == administrator
    assert stored_files() == []


# A bad file fails in the job, says why, and stores nothing.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\r\n \r\n", "Filen är tom."),
        (bytes(range(256)) * 4, "Filen är inte en CSV- eller XLSX-fil."),
        (
            csv_bytes(HEADER, GOOD_ROW.replace("Pers Livs", '"' + "x" * 140_000 + '"')),
            "Filen går inte att läsa som CSV",
        ),
        (
            csv_bytes("Namn;Ort", "Pers Livs;Brattfors"),
            "obligatoriska kolumnen saknas.",
        ),
        (csv_bytes(HEADER, *[GOOD_ROW] * 4), "Filen har fler än 3 rader"),
    ],
    ids=["blank", "binary", "malformed-csv", "missing-columns", "too-many-rows"],
)
def test_a_bad_file_fails_in_the_job_with_its_message_and_stores_nothing(
    client, administrator, settings, data, message
):
    settings.OUTLET_IMPORT_MAX_ROWS = 3
    client.force_login(administrator)

    page = upload(client, data)

    run = page.context["run"]
    assert run.status == "failed"
    assert "Status: Misslyckades" in status_text(page)
    assert message in page.content.decode()
    assert "Inget sparades." in status_text(page)
    assert "Bekräfta importen" not in page.content.decode()
    assert not Outlet.objects.exists()
    assert not OutletImport.objects.exists()
    assert (run.stored_file, stored_files()) == ("", [])


def test_a_file_of_another_type_is_refused_by_the_upload_and_nothing_is_kept(
    client, administrator
):
    client.force_login(administrator)
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("lista.pdf", b"%PDF-1.7")}
    )
    assert response.status_code == 200
    assert "Välj en CSV-fil (.csv, .txt) eller en Excelfil (.xlsx)." in (
        response.content.decode()
    )
    assert not OutletImportRun.objects.exists()
    assert stored_files() == []


def test_a_row_made_invalid_after_the_preview_fails_the_store_and_shows_the_row(
    client, administrator
):
    client.force_login(administrator)
    preview = upload(client, csv_bytes("Externt id;" + HEADER, "PIPOS-1;" + GOOD_ROW))
    # Meanwhile the id is given to an outlet of another municipality.
    OutletFactory(municipality=municipality("2480"), external_id="PIPOS-1")

    page = confirm(client, preview)

    assert page.context["run"].status == "failed"
    assert "Registret har ändrats sedan förhandsvisningen" in status_text(page)
    assert "Det externa id:t hör till ett försäljningsställe i Umeå kommun" in (
        page.content.decode()
    )
    assert Outlet.objects.count() == 1
    assert not OutletImport.objects.exists()


# Once only: a second confirm, a job run twice, another municipality.


def test_a_second_run_of_the_store_job_does_nothing(client, administrator):
    client.force_login(administrator)
    preview = upload(client, csv_bytes(HEADER, GOOD_ROW))
    run = preview.context["run"]
    confirm(client, preview)

    assert outlet_import_store_run(run_id=run.pk) is None
    assert outlet_import_check(run_id=run.pk) is None

    assert Outlet.objects.count() == 1
    assert OutletImport.objects.count() == 1


def test_another_municipalitys_administrator_finds_no_run(client, administrator):
    client.force_login(administrator)
    preview = upload(client, csv_bytes(HEADER, GOOD_ROW))
    run = preview.context["run"]
    umea = UserFactory(administrator=True, municipality=municipality("2480"))
    stranger = second_client(client, umea)

    assert stranger.get(run.get_absolute_url()).status_code == 404
    for action in ("outlet_import_run_confirm", "outlet_import_run_cancel"):
        url = reverse(f"outlets:{action}", args=[run.pk])
        assert stranger.post(url).status_code == 404
    run.refresh_from_db()
    assert run.status == "previewed"


# Cancel and expiry remove the file.


def test_a_cancelled_preview_removes_its_file_and_cannot_be_confirmed(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    preview = upload(client, csv_bytes(HEADER, GOOD_ROW))
    run = preview.context["run"]
    assert stored_files() != []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("outlets:outlet_import_run_cancel", args=[run.pk]), follow=True
        )

    assert "Importen avbröts; inget sparades." in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.stored_file, stored_files()) == ("cancelled", "", [])
    client.post(reverse("outlets:outlet_import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert not Outlet.objects.exists()


def test_a_preview_whose_file_is_gone_fails_at_the_confirm(client, administrator):
    client.force_login(administrator)
    run = upload(client, csv_bytes(HEADER, GOOD_ROW)).context["run"]
    # Swept by the retention of abandoned import files, say.
    default_storage.delete(run.stored_file)

    response = client.post(
        reverse("outlets:outlet_import_run_confirm", args=[run.pk]), follow=True
    )

    assert "Den uppladdade filen finns inte längre; ladda upp den igen." in (
        response.content.decode()
    )
    run.refresh_from_db()
    assert run.status == "failed"
    assert not Outlet.objects.exists()


def test_previews_unconfirmed_for_a_day_expire_and_old_runs_keep_only_their_counts(
    client, administrator
):
    client.force_login(administrator)
    old = upload(client, csv_bytes(HEADER, GOOD_ROW)).context["run"]
    failed = upload(client, csv_bytes("Namn;Ort", "Pers Livs;Brattfors")).context["run"]
    fresh = upload(client, csv_bytes(HEADER, GOOD_ROW)).context["run"]
    day_ago = timezone.now() - timedelta(hours=25)
    OutletImportRun.objects.filter(pk=old.pk).update(uploaded_at=day_ago)
    OutletImportRun.objects.filter(pk=failed.pk).update(finished_at=day_ago)

    assert outlet_import_runs_expire() == 1

    old.refresh_from_db()
    failed.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.stored_file) == ("cancelled", "")
    assert fresh.status == "previewed" and default_storage.exists(fresh.stored_file)
    assert stored_files() == [fresh.stored_file.rpartition("/")[2]]
    assert failed.preview == {"counts": {**failed.preview["counts"]}}
    assert "errors" not in failed.preview


# A real worker: the whole flow over two clients, and a killed worker's job.


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_stores_an_import_confirmed_on_another_client(
    client, municipalities_reloaded
):
    administrator = UserFactory(administrator=True, email="admin@n.example")
    client.force_login(administrator)
    url = post_file(client, csv_bytes(HEADER, GOOD_ROW))

    run_worker()

    other = second_client(client, administrator)
    preview = other.get(url)
    assert preview.context["run"].status == "previewed"
    assert preview.context["counts"]["new"] == 1
    other.post(reverse("outlets:outlet_import_run_confirm", args=[run_at(url).pk]))
    run_worker()

    done = client.get(url)
    assert done.context["run"].status == "done", done.context["run"].error
    assert Outlet.objects.get().name == "Pers Livs"
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_store_job_is_picked_up_again_and_completes(
    client, municipalities_reloaded
):
    administrator = UserFactory(administrator=True, email="admin@n.example")
    client.force_login(administrator)
    url = post_file(client, csv_bytes(HEADER, GOOD_ROW))
    run_worker()
    client.post(reverse("outlets:outlet_import_run_confirm", args=[run_at(url).pk]))
    run = run_at(url)
    assert run.status == "queued"
    # A first worker took the job, began storing and died: its transaction was
    # rolled back, its heartbeat stopped and it was pruned.
    OutletImportRun.objects.filter(pk=run.pk).update(
        status="storing", rows_done=1, rows_total=1
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
            "WHERE id = %s",
            [run.job_id],
        )
    assert "Status: Sparar" in status_text(client.get(url))

    retry_stalled()
    run_worker()

    run.refresh_from_db()
    assert run.status == "done", run.error
    assert Outlet.objects.count() == 1
    assert OutletImport.objects.get().new_count == 1
    assert stored_files() == []
    assert "Importerade lista.csv: 1 nya" in status_text(client.get(url))


def test_runs_stuck_in_a_lost_job_for_hours_fail_and_lose_their_file_and_preview(
    client, administrator
):
    client.force_login(administrator)
    statuses = ["check_queued", "checking", "queued", "storing"]
    stuck = [
        upload(client, csv_bytes(HEADER, GOOD_ROW)).context["run"] for _ in statuses
    ]
    recent = upload(client, csv_bytes(HEADER, GOOD_ROW)).context["run"]
    for run, status in zip(stuck, statuses, strict=True):
        OutletImportRun.objects.filter(pk=run.pk).update(
            status=status, uploaded_at=timezone.now() - timedelta(hours=7)
        )
    OutletImportRun.objects.filter(pk=recent.pk).update(
        status="storing", uploaded_at=timezone.now() - timedelta(hours=5)
    )

    assert outlet_import_runs_expire() == 0

    for run in stuck:
        run.refresh_from_db()
        assert (run.status, run.stored_file) == ("failed", "")
        assert run.error and run.finished_at
        assert run.preview == {"counts": run.preview["counts"]}
    recent.refresh_from_db()
    assert recent.status == "storing" and "errors" in recent.preview
    assert stored_files() == [recent.stored_file.rpartition("/")[2]]
