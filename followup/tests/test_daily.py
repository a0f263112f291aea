"""The daily work runs once a day, however many workers and cron lines start it."""

import asyncio
import threading
from datetime import UTC, date, datetime
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from procrastinate.contrib.django import app
from procrastinate.contrib.django import app as procrastinate_app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.periodic import PeriodicDeferrer

from agreements.tests.concurrency import (
    at_once,
    municipalities_back_after_the_flush,  # noqa: F401 - autouse for this module
)
from core.testing import in_a_thread
from followup import daily
from followup.models import DailyRun
from followup.tasks import run_daily

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 7)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def five_in_the_morning(day):
    """The timestamp the periodic job is deferred for on that day (05:00 local)."""
    return int(datetime(day.year, day.month, day.day, 5, tzinfo=STOCKHOLM).timestamp())


def job(day=DAY, job_id=None):
    """The task as a worker calls it."""
    context = SimpleNamespace(job=SimpleNamespace(id=job_id))
    return lambda: run_daily.func(context, timestamp=five_in_the_morning(day))


def command(day=DAY, *options):
    def run():
        out = StringIO()
        call_command("run_daily", "--today", day.isoformat(), *options, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def work_done(monkeypatch):
    """The days whose work ran, in order, from whichever thread ran it."""
    days = []
    work = daily._work

    def counted(*, day, **kwargs):
        days.append(day)
        work(day=day, **kwargs)

    monkeypatch.setattr(daily, "_work", counted)
    return days


def worker():
    """A worker of its own (two at once cannot share core.testing's)."""
    app = procrastinate_app.with_connector(
        procrastinate_app.connector.get_worker_connector()
    )
    app.run_worker(
        queues=["daily"],
        wait=False,
        install_signal_handlers=False,
        listen_notify=False,
    )
    # Its periodic deferrer deferred through the tasks' (Django) connector, from
    # asgiref's thread.
    asyncio.run(sync_to_async(connections.close_all)())


def defer_periodic(timestamp):
    """What a worker's periodic deferrer does at the job's time."""

    async def defer():
        periodic_task = app.periodic_registry.periodic_tasks[
            ("followup.run_daily", "run_daily")
        ]
        deferrer = PeriodicDeferrer(registry=app.periodic_registry)
        await deferrer.defer_jobs([(periodic_task, timestamp)])
        # The task's own (Django) connector deferred it from asgiref's thread.
        await sync_to_async(connections.close_all)()

    in_a_thread(lambda: asyncio.run(defer()))


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_days_job_at_once_do_its_work_once(
    municipalities_reloaded, work_done
):
    at_once(job(job_id=1), job(job_id=2))

    assert work_done == [DAY]
    run = DailyRun.objects.get()
    assert (run.day, run.status, run.trigger, run.attempts) == (
        DAY,
        DailyRun.Status.DONE,
        DailyRun.Trigger.JOB,
        1,
    )
    assert run.job_id in (1, 2)
    assert "Skapade uppföljningar" in run.output
    assert run.finished_at >= run.started_at


@pytest.mark.django_db(transaction=True)
def test_two_workers_defer_the_days_job_once_and_real_workers_run_it_once(
    municipalities_reloaded, work_done
):
    defer_periodic(five_in_the_morning(DAY))
    defer_periodic(five_in_the_morning(DAY))
    assert ProcrastinateJob.objects.filter(task_name="followup.run_daily").count() == 1

    at_once(worker, worker)

    assert work_done == [DAY]
    assert DailyRun.objects.get().status == DailyRun.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_cron_command_and_the_job_together_do_the_days_work_once(
    municipalities_reloaded, work_done
):
    outputs = at_once(job(), command(), job(), command())

    assert work_done == [DAY]
    assert DailyRun.objects.get().attempts == 1
    ran = [output for output in outputs[1::2] if "Skapade uppföljningar" in output]
    skipped = [output for output in outputs[1::2] if output.startswith("Hoppade över")]
    assert len(ran) <= 1
    assert len(ran) + len(skipped) == 2


def test_the_next_day_runs_again(work_done):
    call_command("run_daily", "--today", "2026-12-07", stdout=StringIO())
    call_command("run_daily", "--today", "2026-12-07", stdout=StringIO())
    call_command("run_daily", "--today", "2026-12-08", stdout=StringIO())

    assert work_done == [date(2026, 12, 7), date(2026, 12, 8)]
    assert list(DailyRun.objects.values_list("day", "status")) == [
        (date(2026, 12, 8), "done"),
        (date(2026, 12, 7), "done"),
    ]


def test_a_done_day_skips_and_says_so_unless_forced(work_done, caplog):
    command()()

    assert command()() == "Hoppade över: dagens arbete för 2026-12-07 är redan gjort.\n"
    assert "Skapade uppföljningar" in command(DAY, "--force")()
    assert work_done == [DAY, DAY]
    assert DailyRun.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_run_while_another_holds_the_day_skips(
    municipalities_reloaded, work_done, monkeypatch
):
    started, release = threading.Event(), threading.Event()
    work = daily._work

    def slow(**kwargs):
        started.set()
        assert release.wait(timeout=30)
        work(**kwargs)

    monkeypatch.setattr(daily, "_work", slow)
    first = threading.Thread(target=job())
    first.start()
    try:
        assert started.wait(timeout=30)
        assert DailyRun.objects.get().status == DailyRun.Status.RUNNING
        assert command()() == "Hoppade över: en annan körning av run_daily pågår.\n"
    finally:
        release.set()
        first.join(timeout=60)

    assert work_done == [DAY]
    assert DailyRun.objects.get().status == DailyRun.Status.DONE
    assert command()().startswith("Hoppade över: dagens arbete för 2026-12-07")


def test_a_failed_run_is_recorded_and_the_next_attempt_takes_the_day(
    work_done, monkeypatch
):
    def failing(**kwargs):
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(daily, "_work", failing)
    with pytest.raises(RuntimeError):
        command()()
    run = DailyRun.objects.get()
    assert run.status == DailyRun.Status.FAILED
    assert "RuntimeError: the mail server is down" in run.output

    monkeypatch.undo()
    assert "Skapade uppföljningar" in command()()

    run.refresh_from_db()
    assert (run.status, run.attempts) == (DailyRun.Status.DONE, 2)


def test_a_run_whose_process_died_is_taken_over(work_done):
    DailyRun.objects.create(
        day=DAY,
        status=DailyRun.Status.RUNNING,
        trigger=DailyRun.Trigger.JOB,
        process="gone pid 1",
        started_at=datetime(2026, 12, 7, 4, tzinfo=UTC),
    )

    assert "Skapade uppföljningar" in command()()

    run = DailyRun.objects.get()
    assert (run.status, run.attempts, run.trigger) == ("done", 2, "command")


def test_the_job_runs_at_five_in_the_morning_stockholm_time_summer_and_winter():
    assert settings.RUN_DAILY_CRON == "0 5 * * *"
    periodic_task = app.periodic_registry.periodic_tasks[
        ("followup.run_daily", "run_daily")
    ]

    def next_run(after):
        periodic_task.croniter.set_current(start_time=after.timestamp())
        return datetime.fromtimestamp(
            periodic_task.croniter.get_next(ret_type=float), tz=UTC
        )

    winter = next_run(datetime(2026, 12, 7, 12, tzinfo=UTC))
    summer = next_run(datetime(2026, 7, 7, 12, tzinfo=UTC))
    assert winter == datetime(2026, 12, 8, 4, tzinfo=UTC)
    assert summer == datetime(2026, 7, 8, 3, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_the_job_does_the_work_of_the_stockholm_day_it_was_scheduled_for(
    municipalities_reloaded, work_done
):
    # 00:30 in Stockholm on the 8th is still the 7th in UTC.
    half_past_midnight = datetime(2026, 12, 8, 0, 30, tzinfo=STOCKHOLM)
    context = SimpleNamespace(job=SimpleNamespace(id=7))

    at_once(lambda: run_daily.func(context, timestamp=half_past_midnight.timestamp()))

    assert work_done == [date(2026, 12, 8)]
    assert DailyRun.objects.get().job_id == 7
