"""Helpers for tests that run the app in processes of their own."""

import os
import subprocess
import sys
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "c" * 20 + "-production-secret-key-for-tests-0123456789",
    "ALLOWED_HOSTS": "servicepunkter.example.se",
    "LOG_LEVEL": "CRITICAL",
}
# The test run's own, and what a test sets where it needs it.
LEFT_OUT = {
    "TEST_DATABASE_NAME",
    "PYTEST_XDIST_WORKER",
    "CACHE_URL",
    "LOG_FORMAT",
    "SENTRY_DSN",
    "DATABASE_POOL_MAX_SIZE",
    "DATABASE_POOL_MIN_SIZE",
}


def run_python(code, env, *args):
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in LEFT_OUT},
            "DJANGO_SETTINGS_MODULE": "servicepunkter.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def database_url(user=None, password=None) -> str:
    """The test database's URL for another process, as `user` (default: the
    test suite's own role)."""
    parameters = connection.settings_dict
    if user is None:
        user, password = parameters["USER"], parameters["PASSWORD"]
    host = parameters["HOST"] or parameters["OPTIONS"].get("host")
    port = parameters["PORT"] or parameters["OPTIONS"].get("port")
    query = {key: value for key, value in {"host": host, "port": port}.items() if value}
    return (
        f"postgres://{quote(user)}:{quote(password or '')}@/{parameters['NAME']}?"
        + urlencode(query)
    )
