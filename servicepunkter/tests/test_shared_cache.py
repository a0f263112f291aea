"""The shared cache (README: Production, Shared cache): what CACHE_URL and DEBUG
choose, the database cache under the runtime role seen from two processes, and
Redis where a deployment has one."""

import json
import secrets
import socket
import uuid

import environ
import pytest
from django.db import connection
from django.test import override_settings

from accounts.throttles import throttle_clear, throttle_count
from servicepunkter.tests.processes import PRODUCTION_ENV, database_url, run_python

SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.CACHES["default"]))
"""


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        (PRODUCTION_ENV, "core.cache.DatabaseCache", "servicepunkter_cache"),
        (
            {**PRODUCTION_ENV, "CACHE_URL": "redis://cache.example.se:6379/2"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.example.se:6379/2",
        ),
        (
            {"DEBUG": "true"},
            "django.core.cache.backends.locmem.LocMemCache",
            "",
        ),
    ],
    ids=["debug-off-database", "redis", "debug-on-memory"],
)
def test_cache_url_and_debug_choose_the_cache(env, backend, location):
    cache = json.loads(run_python(SETTINGS_PROBE, env))
    assert cache["BACKEND"] == backend
    assert cache["LOCATION"] == location


@pytest.fixture
def runtime_database_url(transactional_db):
    """A role as production's runtime role (README: Database roles): rows to read
    and write, nothing owned, no CREATE; the test database's URL as that role."""
    name = f"sp_app_cache_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
        cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {name}')
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            f"TO {name}"
        )
        cursor.execute(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}"
        )
    try:
        yield database_url(name, password)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = %s",
                [name],
            )
            cursor.execute("DELETE FROM servicepunkter_cache")
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


THROTTLE_PROBE = """
import json, sys, django
django.setup()
from django.db import connection
from accounts.throttles import throttle_allows, throttle_count, throttle_hit
mode, address = sys.argv[1:]
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    [role] = cursor.fetchone()
if mode == "count":
    counts = [throttle_hit("password_reset", address) for _ in range(2)]
    print(json.dumps({"role": role, "counts": counts}))
else:
    seen = throttle_count("password_reset", address)
    allowed = [throttle_allows("password_reset", address, 3) for _ in range(2)]
    print(json.dumps({"role": role, "seen": seen, "allowed": allowed}))
"""


def counted_in_two_processes(env, address):
    """Two counts in one process, then the count and two more in another."""
    first = json.loads(run_python(THROTTLE_PROBE, env, "count", address))
    second = json.loads(run_python(THROTTLE_PROBE, env, "check", address))
    assert first["counts"] == [1, 2]
    assert second["seen"] == 2
    # The third within the limit of three, the fourth refused.
    assert second["allowed"] == [True, False]
    return first["role"]


def test_a_limit_counted_in_one_process_holds_in_another_under_the_runtime_role(
    runtime_database_url,
):
    env = {**PRODUCTION_ENV, "DATABASE_URL": runtime_database_url}

    role = counted_in_two_processes(env, "anna@example.se")

    assert role.startswith("sp_app_cache_")


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(not redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_a_limit_counted_in_one_process_holds_in_another_through_redis():
    address = f"{uuid.uuid4().hex}@example.se"
    try:
        counted_in_two_processes({"CACHE_URL": REDIS_URL}, address)
    finally:
        config = environ.Env.cache_url_config(REDIS_URL)
        with override_settings(CACHES={"default": config}):
            assert throttle_count("password_reset", address) == 4
            throttle_clear("password_reset", address)
