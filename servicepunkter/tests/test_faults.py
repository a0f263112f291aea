"""Faults and logs: the database out of reach gets a 503 page with Retry-After; a NUL
byte or a malformed body gets the 400 page and one WARNING line; answers to a
signed-in person are never stored by a cache."""

import logging
import socket

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outlets.tests.factories import OutletFactory

# Database out of reach -----------------------------------------------------------


def closed_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_out_of_reach(django_db_blocker):
    """The default connection pointed at a closed port, as when PostgreSQL is down:
    each query that needs a connection fails as in production (psycopg's connection
    refused, wrapped in Django's OperationalError). No test database transaction is
    open (the test is not marked django_db); the connection is restored after."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


@pytest.mark.parametrize("path", ["/", "/outlets/", "/accounts/profile/"])
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("sv", "Servicepunkter är inte tillgängligt just nu"),
        ("en", "Servicepunkter is unavailable for a moment"),
    ],
)
def test_with_the_database_out_of_reach_a_signed_in_person_gets_a_503_page(
    database_out_of_reach, path, language, heading
):
    # A signed-in person's session is read from the database: the first query.
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "k" * 32
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    assert heading in response.content.decode()


@pytest.mark.django_db
def test_a_query_failing_in_a_view_gets_the_503_page_too(client, official, monkeypatch):
    from django.db import OperationalError

    def fails(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("outlets.views.OutletListView.get_queryset", fails)
    client.raise_request_exception = False
    client.force_login(official)

    response = client.get(reverse("outlets:outlet_list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"


@pytest.mark.django_db
def test_any_other_error_is_still_the_500_page(client, official, monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("outlets.views.OutletListView.get_queryset", fails)
    client.raise_request_exception = False
    client.force_login(official)

    response = client.get(reverse("outlets:outlet_list"))

    assert response.status_code == 500
    assert "Retry-After" not in response


# Bad requests --------------------------------------------------------------------


def warnings_and_worse(caplog):
    return [
        (record.name, record.levelname, bool(record.exc_info))
        for record in caplog.records
        if record.levelno >= logging.WARNING
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"path": "/outlets/", "data": {"municipality": "\x00"}},
        {"path": "/outlets/", "data": {"q\x00": "Pers"}},
        {"path": "/outlets/%00/"},
        {"path": "/outlets/", "HTTP_USER_AGENT": "Mozilla\x00"},
        {"path": "/outlets/", "HTTP_COOKIE": "django_language=sv\x00"},
    ],
    ids=["parameter", "parameter-name", "path", "header", "cookie"],
)
def test_a_nul_byte_gets_the_bad_request_page_and_one_warning_line(
    client, official, caplog, request_kwargs
):
    client.force_login(official)

    with caplog.at_level(logging.INFO):
        response = client.get(**request_kwargs)

    assert response.status_code == 400
    assert "Felaktig begäran" in response.content.decode()
    assert warnings_and_worse(caplog) == [
        ("django.security.BadRequest", "WARNING", False)
    ]


@pytest.mark.django_db
def test_a_malformed_body_gets_the_bad_request_page_and_one_warning_line(
    client, official, caplog
):
    client.force_login(official)

    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("outlets:outlet_create"),
            data=b"--x\r\nnot a part",
            content_type="multipart/form-data",
        )

    assert response.status_code == 400
    assert warnings_and_worse(caplog) == [
        ("django.security.BadRequest", "WARNING", False)
    ]


@pytest.mark.django_db
def test_a_failed_sign_in_with_a_nul_byte_in_the_user_agent_is_refused_unlogged(
    client, official, caplog
):
    """axes would store the user agent with the failed attempt: a 500 before."""
    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("accounts:login"),
            {"username": official.email, "password": "wrong"},
            HTTP_USER_AGENT="scanner\x00",
        )

    assert response.status_code == 400
    assert warnings_and_worse(caplog) == [
        ("django.security.BadRequest", "WARNING", False)
    ]


# No-store ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_answer_to_a_signed_in_person_is_no_store(client, official):
    from reports.models import AnnualReport

    outlet = OutletFactory(name="Pers Livs")
    stored = default_storage.save("annual-reports/x.pdf", ContentFile(b"%PDF"))
    report = AnnualReport.objects.create(
        municipality=outlet.municipality,
        year=2026,
        status="done",
        dated_on=timezone.localdate(),
        stored_file=stored,
        sha256="0" * 64,
    )
    client.force_login(official)

    answers = {
        "page": client.get(reverse("outlets:outlet_detail", args=[outlet.pk])),
        "pdf": client.get(reverse("reports:annual_report_file", args=[report.pk])),
        "export": client.get(reverse("outlets:outlet_export"), {"format": "csv"}),
        "not found": client.get("/outlets/no-such-page/"),
    }

    assert {
        kind: (answer.status_code, answer["Cache-Control"])
        for kind, answer in answers.items()
        if kind in ("page", "pdf", "export")
    } == {
        "page": (200, "no-store"),
        "pdf": (200, "no-store"),
        "export": (200, "no-store"),
    }
    assert all(answer["Cache-Control"] == "no-store" for answer in answers.values())


@pytest.mark.django_db
def test_static_files_keep_their_caching(client, official):
    client.force_login(official)

    static = client.get("/static/css/app.css")

    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
