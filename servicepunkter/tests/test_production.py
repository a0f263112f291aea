"""Production settings, exercised in a fresh process with DEBUG off."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",  # overrides a developer's .env
    "SECRET_KEY": "p" * 20 + "-production-secret-key-for-tests-0123456789",
    "ALLOWED_HOSTS": "servicepunkter.example.se",
}

# The test process allows async-unsafe ORM calls for Playwright; production does not.
WITHOUT_TEST_ONLY_VARIABLES = {
    name: value
    for name, value in os.environ.items()
    if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
}


def run(args, env, **kwargs):
    return subprocess.run(
        args,
        cwd=settings.BASE_DIR,
        env={**WITHOUT_TEST_ONLY_VARIABLES, **env},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.mark.smoke
def test_check_deploy_with_only_secret_key_and_allowed_hosts_reports_nothing():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_migrate_and_restore_connect_as_the_owner_everything_else_as_the_runtime_role():
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "servicepunkter.settings",
        "DATABASE_URL": "postgres://sp_app:a@db.example.se:5432/servicepunkter",
        "MIGRATION_DATABASE_URL": "postgres://sp_owner:o@db.example.se:5432/servicepunkter",
    }
    probe = (
        "import sys; sys.argv = ['manage.py', sys.argv[1]]; import django; "
        "django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['USER'])"
    )
    users = {
        command: run([sys.executable, "-c", probe, command], env).stdout.strip()
        for command in ("migrate", "restore", "runserver", "run_daily", "backup")
    }
    assert users == {
        "migrate": "sp_owner",
        "restore": "sp_owner",
        "runserver": "sp_app",
        "run_daily": "sp_app",
        "backup": "sp_app",
    }


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run([sys.executable, "manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


PROBE = """
import json
import django
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path

django.setup()
from servicepunkter import urls

def failing_view(request):
    raise RuntimeError("secret internal detail")

urls.urlpatterns.append(path("failing/", login_not_required(failing_view)))
client = Client(raise_request_exception=False, HTTP_HOST="servicepunkter.example.se")
login = client.get("/accounts/login/", secure=True)
error = client.get("/failing/", secure=True)
plain = client.get("/accounts/login/")
print(json.dumps({
    "login_status": login.status_code,
    "headers": dict(login.headers),
    "cookies": {name: morsel.output() for name, morsel in login.cookies.items()},
    "error_status": error.status_code,
    "error_body": error.content.decode(),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
}))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    env = {
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "servicepunkter.settings",
        "LOG_LEVEL": "CRITICAL",
    }
    collected = run([sys.executable, "manage.py", "collectstatic", "--no-input"], env)
    assert collected.returncode == 0, collected.stderr
    probe = run([sys.executable, "-c", PROBE], env)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout.strip().splitlines()[-1])


def test_production_responses_carry_the_security_headers(production_responses):
    headers = production_responses["headers"]
    assert production_responses["login_status"] == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Secure" in production_responses["cookies"]["csrftoken"]


def test_production_redirects_plain_http_to_https(production_responses):
    assert production_responses["plain_status"] == 301
    assert production_responses["plain_location"].startswith("https://")


def test_server_error_with_debug_off_shows_the_error_page_without_details(
    production_responses,
):
    body = production_responses["error_body"]
    assert production_responses["error_status"] == 500
    assert "Något gick fel" in body
    assert "secret internal detail" not in body
    assert "Traceback" not in body
