"""An agreed action past its due date reminds the one responsible, once (issue 17,
point 1): the shop's owners for the shop's actions, the official who recorded it
for the municipality's."""

from datetime import date

import pytest
from django.db import IntegrityError

from accounts.tests.factories import UserFactory
from agreements.tests.concurrency import (
    at_once,
    municipalities_back_after_the_flush,  # noqa: F401 - autouse for this module
)
from followup.models import AgreedAction, DialogueMeeting
from followup.services import action_mark_done
from reminders.models import SentReminder
from reminders.services import reminders_send

pytestmark = pytest.mark.django_db

DEC_2 = date(2025, 12, 2)  # the day after the actions were due


@pytest.fixture
def meeting(followups):
    return DialogueMeeting.objects.create(
        followup=followups[0], held_on=date(2025, 10, 1), participants="Per, Johan"
    )


def action(meeting, party, recorded_by, *, due_on=date(2025, 12, 1)):
    return AgreedAction.objects.create(
        meeting=meeting,
        text=f"Åtgärd för {party}",
        party=party,
        due_on=due_on,
        added_by=recorded_by,
    )


def action_mails(mailoutbox):
    return sorted(
        (mail.to[0], mail.subject)
        for mail in mailoutbox
        if "överenskommen åtgärd" in mail.subject
    )


def test_the_shops_overdue_action_reminds_its_owners_once_with_their_page(
    mailoutbox, meeting, shop_owner, official, administrator, bystanders
):
    shop_action = action(meeting, "shop", official)

    reminders_send(today=DEC_2)
    reminders_send(today=date(2025, 12, 20))

    assert action_mails(mailoutbox) == [
        (
            "owner@perslivs.example",
            "En överenskommen åtgärd för Pers Livs är försenad",
        )
    ]
    [mail] = [m for m in mailoutbox if m.to == ["owner@perslivs.example"]]
    assert "”Åtgärd för shop”" in mail.body
    assert "kom ni överens om att butiken skulle göra detta senast 2025-12-01" in (
        mail.body
    )
    page = f"/followup/my-service-point/year/{shop_action.meeting.followup_id}/"
    assert f"https://servicepunkter.example.se{page}" in mail.body
    assert SentReminder.objects.filter(kind="action_overdue").count() == 1


def test_the_municipalitys_overdue_action_reminds_the_official_who_recorded_it(
    mailoutbox, meeting, shop_owner, official, administrator, bystanders
):
    municipality_action = action(meeting, "municipality", official)

    reminders_send(today=DEC_2)

    assert action_mails(mailoutbox) == [
        (
            "official@nordmaling.example",
            "En överenskommen åtgärd för Pers Livs är försenad",
        )
    ]
    [mail] = [m for m in mailoutbox if "åtgärd" in m.subject]
    followup = municipality_action.meeting.followup
    assert f"/followup/{followup.pk}/" in mail.body


def test_without_the_official_who_recorded_it_the_municipalitys_staff_are_reminded(
    mailoutbox, meeting, agreement, shop_owner, official, administrator
):
    gone = UserFactory(email="left@nordmaling.example", is_active=False)
    action(meeting, "municipality", gone)
    # The shop has no account to remind: the municipality follows it up.
    shop_owner.outlets.clear()
    action(meeting, "shop", gone)

    reminders_send(today=DEC_2)

    recipients = [to for to, _subject in action_mails(mailoutbox)]
    assert recipients == [
        "admin@nordmaling.example",
        "admin@nordmaling.example",
        "official@nordmaling.example",
        "official@nordmaling.example",
    ]


def test_an_action_recorded_before_its_recorder_was_kept_reminds_the_drafter(
    mailoutbox, meeting, agreement, official, administrator
):
    drafter = UserFactory(email="drafter@nordmaling.example")
    agreement.created_by = drafter
    agreement.save(update_fields=["created_by"])
    action(meeting, "municipality", None)

    reminders_send(today=DEC_2)

    assert [to for to, _subject in action_mails(mailoutbox)] == [
        "drafter@nordmaling.example"
    ]


def test_an_action_done_or_not_yet_due_reminds_nobody(
    mailoutbox, meeting, shop_owner, official
):
    done = action(meeting, "shop", official)
    action_mark_done(action=done, by=shop_owner, comment="Klart.")
    action(meeting, "shop", official, due_on=DEC_2)
    action(meeting, "municipality", official, due_on=None)

    reminders_send(today=DEC_2)

    assert action_mails(mailoutbox) == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_action_reminder_once(
    mailoutbox, municipalities_reloaded, meeting, shop_owner, official
):
    action(meeting, "shop", official)
    action(meeting, "municipality", official)

    results = at_once(
        lambda: reminders_send(today=DEC_2), lambda: reminders_send(today=DEC_2)
    )

    assert sum(result.sent for result in results) == len(mailoutbox)
    assert len(action_mails(mailoutbox)) == 2
    assert SentReminder.objects.filter(kind="action_overdue").count() == 2


def test_the_database_refuses_a_second_reminder_of_the_same_overdue_action(
    meeting, official
):
    overdue = action(meeting, "municipality", official)
    fields = {
        "kind": SentReminder.Kind.ACTION_OVERDUE,
        "object_id": overdue.pk,
        "event_on": overdue.due_on,
        "recipient": official,
    }
    SentReminder.objects.create(**fields)

    with pytest.raises(IntegrityError, match="reminders_sentreminder_once_per_event"):
        SentReminder.objects.create(**fields)
