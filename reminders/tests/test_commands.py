from datetime import date, datetime
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone, translation

from agreements.tests.concurrency import (
    at_once,
    municipalities_back_after_the_flush,  # noqa: F401 - autouse for this module
)
from followup.models import DailyRun
from followup.tasks import run_daily
from reminders.models import SentReminder

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_send_reminders_sends_once_however_often_it_runs(
    mailoutbox, followups, shop_owner, official
):
    out = StringIO()

    call_command("send_reminders", "--today", "2026-02-20", stdout=out)
    call_command("send_reminders", "--today", "2026-02-20", stdout=out)

    assert len(mailoutbox) == 2
    assert "Påminnelser skickade: 2" in out.getvalue()
    assert "Påminnelser skickade: 0" in out.getvalue()


def test_send_reminders_prints_in_the_configured_language_whatever_is_active(
    mailoutbox, followups, shop_owner, official
):
    out = StringIO()

    with translation.override("en"):
        call_command("send_reminders", "--today", "2026-02-20", stdout=out)

    assert out.getvalue() == "Påminnelser skickade: 2\n"
    assert mailoutbox[0].subject.startswith("Årsrapporten för Pers Livs")


def test_run_daily_creates_the_due_follow_up_then_sends_its_reminders(
    mailoutbox, monkeypatch, agreement, shop_owner, official
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 2, 20))

    call_command("run_daily", stdout=StringIO())
    call_command("run_daily", stdout=StringIO())

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "official@nordmaling.example",
        "owner@perslivs.example",
    ]


def test_the_database_refuses_a_second_record_of_the_same_reminder(official):
    fields = {
        "kind": SentReminder.Kind.FOLLOWUP_DUE,
        "object_id": 1,
        "event_on": date(2026, 3, 1),
        "recipient": official,
    }
    SentReminder.objects.create(**fields)

    with pytest.raises(IntegrityError):
        SentReminder.objects.create(**fields)


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_days_job_at_once_send_one_set_of_reminders(
    mailoutbox, municipalities_reloaded, agreement, shop_owner, official
):
    day = datetime(2026, 2, 20, 5, tzinfo=ZoneInfo("Europe/Stockholm"))
    context = SimpleNamespace(job=SimpleNamespace(id=None))

    at_once(*[lambda: run_daily.func(context, timestamp=day.timestamp())] * 2)

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "official@nordmaling.example",
        "owner@perslivs.example",
    ]
    [run] = DailyRun.objects.all()
    assert (run.day, run.status, run.attempts) == (date(2026, 2, 20), "done", 1)
    assert "Påminnelser skickade: 2" in run.output
