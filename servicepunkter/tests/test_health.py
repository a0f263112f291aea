"""The health checks (issue 19): /healthz answers whatever the database does;
/readyz says 503 while the database is out of reach and 200 once it is back."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.smoke
def test_readyz_checks_the_database_the_migrations_and_the_storage(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok"},
    }


def test_readyz_is_503_when_the_storage_takes_no_write(client, settings, tmp_path):
    # Below a file no directory can be made, whoever the process runs as.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failed"


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_with_the_database_out_of_reach_and_200_when_it_is_back(
    client, municipalities_reloaded
):
    port = connection.settings_dict["PORT"]
    connection.close()
    # A port no PostgreSQL listens on: the database is out of reach for real.
    connection.settings_dict["PORT"] = "1"
    try:
        down = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert down.status_code == 503
    assert down.json() == {
        "status": "unavailable",
        "checks": {"database": "failed", "migrations": "unknown", "storage": "ok"},
    }
    back = client.get("/readyz")
    assert back.status_code == 200
    assert back.json()["status"] == "ok"
