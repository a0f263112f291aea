"""Running on several servers (README: Production): error reports without personal
data, the database pool, and the release step before the servers start."""

import json
import subprocess

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder

from servicepunkter.tests.processes import database_url, run_python

SENTRY_PROBE = """
import json, sys
import sentry_sdk
from sentry_sdk.transport import Transport

events = []


class Captured(Transport):
    # Events kept in memory: nothing leaves the machine.
    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            events.append(event)


started = sentry_sdk.init
sentry_sdk.init = lambda **options: started(transport=Captured(), **options)

import django
django.setup()
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path
from servicepunkter import urls


def failing_view(request):
    raise RuntimeError("no agreement for anna.andersson@example.se")


urls.urlpatterns.append(path("failing/", login_not_required(failing_view)))
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = "cookie-value-that-must-stay"
response = client.post(
    "/failing/?email=anna.andersson@example.se",
    {"note": "body-text-that-must-stay", "email": "anna.andersson@example.se"},
    HTTP_X_REQUEST_ID="req-7",
)
sentry_sdk.flush()
print(json.dumps({
    "status": response.status_code,
    "active": sentry_sdk.get_client().is_active(),
    "events": events,
}, default=str))
"""


@pytest.mark.django_db
def test_with_a_dsn_an_error_in_a_view_sends_one_event_without_personal_data():
    env = {
        "DATABASE_URL": database_url(),
        "SENTRY_DSN": "https://public@sentry.example.invalid/1",
        "SENTRY_ENVIRONMENT": "test",
        "SENTRY_RELEASE": "servicepunkter@1.2.3",
        "LOG_LEVEL": "CRITICAL",
    }
    outcome = json.loads(run_python(SENTRY_PROBE, env))

    assert outcome["status"] == 500
    [event] = outcome["events"]
    written = json.dumps(event)
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    assert (event["environment"], event["release"]) == ("test", "servicepunkter@1.2.3")
    assert event["tags"]["request_id"] == "req-7"
    assert set(event["request"]) <= {"url", "method"}
    for personal in ("cookie-value", "body-text", "anna.andersson", "sessionid"):
        assert personal not in written
    assert "[e-mail]" in written


NO_SENTRY_PROBE = """
import json, sys, django
django.setup()
print(json.dumps("sentry_sdk" in sys.modules))
"""


def test_without_a_dsn_sentry_is_not_even_imported():
    assert json.loads(run_python(NO_SENTRY_PROBE, {})) is False


POOL_PROBE = """
import json, django
django.setup()
from django.db import connection
from django.test import Client
answer = Client(HTTP_HOST="127.0.0.1").get("/readyz")
print(json.dumps({
    "status": answer.status_code,
    "checks": json.loads(answer.content)["checks"],
    "pool": connection.pool.max_size if connection.pool else None,
    "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
}))
"""


@pytest.mark.django_db
def test_with_a_pool_size_set_the_app_serves_from_a_connection_pool(tmp_path):
    env = {
        "DATABASE_URL": database_url(),
        "DATABASE_POOL_MAX_SIZE": "3",
        "CONN_MAX_AGE": "60",
        "MEDIA_ROOT": str(tmp_path),
    }
    outcome = json.loads(run_python(POOL_PROBE, env))

    assert outcome["status"] == 200, outcome
    assert outcome["pool"] == 3
    # A pool replaces persistent connections.
    assert outcome["conn_max_age"] == 0


def test_without_a_pool_size_connections_are_kept_as_before(tmp_path):
    env = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    probe = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d.get('OPTIONS', {}).get('pool'), d['CONN_MAX_AGE']]))"
    )
    assert json.loads(run_python(probe, env)) == [None, 60]


@pytest.mark.django_db
def test_check_release_passes_when_every_migration_is_applied(capsys):
    call_command("check_release")
    assert "Release applied" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_release_refuses_an_unapplied_migration_naming_make_release():
    MigrationRecorder.Migration.objects.filter(
        app="core", name="0001_cache_table"
    ).delete()

    with pytest.raises(CommandError) as refused:
        call_command("check_release")

    assert "core.0001_cache_table" in str(refused.value)
    assert "make release" in str(refused.value)


def make_commands(target, *, every_line=False):
    """The commands `make TARGET` runs, without running them: those of manage.py, or
    every one."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    return lines if every_line else [line for line in lines if "manage.py" in line]


def test_make_serve_checks_the_release_and_migrates_nothing():
    serve = make_commands("serve")
    release = make_commands("release")

    assert not any(" migrate" in line for line in serve)
    assert any("check_release" in line for line in serve)
    assert [line.split("manage.py ")[1] for line in release] == [
        "check --deploy --fail-level WARNING",
        "migrate --no-input",
        "createcachetable",
        "collectstatic --no-input",
        "check_release",
    ]


@pytest.mark.parametrize("target", ["release", "serve"])
def test_make_release_and_serve_install_the_runtime_requirements_only(target):
    installs = [
        line for line in make_commands(target, every_line=True) if " -r " in line
    ]

    assert installs
    assert all("requirements.txt" in line for line in installs)
    assert not any("requirements-dev" in line for line in installs)


@pytest.mark.django_db
def test_health_checks_answer_over_plain_http_where_pages_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
