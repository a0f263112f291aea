"""E-mail in the background: queued in the sender's transaction, sent by a worker
through the real backend, tried again while the mail server fails."""

import base64
import email
import smtplib
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from core.testing import email_queue_on, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Påminnelse: årsrapporten för Pers Livs"
BODY = "Hej Åsa,\n\nårsrapporten för 2026 ska lämnas senast den 1 mars.\n"


def reminder():
    return EmailMessage(
        subject=SUBJECT,
        body=BODY,
        from_email="Servicepunkter <noreply@servicepunkter.example>",
        to=["asa@perslivs.example"],
        bcc=["arkiv@nordmaling.example"],
    )


def mail_jobs():
    return ProcrastinateJob.objects.filter(task_name="core.mail_send")


class FlakySMTP:
    """An SMTP server that drops the connection at the first message, or refuses
    every recipient."""

    failures_left = 0
    refuses_everyone = False
    sent = []

    def sendmail(self, from_addr, to_addrs, msg):
        if FlakySMTP.refuses_everyone:
            raise smtplib.SMTPRecipientsRefused(
                dict.fromkeys(to_addrs, (550, b"No such user"))
            )
        if FlakySMTP.failures_left:
            FlakySMTP.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FlakySMTP.sent.append((from_addr, to_addrs, msg))

    def quit(self):
        pass


class FlakySMTPBackend(SMTPBackend):
    """Django's SMTP backend on FlakySMTP instead of a socket."""

    def open(self):
        if self.connection:
            return False
        self.connection = FlakySMTP()
        return True


def test_with_the_queue_on_a_mail_waits_for_a_worker_then_goes_out_as_written(
    settings,
):
    email_queue_on(settings)

    assert reminder().send() == 1

    assert mail.outbox == []
    [job] = mail_jobs()
    assert job.queue_name == "mail"
    queued = base64.b64decode(job.args["message"])
    assert b"Subject: " in queued and b"Bcc" not in queued
    assert job.args["recipients"] == [
        "asa@perslivs.example",
        "arkiv@nordmaling.example",
    ]

    run_worker(["mail"])

    [sent] = mail.outbox
    assert sent.subject == SUBJECT
    assert sent.body == BODY
    assert sent.to == ["asa@perslivs.example"]
    assert sent.from_email == "Servicepunkter <noreply@servicepunkter.example>"
    assert sent.recipients() == ["asa@perslivs.example", "arkiv@nordmaling.example"]
    assert not mail_jobs().exists(), "a sent mail's job is done and deleted"


def test_a_rolled_back_change_queues_no_mail(settings):
    email_queue_on(settings)

    with pytest.raises(RuntimeError), transaction.atomic():
        reminder().send()
        assert mail_jobs().count() == 1
        raise RuntimeError("the change failed")

    assert not mail_jobs().exists()
    run_worker(["mail"])
    assert mail.outbox == []


def test_a_mail_server_that_fails_is_tried_again_and_the_mail_sent_once(settings):
    email_queue_on(settings, delivery="core.tests.test_mail.FlakySMTPBackend")
    FlakySMTP.failures_left, FlakySMTP.sent = 1, []
    reminder().send()

    run_worker(["mail"])

    assert FlakySMTP.sent == []
    [job] = mail_jobs()
    assert (job.status, job.attempts) == ("todo", 1)
    assert job.scheduled_at is not None, "the retry waits a little"

    with connection.cursor() as cursor:  # the wait is over
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s",
            [job.id],
        )
    run_worker(["mail"])

    [(from_addr, to_addrs, raw)] = FlakySMTP.sent
    # As Django's SMTP backend hands it over; smtplib sends the address alone.
    assert from_addr == "Servicepunkter <noreply@servicepunkter.example>"
    assert to_addrs == ["asa@perslivs.example", "arkiv@nordmaling.example"]
    assert b"\r\n" in raw, "SMTP gets CRLF line ends"
    message = email.message_from_bytes(raw)
    assert str(make_header(decode_header(message["Subject"]))) == SUBJECT
    assert message.get_payload(decode=True).decode() == BODY.replace("\n", "\r\n")
    assert "Bcc" not in message
    assert not mail_jobs().exists()


def test_without_the_queue_mail_goes_out_at_once(settings):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"

    reminder().send()

    assert len(mail.outbox) == 1
    assert not mail_jobs().exists()


def test_a_mail_refused_for_every_recipient_fails_at_once_and_is_kept(settings):
    email_queue_on(settings, delivery="core.tests.test_mail.FlakySMTPBackend")
    FlakySMTP.failures_left, FlakySMTP.refuses_everyone, FlakySMTP.sent = 0, True, []
    try:
        reminder().send()
        run_worker(["mail"])
    finally:
        FlakySMTP.refuses_everyone = False

    [job] = mail_jobs()
    assert (job.status, job.attempts) == ("failed", 1), "not tried again 8 times"
    assert FlakySMTP.sent == []
