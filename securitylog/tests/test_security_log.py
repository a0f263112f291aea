"""The security log (issue 15): sign-ins, lockouts, factor and password changes,
refused pages and downloads are logged with who, what and when; administrators read
their municipality's log, filter it and export it; nobody rewrites it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import Client, app_code, app_of
from outlets.tests.factories import municipality
from securitylog.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db

LOG = reverse("securitylog:event_list")
EXPORT = reverse("securitylog:event_export")
LOGIN = reverse("accounts:login")


def kinds(**filters):
    return list(
        SecurityEvent.objects.filter(**filters)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def test_a_failed_sign_in_is_logged_with_the_address_given_and_its_municipality(
    client, official
):
    sign_in(client, "Official@Nordmaling.example ", "wrong", REMOTE_ADDR="192.0.2.7")

    event = SecurityEvent.objects.get(kind=EventKind.SIGN_IN_FAILED)
    assert event.email == "Official@Nordmaling.example"
    assert event.municipality_id == official.municipality_id
    assert event.ip_address == "192.0.2.7"
    assert event.path == LOGIN


def test_five_failures_lock_the_address_and_the_lockout_is_logged(client, official):
    for _ in range(5):
        sign_in(client, official.email, "wrong")

    logged = kinds(email=official.email)
    assert logged.count(EventKind.SIGN_IN_FAILED) == 5
    assert logged.count(EventKind.LOCKED_OUT) == 1


def test_a_sign_in_and_a_sign_out_are_logged(client, official):
    sign_in(client, official.email, TEST_PASSWORD)
    client.post(reverse("accounts:logout"))

    assert kinds(user=official) == [EventKind.SIGNED_IN, EventKind.SIGNED_OUT]


def test_a_refused_page_and_an_export_are_logged(client, official):
    client.force_login(official)
    SecurityEvent.objects.all().delete()

    assert client.get("/accounts/users/").status_code == 403
    export = client.get(reverse("outlets:outlet_export"), {"format": "csv"})
    assert export.status_code == 200

    denied, download = SecurityEvent.objects.order_by("pk")
    assert (denied.kind, denied.user, denied.path) == (
        EventKind.DENIED,
        official,
        "/accounts/users/",
    )
    assert (download.kind, download.user, download.path) == (
        EventKind.DOWNLOAD,
        official,
        "/outlets/export/?format=csv",
    )
    assert download.detail.startswith("forsaljningsstallen-")
    assert download.detail.endswith(".csv")


def test_password_and_second_factor_changes_are_logged(client, administrator):
    device = app_of(administrator)
    sign_in(client, administrator.email, TEST_PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    client.post(reverse("accounts:two_factor_verify"), {"code": app_code(device)})
    client.post(reverse("accounts:recovery_codes"), {"current_password": TEST_PASSWORD})
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "blåbärssoppa vid Vindelälven",
            "new_password2": "blåbärssoppa vid Vindelälven",
        },
    )
    colleague = UserFactory()
    client.post(reverse("accounts:two_factor_reset", kwargs={"pk": colleague.pk}))

    assert kinds(user=administrator) == [
        EventKind.SIGNED_IN,
        EventKind.SECOND_FACTOR_FAILED,
        EventKind.SECOND_FACTOR_PASSED,
        EventKind.RECOVERY_CODES_RENEWED,
        EventKind.PASSWORD_CHANGED,
        EventKind.SECOND_FACTOR_RESET,
    ]
    reset = SecurityEvent.objects.get(kind=EventKind.SECOND_FACTOR_RESET)
    assert reset.detail == f"for {colleague.email}"


def test_administrators_read_their_municipalitys_log_and_the_system_owner_all(
    client, administrator, system_owner, official, umea_official
):
    sign_in(Client(), official.email, "wrong")
    sign_in(Client(), umea_official.email, "wrong")
    sign_in(Client(), "nobody@example.org", "wrong")

    client.force_login(administrator)
    page = client.get(LOG, {"kind": EventKind.SIGN_IN_FAILED}).content.decode()
    assert official.email in page
    assert umea_official.email not in page
    assert "nobody@example.org" not in page

    client.force_login(system_owner)
    page = client.get(LOG, {"kind": EventKind.SIGN_IN_FAILED}).content.decode()
    assert official.email in page
    assert umea_official.email in page
    assert "nobody@example.org" in page


def test_the_log_filters_by_person_and_kind_and_exports_what_it_shows(
    client, administrator, official
):
    colleague = UserFactory(email="eva@nordmaling.example")
    sign_in(Client(), official.email, "wrong")
    sign_in(Client(), colleague.email, "wrong")
    sign_in(Client(), official.email, TEST_PASSWORD)
    client.force_login(administrator)
    query = {"person": "official@", "kind": EventKind.SIGN_IN_FAILED}

    page = client.get(LOG, query).content.decode()
    export = client.get(EXPORT, query)

    assert "1 händelse" in page
    assert colleague.email not in page
    assert export.streaming
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tid;Händelse;Användare;E-postadress;Kommun")
    assert len(lines) == 2
    assert ";Misslyckad inloggning;" in lines[1]
    assert official.email in lines[1]
    # The export of the log is itself logged.
    assert SecurityEvent.objects.filter(
        kind=EventKind.DOWNLOAD, user=administrator, path__startswith=EXPORT
    ).exists()


def test_a_filter_that_is_not_a_date_shows_everything_without_an_error(
    client, administrator
):
    client.force_login(administrator)

    response = client.get(LOG, {"start": "not-a-date", "kind": "invented"})

    assert response.status_code == 200


def test_a_forwarded_address_that_is_none_is_not_taken(client, official, settings):
    """A proxy set up to pass on something else: the address it called from."""
    settings.TRUSTED_PROXY_COUNT = 1

    response = sign_in(
        client,
        official.email,
        "wrong",
        HTTP_X_FORWARDED_FOR="not-an-address",
        REMOTE_ADDR="192.0.2.9",
    )

    assert response.status_code == 200
    assert SecurityEvent.objects.get().ip_address == "192.0.2.9"


@pytest.mark.smoke
def test_the_log_cannot_be_rewritten(official):
    client = Client()
    sign_in(client, official.email, "wrong")

    for statement in (
        "UPDATE securitylog_securityevent SET email = 'x'",
        # pgtrigger's own escape hatch, which any role may set, opens nothing.
        "SET LOCAL pgtrigger.ignore = '{securitylog_securityevent:append_only}';"
        " UPDATE securitylog_securityevent SET email = 'x'",
    ):
        with (
            pytest.raises(DatabaseError, match="security-log entry cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert SecurityEvent.objects.get().email == official.email


@pytest.mark.parametrize(
    "role", ["official", "shop_owner", "regional_viewer", "umea_official"]
)
def test_others_are_refused_the_log(client, role, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(LOG).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_navigation_offers_the_log_to_administrators_only(
    client, administrator, official
):
    client.force_login(administrator)
    assert f'href="{LOG}"' in client.get("/").content.decode()
    client.force_login(official)
    assert f'href="{LOG}"' not in client.get("/").content.decode()


def test_a_municipality_other_than_the_own_is_not_in_the_log(client, administrator):
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    sign_in(Client(), umea_admin.email, "wrong")
    client.force_login(administrator)

    assert (
        "Inga händelser"
        in client.get(LOG, {"kind": EventKind.SIGN_IN_FAILED}).content.decode()
    )
