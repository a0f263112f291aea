"""No secret and nothing personal in the log or in Sentry (README: Production, Logs
and Errors): a failed background job is named by its task and id, never by its
arguments (a queued e-mail's recipients and text), and a secret in a path (an
invitation, a password reset link) is blanked."""

import base64
import copy
import io
import json
import logging

import pytest
import sentry_sdk
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from procrastinate.contrib.django.models import ProcrastinateJob
from sentry_sdk.transport import Transport

from core.testing import email_queue_on, run_worker
from servicepunkter.logs import (
    ContextFilter,
    JobArgumentsFilter,
    JsonLinesFormatter,
    SecretPathFilter,
)
from servicepunkter.sentry import (
    breadcrumb_without_personal_data,
    sentry_start,
    without_personal_data,
)

RECIPIENT = "anna.andersson@example.se"
INVITATION = "/accounts/invitation/InV1te-s3cr3t-T0ken/"
RESET = "/accounts/password/reset/MTIz/cz8b1t-0123456789abcdef0123456789abcdef/"


class RefusingBackend(BaseEmailBackend):
    """A backend that fails for good (no retry), naming the recipient."""

    def send_messages(self, email_messages):
        raise RuntimeError(f"Cannot deliver to {email_messages[0].to}")


class Captured(Transport):
    """Sentry's events kept in memory: nothing leaves the machine."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


class Collected(logging.Handler):
    """Every record as logged, before any handler's filter changes it."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(copy.copy(record))


@pytest.fixture
def collected():
    handler = Collected()
    root = logging.getLogger()
    root.handlers.insert(0, handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def failed_mail_job(settings):
    """A queued mail that the mail server refuses; its body as queued."""
    email_queue_on(settings, delivery=f"{__name__}.RefusingBackend")
    EmailMessage(
        subject="Inbjudan",
        body="Hej Anna, välkommen till Servicepunkter.",
        from_email="noreply@servicepunkter.example",
        to=[RECIPIENT],
    ).send()
    job = ProcrastinateJob.objects.filter(task_name="core.mail_send").latest("id")
    run_worker(["mail"])
    assert ProcrastinateJob.objects.get(pk=job.pk).status == "failed"
    return job


def assert_nothing_personal(text, job):
    assert RECIPIENT not in text
    assert job.args["message"] not in text
    # Not even a piece of the body.
    assert job.args["message"][:24] not in text
    assert f"core.mail_send[{job.pk}](" not in text


@pytest.mark.django_db(transaction=True)
def test_a_failed_mail_job_is_logged_without_its_recipients_or_text(
    settings, collected
):
    job = failed_mail_job(settings)

    [failed] = [
        record
        for record in collected
        if record.name.startswith("procrastinate")
        and record.levelno >= logging.ERROR
        and f"[{job.pk}]" in record.getMessage()
    ]
    # As procrastinate logs it: the job's arguments in the message and extras.
    assert RECIPIENT in failed.getMessage()

    plain = copy.copy(failed)
    for kept in (JobArgumentsFilter(), SecretPathFilter(), ContextFilter()):
        assert kept.filter(plain)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.emit(plain)
    line = stream.getvalue()
    assert f"Job core.mail_send[{job.pk}] ended with status: Error" in line
    assert "RuntimeError" in line
    # Everything the record carries but the exception, whose text is exc_text.
    carried = {key: value for key, value in vars(plain).items() if key != "exc_info"}
    assert_nothing_personal(line + repr(carried), job)
    assert plain.job["id"] == job.pk and plain.job["task_name"] == "core.mail_send"

    # The JSON formatter on its own (a handler without the filter) as well.
    unfiltered = copy.copy(failed)
    ContextFilter().filter(unfiltered)  # the request and job ids only
    written = JsonLinesFormatter().format(unfiltered)
    assert json.loads(written)["message"].startswith(
        f"Job core.mail_send[{job.pk}] ended"
    )
    assert_nothing_personal(written, job)


@pytest.mark.django_db(transaction=True)
def test_a_failed_mail_job_reaches_sentry_without_its_recipients_or_text(settings):
    transport = Captured()
    sentry_start(
        dsn="https://public@sentry.example.invalid/1",
        environment="test",
        transport=transport,
    )
    try:
        job = failed_mail_job(settings)
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)

    [event] = [
        event
        for event in transport.events
        if event.get("logger", "").startswith("procrastinate")
    ]
    sent = json.dumps(event, default=str)
    assert f"core.mail_send[{job.pk}]" in sent
    assert "RuntimeError" in sent
    assert event["extra"]["job"]["id"] == job.pk
    assert_nothing_personal(sent, job)
    assert base64.b64decode(job.args["message"])  # what was kept out


def test_a_call_string_in_a_breadcrumb_is_blanked():
    crumb = {
        "category": "procrastinate.worker",
        "message": f"Starting job core.mail_send[9](recipients=['{RECIPIENT}'])",
        "data": {"job": {"id": 9, "task_kwargs": {"recipients": [RECIPIENT]}}},
    }

    sent = breadcrumb_without_personal_data(crumb)

    assert sent["message"] == "Starting job core.mail_send[9]"
    assert sent["data"] == {"job": {"id": 9}}


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(JobArgumentsFilter())
    handler.addFilter(SecretPathFilter())
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    access = logging.getLogger("servicepunkter.access")
    level = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        access.setLevel(level)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "blanked"),
    [
        (INVITATION, "/accounts/invitation/[token]/"),
        (RESET, "/accounts/password/reset/[uid]/[token]/"),
    ],
)
def test_a_secret_in_a_path_is_not_in_the_access_line(
    client, json_lines, path, blanked
):
    client.get(path)
    logging.getLogger("django.request").error("Not Found: %s", path)

    lines = json_lines()
    access = [line for line in lines if line["logger"] == "servicepunkter.access"]
    assert [line["path"] for line in access] == [blanked]
    assert any(line["message"] == f"Not Found: {blanked}" for line in lines)
    assert path.split("/")[-2] not in json.dumps(lines)


def test_the_pages_without_a_secret_keep_their_path():
    for path in (
        "/accounts/invitation/password/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/complete/",
    ):
        record = logging.LogRecord("x", logging.INFO, "", 1, path, None, None)
        SecretPathFilter().filter(record)
        assert record.getMessage() == path


def test_every_handler_of_the_settings_has_the_filters(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert {"secret_paths", "job_arguments"} <= set(handler["filters"]), name


def test_a_secret_in_a_path_is_not_sent_to_sentry():
    event = {
        "request": {"url": f"https://sp.example{RESET}", "method": "GET"},
        "message": f"Something failed at {INVITATION}",
        "breadcrumbs": {
            "values": [{"message": f"GET {INVITATION}", "category": "httplib"}]
        },
    }
    crumb = breadcrumb_without_personal_data(
        {"category": "django.request", "data": {"url": INVITATION}}
    )

    sent = json.dumps([without_personal_data(event), crumb])

    assert "s3cr3t" not in sent and "cz8b1t" not in sent and "MTIz" not in sent
    assert "/accounts/password/reset/[uid]/[token]/" in sent
    assert "/accounts/invitation/[token]/" in sent
