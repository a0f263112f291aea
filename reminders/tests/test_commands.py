from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone, translation

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
