"""The annual report made in the background: the key-figures button queues a job
(or follows the one under way, or reuses today's report), the page follows it, the
job stores the PDF in the default storage and the file is served through a
permission-checked view; a failed job says why and can be tried again; a real
worker runs it, also after a killed worker."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from lxml import html

from accounts.tests.factories import UserFactory
from core.testing import retry_stalled, run_worker
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality
from reports.models import AnnualReport
from reports.services import FOLDER, annual_report_process

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:annual_report")


def texts(response, xpath):
    document = html.fromstring(response.content.decode())
    return [" ".join(node.text_content().split()) for node in document.xpath(xpath)]


def stored_files():
    found = []

    def walk(folder):
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in files)
        for name in folders:
            walk(f"{folder}/{name}")

    walk(FOLDER)
    return sorted(found)


def status_text(response):
    return texts(response, "//*[contains(@class, 'report-status')]")[0]


def ask(client, year=2025, code="2401", **data):
    return client.post(f"{PAGE}?year={year}&municipality={code}", data)


def test_the_button_queues_a_job_and_the_request_renders_nothing(
    client, official, year_of_records
):
    client.force_login(official)
    kpis = client.get(reverse("reports:kpis"), {"year": 2025})
    form = texts(kpis, f"//form[@action='{PAGE}?year=2025&municipality=2401']//button")
    assert form == ["Ladda ner årsrapporten 2025 (PDF)"]

    response = ask(client)

    report = AnnualReport.objects.get()
    assert response.status_code == 302
    assert response.url == f"{PAGE}?year=2025&municipality=2401"
    assert report.status == "queued"
    assert report.job_id is not None
    assert report.requested_by == official
    assert stored_files() == []
    page = client.get(response.url)
    assert "Väntar på att starta" in status_text(page)
    assert "förbereds i bakgrunden" in status_text(page)
    assert "/static/core/job_status.js" in page.content.decode()
    status = client.get(reverse("reports:annual_report_status", args=[report.pk]))
    assert status.json() == {
        "status": "queued",
        "finished": False,
        "text": "Väntar på att starta",
    }
    # A second click, from anyone, follows the same job.
    assert ask(client).url == response.url
    assert AnnualReport.objects.count() == 1


def test_the_job_stores_the_pdf_and_the_page_offers_it(
    client, official, year_of_records
):
    client.force_login(official)
    ask(client)
    report = AnnualReport.objects.get()

    annual_report_process(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == "done"
    assert report.dated_on == timezone.localdate()
    assert stored_files() == [report.stored_file]
    page = client.get(report.get_absolute_url())
    assert status_text(page).startswith("Status: Klar, daterad ")
    assert "/static/core/job_status.js" not in page.content.decode()
    link = reverse("reports:annual_report_file", args=[report.pk])
    assert texts(page, f"//a[@href='{link}']") == ["Ladda ner årsrapporten 2025 (PDF)"]
    download = client.get(link)
    content = b"".join(download.streaming_content)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="arsrapport-2401-2025.pdf"' in download["Content-Disposition"]
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.sha256
    status = client.get(reverse("reports:annual_report_status", args=[report.pk]))
    assert status.json()["finished"] is True


def test_a_job_run_twice_does_nothing_the_second_time(official, year_of_records):
    from reports.services import annual_report_request

    report = annual_report_request(
        municipality=municipality("2401"), year=2025, by=official
    )
    annual_report_process(report_id=report.pk)
    report.refresh_from_db()
    stored = report.stored_file

    annual_report_process(report_id=report.pk)

    report.refresh_from_db()
    assert report.stored_file == stored
    assert stored_files() == [stored]


def test_todays_report_is_reused_and_yesterdays_is_made_again(
    client, official, year_of_records, django_capture_on_commit_callbacks
):
    client.force_login(official)
    ask(client)
    first = AnnualReport.objects.get()
    annual_report_process(report_id=first.pk)

    ask(client)
    assert AnnualReport.objects.count() == 1

    AnnualReport.objects.update(dated_on=timezone.localdate() - timedelta(days=1))
    page = client.get(first.get_absolute_url())
    assert "räknas den dagen" in " ".join(texts(page, "//main//p"))
    ask(client)
    second = AnnualReport.objects.exclude(pk=first.pk).get()
    assert second.status == "queued"
    # Until the new one is ready the page follows it; then the old one goes.
    with django_capture_on_commit_callbacks(execute=True):
        annual_report_process(report_id=second.pk)
    assert list(AnnualReport.objects.all()) == [second]
    assert stored_files() == [AnnualReport.objects.get().stored_file]


def test_prepare_again_makes_a_new_report_with_todays_later_changes(
    client, official, year_of_records
):
    client.force_login(official)
    ask(client)
    annual_report_process(report_id=AnnualReport.objects.get().pk)

    ask(client, again="1")

    assert AnnualReport.objects.filter(status="queued").count() == 1


def test_a_failed_job_says_why_and_can_be_tried_again(
    client, official, year_of_records, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the font went missing")

    monkeypatch.setattr("reports.documents.annual_report_render_pdf", broken)
    client.force_login(official)
    ask(client)
    report = AnnualReport.objects.get()

    with pytest.raises(RuntimeError):
        annual_report_process(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == "failed"
    assert stored_files() == []
    page = client.get(report.get_absolute_url())
    status = status_text(page)
    assert "Misslyckades" in status
    assert "stoppades av ett oväntat fel" in status
    assert "font" not in status
    assert texts(page, "//main//form//button") == ["Försök igen"]

    monkeypatch.undo()
    ask(client, again="1")
    retried = AnnualReport.objects.exclude(pk=report.pk).get()
    annual_report_process(report_id=retried.pk)
    retried.refresh_from_db()
    assert retried.status == "done"


def test_a_report_waiting_for_minutes_says_the_worker_may_not_be_running(
    client, official, year_of_records
):
    client.force_login(official)
    ask(client)
    AnnualReport.objects.update(requested_at=timezone.now() - timedelta(minutes=5))

    page = client.get(AnnualReport.objects.get().get_absolute_url())

    assert "bakgrundsarbetaren kanske inte är igång" in status_text(page)


def test_another_municipalitys_staff_and_shop_owners_find_no_report(
    client, official, year_of_records
):
    client.force_login(official)
    ask(client)
    report = AnnualReport.objects.get()
    annual_report_process(report_id=report.pk)
    urls = [
        reverse("reports:annual_report_file", args=[report.pk]),
        reverse("reports:annual_report_status", args=[report.pk]),
    ]
    umea = UserFactory(municipality=municipality("2480"))
    owner = UserFactory(shop_owner=True, municipality=municipality("2401"))
    other_county = UserFactory(regional_viewer=True, county=municipality("0188").county)
    county = UserFactory(regional_viewer=True, county=municipality("2401").county)

    for user, expected in [
        (umea, 404),
        (owner, 404),
        (other_county, 404),
        (county, 200),
    ]:
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [expected] * 2, user


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_report_after_a_killed_worker(
    client, municipalities_reloaded
):
    official = UserFactory(email="official@n.example")
    signed_agreement(OutletFactory(municipality=municipality("2401")))
    year = timezone.localdate().year
    client.force_login(official)
    ask(client, year=year)
    report = AnnualReport.objects.get()
    # A first worker took the job, marked the report running and died: its
    # heartbeat stopped and it was pruned.
    AnnualReport.objects.update(status="running", started_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
            "WHERE id = %s",
            [report.job_id],
        )

    retry_stalled()
    run_worker(queues=["documents"])

    report.refresh_from_db()
    assert report.status == "done", report.error
    download = client.get(reverse("reports:annual_report_file", args=[report.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert stored_files() == [report.stored_file]
