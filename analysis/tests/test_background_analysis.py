"""Analyses too large to compute in a request: a background job, one per
fingerprint, the previous figures meanwhile, the page that follows the job, a
failure that says why, and a killed worker's job picked up again."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from lxml import html
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.tests.factories import UserFactory
from analysis.models import AnalysisJob, AnalysisResult
from analysis.services import AnalysisError, runs, service_analysis_run
from analysis.services.jobs import runs_in_background
from analysis.tests.grids import hand_grid
from analysis.tests.test_views import table
from core.testing import retry_stalled, run_worker
from outlets.models import Outlet
from outlets.tests.factories import municipality

ANALYSIS = reverse("analysis:analysis")
BANDS = "Invånare efter avstånd"
COMPUTING = "Siffrorna beräknas."

pytestmark = pytest.mark.django_db


def text_of(response):
    return " ".join(html.fromstring(response.content.decode()).text_content().split())


def status_url(response):
    return html.fromstring(response.content.decode()).xpath(
        "//*[@data-status-url]/@data-status-url"
    )[0]


@pytest.fixture
def large(settings):
    """Every municipality counts as large: its analysis goes to the background."""
    settings.ANALYSIS_INLINE_MAX_SQUARES = 1


def close_shop_b(shops):
    Outlet.objects.filter(pk=shops["B"].pk).update(
        status=Outlet.Status.CLOSED, closed_on=date(2026, 11, 1)
    )


@pytest.mark.parametrize(
    ("road_network", "squares", "background"),
    [(None, 50_000, False), (None, 50_001, True), ("vägnät", 10, True)],
)
def test_a_road_network_or_many_squares_send_the_analysis_to_the_background(
    road_network, squares, background
):
    prepared = SimpleNamespace(
        run=SimpleNamespace(
            road_network=road_network,
            population_import=SimpleNamespace(square_count=squares),
        )
    )

    assert runs_in_background(prepared) is background


def test_a_small_municipality_is_computed_in_the_request(client, official):
    hand_grid()
    client.force_login(official)

    response = client.get(ANALYSIS)

    assert COMPUTING not in text_of(response)
    assert table(response, BANDS)
    assert not AnalysisJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_municipality_is_computed_in_the_background_with_the_old_figures_shown(
    client, municipalities_reloaded, settings
):
    shops = hand_grid()
    service_analysis_run(municipality=municipality("2401"))
    before = AnalysisResult.objects.get().result
    client.force_login(UserFactory(email="official@nordmaling.example"))
    settings.ANALYSIS_INLINE_MAX_SQUARES = 1
    close_shop_b(shops)

    waiting = client.get(ANALYSIS)
    client.get(ANALYSIS)

    assert AnalysisJob.objects.get().status == "queued"
    assert (
        ProcrastinateJob.objects.filter(
            task_name="analysis.analysis_job_run", queue_name="analysis"
        ).count()
        == 1
    )
    page = text_of(waiting)
    assert COMPUTING in page
    assert "Under tiden är siffrorna nedan de som beräknades" in page
    assert "de är inaktuella" in page
    # The old figures' tables, no map (its squares would be today's).
    assert table(waiting, BANDS)[-1][1] == str(before["total_population"])
    assert "data-analysis-map" not in waiting.content.decode()
    assert client.get(status_url(waiting)).json() == {
        "finished": False,
        "text": "Väntar på att starta…",
    }

    run_worker()

    assert client.get(status_url(waiting)).json()["finished"] is True
    done = client.get(ANALYSIS)
    assert COMPUTING not in text_of(done)
    assert AnalysisJob.objects.get().status == "done"
    assert AnalysisResult.objects.get().result["outlets"] != before["outlets"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_computation_shows_why_and_can_be_tried_again(
    client, municipalities_reloaded, monkeypatch, large
):
    hand_grid()
    client.force_login(UserFactory(email="official@nordmaling.example"))
    client.get(ANALYSIS)

    def broken(*args, **kwargs):
        raise AnalysisError("Vägnätet kunde inte läsas.")

    monkeypatch.setattr(runs, "_result_computed", broken)
    run_worker()
    failed = client.get(ANALYSIS)

    page = text_of(failed)
    assert "Siffrorna kunde inte beräknas. Vägnätet kunde inte läsas." in page
    assert AnalysisJob.objects.get().error == "Vägnätet kunde inte läsas."
    # A reload shows the failure; it queues nothing until someone retries.
    assert not ProcrastinateJob.objects.filter(status="todo").exists()

    monkeypatch.undo()
    job = AnalysisJob.objects.get()
    retried = client.post(
        reverse("analysis:job_retry", args=[job.pk]), {"next": ANALYSIS}, follow=True
    )
    assert COMPUTING in text_of(retried)
    assert "Siffrorna beräknas på nytt." in text_of(retried)
    run_worker()

    done = client.get(ANALYSIS)
    assert "kunde inte beräknas" not in text_of(done)
    assert table(done, BANDS)
    assert AnalysisJob.objects.get().status == "done"


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_computation_is_picked_up_again(
    client, municipalities_reloaded, large
):
    hand_grid()
    client.force_login(UserFactory(email="official@nordmaling.example"))
    client.get(ANALYSIS)
    job = AnalysisJob.objects.get()
    # A first worker took the job, marked it running and died: its heartbeat
    # stopped and it was pruned.
    AnalysisJob.objects.filter(pk=job.pk).update(status="running")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
            "WHERE id = %s",
            [job.job_id],
        )
    assert "Beräknas" in text_of(client.get(ANALYSIS))

    retry_stalled()
    run_worker()

    job.refresh_from_db()
    assert job.status == "done", job.error
    assert COMPUTING not in text_of(client.get(ANALYSIS))


@pytest.mark.django_db(transaction=True)
def test_recomputing_a_large_municipality_goes_to_the_background(
    client, municipalities_reloaded, settings
):
    shops = hand_grid()
    service_analysis_run(municipality=municipality("2401"))
    client.force_login(UserFactory(email="official@nordmaling.example"))
    settings.ANALYSIS_INLINE_MAX_SQUARES = 1
    close_shop_b(shops)

    response = client.post(
        reverse("analysis:recompute"),
        {"municipality": "2401", "locality": shops["A"].locality_id},
        follow=True,
    )

    page = text_of(response)
    assert "Siffrorna beräknas på nytt i bakgrunden" in page
    # The locality page follows the computation.
    assert COMPUTING in page
    run_worker()
    assert COMPUTING not in text_of(
        client.get(reverse("outlets:locality_detail", args=[shops["A"].locality_id]))
    )


def test_another_municipalitys_computation_is_not_found(client, large):
    hand_grid()
    client.force_login(UserFactory(email="official@nordmaling.example"))
    client.get(ANALYSIS)
    job = AnalysisJob.objects.get()
    client.force_login(
        UserFactory(email="official@umea.example", municipality=municipality("2480"))
    )

    status = client.get(reverse("analysis:jobs_status"), {"job": job.pk})
    retry = client.post(reverse("analysis:job_retry", args=[job.pk]))

    assert status.status_code == 404
    assert retry.status_code == 404
