"""E-mail in the background (README: Background work): with EMAIL_QUEUE on, the
e-mail backend queues each message as a job on the `mail` queue, in the transaction
of the change that sends it, and a worker sends it through the deployment's real
backend (EMAIL_DELIVERY_BACKEND, from EMAIL_URL), trying again while the mail server
fails.

The job carries the message as its RFC 822 bytes (base64) with the envelope's sender
and recipients, never a pickle: what the worker sends is what the page wrote."""

import base64
import email
import smtplib
from email.header import decode_header, make_header
from email.utils import formataddr, getaddresses

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import MIMEMixin, sanitize_address
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app


class _StoredMIME(MIMEMixin, email.message.Message):
    """A parsed message that Django's backends flatten as they do their own."""


def _header(parsed, name) -> str:
    value = parsed.get(name)
    return str(make_header(decode_header(value))) if value else ""


def _text_body(parsed) -> str:
    for part in parsed.walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


class StoredEmailMessage(EmailMessage):
    """A message rebuilt from its bytes: sent byte for byte as it was queued, to the
    queued envelope (Bcc included). Subject, body and To are read back for backends
    that show them (console, the tests' outbox)."""

    def __init__(self, *, raw: bytes, from_email: str, recipients: list[str]):
        parsed = email.message_from_bytes(raw, _class=_StoredMIME)
        super().__init__(
            subject=_header(parsed, "Subject"),
            body=_text_body(parsed),
            from_email=from_email,
            to=[
                formataddr((str(make_header(decode_header(name))), address))
                for name, address in getaddresses(parsed.get_all("To", []))
            ],
        )
        self._stored = parsed
        self._envelope_recipients = list(recipients)

    def recipients(self):
        return list(self._envelope_recipients)

    def message(self):
        return self._stored


class MailRetryStrategy(RetryStrategy):
    """Try again while the mail server fails, not when it refuses every recipient:
    that answer would be the same next time (smtplib's SMTPRecipientsRefused is an
    OSError, like a dropped connection)."""

    def get_retry_decision(self, *, exception, job):
        if isinstance(exception, smtplib.SMTPRecipientsRefused):
            return None
        return super().get_retry_decision(exception=exception, job=job)


@app.task(
    name="core.mail_send",
    queue="mail",
    # While the mail server fails: after 4 s, 16 s, 1 min, 4 min, 17 min, 68 min,
    # 4.5 h. A message whose every recipient it refuses fails for good at once, and
    # stays in procrastinate_jobs to be read and retried by hand.
    retry=MailRetryStrategy(
        max_attempts=8,
        exponential_wait=4,
        retry_exceptions={
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPResponseException,
            OSError,
        },
    ),
)
def mail_send(*, message: str, from_email: str, recipients: list[str]):
    """Send one queued message through the real backend."""
    stored = StoredEmailMessage(
        raw=base64.b64decode(message), from_email=from_email, recipients=recipients
    )
    with get_connection(settings.EMAIL_DELIVERY_BACKEND) as connection:
        connection.send_messages([stored])


class QueuedEmailBackend(BaseEmailBackend):
    """EMAIL_BACKEND with EMAIL_QUEUE on: one `core.mail_send` job per message,
    deferred on the current database connection, so inside the caller's transaction
    (a rolled-back change sends nothing)."""

    def send_messages(self, email_messages):
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            encoding = message.encoding or settings.DEFAULT_CHARSET
            try:
                mail_send.defer(
                    message=base64.b64encode(message.message().as_bytes()).decode(),
                    from_email=sanitize_address(message.from_email, encoding),
                    recipients=[
                        sanitize_address(address, encoding)
                        for address in message.recipients()
                    ],
                )
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            queued += 1
        return queued
