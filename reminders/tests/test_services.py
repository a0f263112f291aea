from datetime import date
from smtplib import SMTPException

import pytest

from agreements.services import payout_condition_set
from followup.services import report_save, report_submit
from reminders import services
from reminders.models import SentReminder
from reminders.services import reminders_send

pytestmark = pytest.mark.django_db

FEB_20 = date(2026, 2, 20)  # nine days before the first report is due


def sent(mailoutbox):
    return sorted((mail.to[0], mail.subject) for mail in mailoutbox)


def test_the_first_run_reminds_the_owner_and_the_staff_of_the_report_falling_due(
    mailoutbox, agreement, followups, shop_owner, official, administrator, bystanders
):
    result = reminders_send(today=FEB_20)

    ref = agreement.reference
    assert sent(mailoutbox) == [
        (
            "admin@nordmaling.example",
            f"Uppföljning av Pers Livs ({ref}) senast 2026-03-01",
        ),
        (
            "official@nordmaling.example",
            f"Uppföljning av Pers Livs ({ref}) senast 2026-03-01",
        ),
        (
            "owner@perslivs.example",
            "Årsrapporten för Pers Livs ska lämnas senast 2026-03-01",
        ),
    ]
    assert result.sent == 3 and result.failed == 0
    assert SentReminder.objects.count() == 3


def test_a_reminder_is_in_swedish_with_a_link_to_the_page_to_act_on(
    mailoutbox, followups, shop_owner
):
    reminders_send(today=FEB_20)

    [mail] = mailoutbox
    first = followups[0]
    assert mail.body.startswith("Hej ")
    assert "Årsrapporten för Pers Livs (avtalsår 1) ska lämnas senast 2026-03-01." in (
        mail.body
    )
    assert f"https://servicepunkter.example.se/followup/{first.pk}/report/" in mail.body


def test_without_a_site_url_the_link_is_the_path(
    settings, mailoutbox, followups, shop_owner
):
    settings.SITE_URL = ""
    reminders_send(today=FEB_20)

    [mail] = mailoutbox
    assert "\n/followup/" in mail.body


def test_a_second_run_sends_nothing(
    mailoutbox, followups, shop_owner, official, administrator, bystanders
):
    reminders_send(today=FEB_20)
    mailoutbox.clear()

    result = reminders_send(today=FEB_20)
    later = reminders_send(today=date(2026, 2, 25))

    assert mailoutbox == []
    assert result.sent == 0 and later.sent == 0


def test_after_one_new_event_the_next_run_sends_exactly_one_more(
    mailoutbox, agreement, followups, shop_owner, official, bystanders
):
    reminders_send(today=FEB_20)
    assert len(mailoutbox) == 2
    first = followups[0]
    report_save(
        followup=first,
        by=shop_owner,
        data={"visitors_per_week": 120, "visitors_counting": "counted"},
    )
    report_submit(followup=first, by=shop_owner)
    reminders_send(today=FEB_20)
    assert len(mailoutbox) == 2

    # The follow-up falls overdue; the owner has sent the report, so only staff hear.
    reminders_send(today=date(2026, 3, 2))

    assert len(mailoutbox) == 3
    assert sent(mailoutbox[2:]) == [
        (
            "official@nordmaling.example",
            f"Uppföljning av Pers Livs ({agreement.reference}) är försenad",
        )
    ]


def test_an_overdue_report_not_sent_reminds_the_owner_again(
    mailoutbox, followups, shop_owner
):
    reminders_send(today=FEB_20)
    reminders_send(today=date(2026, 3, 2))

    assert [mail.subject for mail in mailoutbox] == [
        "Årsrapporten för Pers Livs ska lämnas senast 2026-03-01",
        "Årsrapporten för Pers Livs är försenad",
    ]


def test_inactive_owners_other_outlets_owners_and_other_municipalities_get_nothing(
    mailoutbox, followups, bystanders
):
    result = reminders_send(today=FEB_20)

    assert mailoutbox == []
    assert result.sent == 0


def test_decision_date_and_notice_deadline_within_30_days_remind_the_staff(
    mailoutbox, agreement, official, shop_owner
):
    # 36 months from 2025-01-01 with 3 months' notice: notice by 2027-09-30, the
    # municipality's decision 30 days before, 2027-08-31.
    reminders_send(today=date(2027, 7, 31))
    assert mailoutbox == []

    reminders_send(today=date(2027, 8, 15))
    assert len(mailoutbox) == 1
    reminders_send(today=date(2027, 9, 1))
    reminders_send(today=date(2027, 9, 2))

    ref = agreement.reference
    assert sent(mailoutbox) == [
        (
            "official@nordmaling.example",
            f"Beslut om Pers Livs ({ref}) senast 2027-08-31",
        ),
        (
            "official@nordmaling.example",
            f"Sista dag att säga upp Pers Livs ({ref}): 2027-09-30",
        ),
    ]


def test_a_payout_whose_condition_holds_reminds_the_staff_to_approve_it(
    mailoutbox, agreement, official, shop_owner
):
    reminders_send(today=FEB_20)
    assert mailoutbox == []  # the year-1 payout waits for the follow-up

    payout_condition_set(agreement=agreement, agreement_year=1, followup_complete=True)
    reminders_send(today=FEB_20)
    reminders_send(today=FEB_20)

    assert sent(mailoutbox) == [
        (
            "official@nordmaling.example",
            f"Utbetalning till Pers Livs ({agreement.reference}) väntar på godkännande",
        )
    ]
    amount = agreement.payouts.get(agreement_year=1).amount
    assert f"Utbetalningen på {amount // 1000}\xa0{amount % 1000:03d} kr" in (
        mailoutbox[0].body
    )


def test_a_failed_send_is_not_recorded_and_is_tried_again(
    mailoutbox, monkeypatch, followups, shop_owner, official
):
    real_send_mail = services.send_mail

    def failing_for_the_owner(**kwargs):
        if kwargs["recipient_list"] == ["owner@perslivs.example"]:
            raise SMTPException("mail server away")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(services, "send_mail", failing_for_the_owner)
    result = reminders_send(today=FEB_20)

    assert (result.sent, result.failed) == (1, 1)
    assert [mail.to for mail in mailoutbox] == [["official@nordmaling.example"]]
    assert not SentReminder.objects.filter(recipient=shop_owner).exists()

    monkeypatch.setattr(services, "send_mail", real_send_mail)
    reminders_send(today=FEB_20)

    assert [mail.to for mail in mailoutbox][1:] == [["owner@perslivs.example"]]
