"""The project-local embedded PostgreSQL used when DATABASE_URL is unset."""

import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "servicepunkter"


def embedded_database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the server under data_dir; return Django settings."""
    try:
        with warnings.catch_warnings():
            # pgserver asks platformdirs for XDG_RUNTIME_DIR, unset on servers.
            warnings.simplefilter("ignore")
            import pgserver
        import psycopg
    except ImportError as error:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not "
            "installed. Run `make run` (or pip install -r requirements-dev.txt), or "
            "set DATABASE_URL to a PostgreSQL server."
        ) from error

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running between commands, so that each
    # manage.py call does not pay for a cold start.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir), str(info.port)
    with psycopg.connect(
        host=host, port=port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }
