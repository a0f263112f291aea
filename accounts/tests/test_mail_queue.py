"""A password reset with e-mail in the background."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from core.testing import email_queue_on, run_worker


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_mail_is_queued_then_sent_once_by_a_worker_in_swedish(
    client, official, settings
):
    email_queue_on(settings)

    response = client.post(
        reverse("accounts:password_reset"), {"email": official.email}
    )

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert ProcrastinateJob.objects.filter(queue_name="mail").count() == 1

    run_worker(["mail"])

    [message] = mail.outbox
    assert message.to == [official.email]
    assert message.subject == "Välj ett nytt lösenord för Servicepunkter"
    assert re.search(r"https?://[^/]+/accounts/password/reset/\S+", message.body)
    assert "Länken gäller i 24 timmar och kan bara användas en gång." in message.body
    assert not ProcrastinateJob.objects.filter(queue_name="mail").exists()
