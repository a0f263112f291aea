"""The health checks (issue 19): /healthz answers whatever the database does;
/readyz says 503 while the database is out of reach and 200 once it is back."""

import pytest
from django.core.files.storage import FileSystemStorage
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
    client, municipalities_reloaded, settings
):
    settings.READINESS_CACHE_SECONDS = 0
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


class CountingStorage(FileSystemStorage):
    saved = 0

    def save(self, *args, **kwargs):
        CountingStorage.saved += 1
        return super().save(*args, **kwargs)


@pytest.fixture
def counting_storage(settings, tmp_path):
    CountingStorage.saved = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.CountingStorage",
            "OPTIONS": {"location": str(tmp_path / "counted")},
        },
    }
    return CountingStorage


def test_readyz_checks_once_within_its_cache_time(client, settings, counting_storage):
    settings.READINESS_CACHE_SECONDS = 5

    first = client.get("/readyz")
    second = client.get("/readyz")

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert counting_storage.saved == 1


def test_readyz_checks_again_once_its_cache_time_is_over(
    client, settings, counting_storage
):
    settings.READINESS_CACHE_SECONDS = 0

    client.get("/readyz")
    client.get("/readyz")

    assert counting_storage.saved == 2


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_a_load_balancer_asking_by_the_servers_address(
    client, settings, path
):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["servicepunkter.example.se"]

    response = client.get(path, HTTP_HOST="10.0.0.11:8000")
    head = client.head(path, HTTP_HOST="10.0.0.11:8000")

    assert response.status_code == head.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_any_other_path_by_the_servers_address_is_still_refused(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["servicepunkter.example.se"]

    assert client.get("/", HTTP_HOST="10.0.0.11:8000").status_code == 400
    assert client.get("/readyz/", HTTP_HOST="10.0.0.11:8000").status_code == 400
    assert client.post("/readyz", HTTP_HOST="10.0.0.11:8000").status_code == 400
    assert (
        client.get("/readyz", HTTP_HOST="servicepunkter.example.se").status_code == 200
    )
