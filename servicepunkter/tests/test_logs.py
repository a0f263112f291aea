"""Log lines as JSON with a request id (README: Production, Logs)."""

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from procrastinate.contrib.django import app as procrastinate_app

from core.testing import run_worker
from servicepunkter.logs import (
    ContextFilter,
    JsonLinesFormatter,
    SecretPathFilter,
    job_log_context,
)

ACCESS = logging.getLogger("servicepunkter.access")


@pytest.fixture
def json_lines():
    """The app's log as the json handler writes it, one parsed object a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretPathFilter())
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonLinesFormatter())
    root, level = logging.getLogger(), ACCESS.level
    root.addHandler(handler)
    ACCESS.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        ACCESS.setLevel(level)


def test_a_safe_request_id_from_the_proxy_is_kept_and_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-3f2a.9_B")

    assert response["X-Request-ID"] == "nginx-3f2a.9_B"


@pytest.mark.parametrize(
    "forged",
    ["a b", "x" * 65, "id\r\nSet-Cookie: a=b", '"},{"level":"CRITICAL', "åäö", ""],
)
def test_a_forged_or_missing_request_id_is_replaced_by_a_new_one(client, forged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)

    made = response["X-Request-ID"]
    assert made != forged
    assert len(made) == 32 and int(made, 16) >= 0


@pytest.mark.django_db
def test_a_request_line_names_the_user_by_id_only(client, official, json_lines):
    client.force_login(official)

    response = client.get(reverse("accounts:profile"), HTTP_X_REQUEST_ID="r-1")

    [line] = [line for line in json_lines() if line["logger"] == ACCESS.name]
    assert line["request_id"] == response["X-Request-ID"] == "r-1"
    assert line["user_id"] == official.pk
    assert (line["method"], line["path"], line["status"]) == (
        "GET",
        "/accounts/profile/",
        200,
    )
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    written = json.dumps(json_lines())
    for personal in (official.email, official.full_name):
        assert not personal or personal not in written


@pytest.mark.django_db
def test_the_error_line_django_writes_after_the_middleware_has_the_request_id(
    client, json_lines
):
    django_request = logging.getLogger("django.request")
    level = django_request.level
    django_request.setLevel(logging.WARNING)  # ERROR in the settings: 5xx only
    try:
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="r-404")
    finally:
        django_request.setLevel(level)
    logging.getLogger("servicepunkter").warning("after the answer")

    lines = {line["logger"]: line for line in json_lines()}
    assert lines["django.request"]["message"] == "Not Found: /no-such-page/"
    assert lines["django.request"]["request_id"] == "r-404"
    assert lines["servicepunkter"]["request_id"] is None


@pytest.mark.django_db
def test_a_calendar_address_is_logged_without_its_secret(client, json_lines):
    client.get("/calendar/s3cr3t-T0ken_value.ics")

    [line] = [line for line in json_lines() if line["logger"] == ACCESS.name]
    assert line["path"] == "/calendar/[address].ics"
    assert "s3cr3t" not in json.dumps(json_lines())


def test_a_background_jobs_lines_carry_its_id(json_lines):
    async def task():
        logging.getLogger("analysis.tasks").warning("Loading")

    context = SimpleNamespace(job=SimpleNamespace(id=4711))
    asyncio.run(job_log_context(task, context, None))
    logging.getLogger("analysis.tasks").warning("After the job")

    during, after = json_lines()
    assert (during["job_id"], during["message"]) == (4711, "Loading")
    assert "job_id" not in after


@procrastinate_app.task(name="servicepunkter.tests.test_logs.log_a_line")
def log_a_line():
    logging.getLogger("analysis.tasks").warning("Inside the job")


@pytest.mark.django_db(transaction=True)
def test_a_line_logged_by_a_job_in_a_real_worker_carries_the_job_id(json_lines):
    job = log_a_line.defer()

    run_worker()

    [line] = [line for line in json_lines() if line["message"] == "Inside the job"]
    assert line["job_id"] == job
    assert line["request_id"] is None


PROBE = """
import json, sys, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id<script>")
kept = client.get("/healthz", HTTP_X_REQUEST_ID="from-nginx-1")
print(json.dumps([forged["X-Request-ID"], kept["X-Request-ID"]]))
"""


def test_with_log_format_json_every_line_is_json_with_the_request_id():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    forged, kept = json.loads(result.stdout.splitlines()[-1])
    lines = [json.loads(line) for line in result.stderr.splitlines()]

    access = [line for line in lines if line["logger"] == ACCESS.name]
    assert [line["request_id"] for line in access] == [forged, kept]
    assert kept == "from-nginx-1"
    assert len(forged) == 32 and "script" not in result.stderr
    assert {line["status"] for line in access} == {200}
