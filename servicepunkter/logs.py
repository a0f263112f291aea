"""Log lines that can be followed across servers (README: Production, Logs).

Every request gets a request id: the proxy's `X-Request-ID` when it is a safe token,
else a new one; it is echoed in the response and carried by every log line written
while the request runs (a context variable and a logging filter), as a background
job's lines carry its job id. With LOG_FORMAT=json each line is one JSON object:
time, level, logger, message, request_id or job_id, and for the line that ends a
request its method, path, status, duration and the signed-in user's id (never an
e-mail address or a name). A secret in a path is blanked wherever it appears
(SECRET_PATHS): a calendar address is written as /calendar/[address].ics
(calendarfeed/redaction.py), an invitation as /accounts/invitation/[token]/, a
password reset link as /accounts/password/reset/[uid]/[token]/. No line names a
background job's arguments (some are personal: a queued e-mail's recipients and
text): procrastinate's lines name the task and the job id only (JobArgumentsFilter).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.json import JsonFormatter

from calendarfeed.redaction import FEED_PATH, REDACTED, FeedAddressFilter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[int | None] = ContextVar("job_id", default=None)

SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"

access_logger = logging.getLogger("servicepunkter.access")

# Paths with a secret in them (every <token> of the URL patterns), and how each is
# written in a log line or an error report.
_SEGMENT = r"[^/\s\"'?#]+"
SECRET_PATHS = (
    (FEED_PATH, REDACTED),
    (
        re.compile(rf"/invitation/(?!password/){_SEGMENT}/"),
        "/invitation/[token]/",
    ),
    (
        re.compile(rf"/password/reset/(?!sent/|complete/){_SEGMENT}/{_SEGMENT}/"),
        "/password/reset/[uid]/[token]/",
    ),
)

E_MAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")
E_MAIL_REDACTED = "[e-mail]"

# A job as procrastinate names it: task[id](its arguments).
CALL_STRING = re.compile(r"(?P<job>[\w.:]+\[\d+\])\(.*\)")
# What a job returned, at the end of procrastinate's line about its outcome.
JOB_RESULT = re.compile(r" - Result: .*", re.DOTALL)
# A job's fields in procrastinate's log extras that hold its arguments.
JOB_ARGUMENTS = {"task_kwargs", "call_string"}


def secrets_blanked(text: str) -> str:
    for pattern, redacted in SECRET_PATHS:
        text = pattern.sub(redacted, text)
    return text


def call_strings_blanked(text: str) -> str:
    """`core.mail_send[7](message=..., recipients=[...])` as `core.mail_send[7]`."""
    return JOB_RESULT.sub("", CALL_STRING.sub(r"\g<job>", text))


def job_without_arguments(job):
    if not isinstance(job, dict):
        return job
    return {key: value for key, value in job.items() if key not in JOB_ARGUMENTS}


def job_record_scrubbed(record: logging.LogRecord) -> None:
    """A procrastinate record without the job's arguments: its message names the
    task and the job id, its extras keep the job's fields but its arguments and
    result, and its exception's text has no e-mail address (a refused recipient)."""
    if hasattr(record, "job"):
        record.job = job_without_arguments(record.job)
    if isinstance(getattr(record, "jobs", None), list):
        record.jobs = [job_without_arguments(job) for job in record.jobs]
    if not record.name.startswith("procrastinate"):
        return
    if hasattr(record, "result"):
        del record.result
    message = record.getMessage()
    scrubbed = E_MAIL.sub(E_MAIL_REDACTED, call_strings_blanked(message))
    if scrubbed != message:
        record.msg, record.args = scrubbed, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = E_MAIL.sub(E_MAIL_REDACTED, record.exc_text)


class SecretPathFilter(FeedAddressFilter):
    """Every secret of SECRET_PATHS blanked in the line (the calendar address's
    among them, as FeedAddressFilter does)."""

    def filter(self, record):
        message = record.getMessage()
        blanked = secrets_blanked(message)
        if blanked != message:
            record.msg, record.args = blanked, ()
        return True


class JobArgumentsFilter(logging.Filter):
    """No background job's arguments in the line (job_record_scrubbed)."""

    def filter(self, record):
        job_record_scrubbed(record)
        return True


class RequestIdMiddleware:
    """Sets the request id for the request's log lines, echoes it in the answer and
    writes one line for the request when it is answered (at INFO, which the
    settings enable with LOG_FORMAT=json)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        current = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = current
        # Cleared when the answer is sent (request_finished), not on the way out of
        # here: Django logs an error answer (django.request) after the middleware.
        request_id.set(current)
        started = time.monotonic()
        response = self.get_response(request)
        response[HEADER] = current
        self.log(request, response, time.monotonic() - started)
        return response

    @staticmethod
    def log(request, response, seconds):
        if not access_logger.isEnabledFor(logging.INFO):
            return
        path = secrets_blanked(request.path)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        access_logger.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": user.pk if signed_in else None,
            },
        )


@receiver(request_finished)
def request_id_clear(**kwargs):
    request_id.set(None)


async def job_log_context(call_next, context, worker):
    """procrastinate worker middleware: the job's log lines carry its id."""
    token = job_id.set(context.job.id)
    try:
        return await call_next()
    finally:
        job_id.reset(token)


class ContextFilter(logging.Filter):
    """Gives every record the current request id and job id."""

    def filter(self, record):
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


class JsonLinesFormatter(JsonFormatter):
    """One JSON object a line, with only the fields named here: extras that other
    code passes (Django's request object, a job's arguments) are left out."""

    FIELDS = (
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "job_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "exc_info",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def process_log_record(self, log_data):
        return {
            name: log_data[name]
            for name in self.FIELDS
            if log_data.get(name) is not None or name in {"request_id", "message"}
        }

    def format(self, record):
        job_record_scrubbed(record)
        return secrets_blanked(super().format(record))

    def formatException(self, exc_info):
        # JsonFormatter formats the exception again rather than using exc_text.
        return E_MAIL.sub(E_MAIL_REDACTED, super().formatException(exc_info))
