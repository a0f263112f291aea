"""Log lines that can be followed across servers (README: Production, Logs).

Every request gets a request id: the proxy's `X-Request-ID` when it is a safe token,
else a new one; it is echoed in the response and carried by every log line written
while the request runs (a context variable and a logging filter), as a background
job's lines carry its job id. With LOG_FORMAT=json each line is one JSON object:
time, level, logger, message, request_id or job_id, and for the line that ends a
request its method, path, status, duration and the signed-in user's id (never an
e-mail address or a name). A calendar address's secret is written as
/calendar/[address].ics wherever it appears (calendarfeed/redaction.py).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.json import JsonFormatter

from calendarfeed.redaction import FEED_PATH, REDACTED

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[int | None] = ContextVar("job_id", default=None)

SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"

access_logger = logging.getLogger("servicepunkter.access")


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
        path = FEED_PATH.sub(REDACTED, request.path)
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
        return FEED_PATH.sub(REDACTED, super().format(record))
