"""The sign-in lockout counts an address however it is spelt (issue 13)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "handlaggare@nordmaling.example"
SPELLINGS = [
    ADDRESS,
    ADDRESS.upper(),
    "Handlaggare@nordmaling.example",
    f" {ADDRESS} ",
]


@pytest.fixture
def handlaggare():
    return UserFactory(email=ADDRESS)


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        **extra,
    )


def signed_in(client):
    return client.get(reverse("accounts:profile")).status_code == 200


def test_after_five_wrong_passwords_no_spelling_of_the_address_gets_another_guess(
    client, handlaggare
):
    for _ in range(5):
        sign_in(client, ADDRESS, "wrong")

    for spelling in SPELLINGS:
        response = sign_in(client, spelling, "wrong")
        assert response.status_code == 429, spelling
        assert "För många försök" in response.content.decode()


def test_the_right_password_under_another_spelling_does_not_sign_in_while_locked(
    client, handlaggare
):
    for _ in range(5):
        sign_in(client, ADDRESS, "wrong")

    for spelling in SPELLINGS[1:]:
        assert sign_in(client, spelling, TEST_PASSWORD).status_code == 429
        assert not signed_in(client)


def test_five_wrong_passwords_spread_over_spellings_lock_the_address(
    client, handlaggare
):
    for spelling in SPELLINGS:
        assert sign_in(client, spelling, "wrong").status_code == 200
    # The fifth failure locks.
    assert sign_in(client, "hAnDlAgGaRe@NordMaling.Example", "wrong").status_code == 429

    assert sign_in(client, ADDRESS, TEST_PASSWORD).status_code == 429
    assert not signed_in(client)


def test_a_spelling_the_database_folds_to_the_address_counts_for_it(
    client, handlaggare
):
    # PostgreSQL's UPPER() turns a dotless ı into I, which Python's lower() does not.
    dotless = "handlaggare@nordmalıng.example"
    assert sign_in(client, dotless, TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    for _ in range(5):
        sign_in(client, dotless, "wrong")

    assert sign_in(client, ADDRESS, TEST_PASSWORD).status_code == 429


def test_one_clients_failures_do_not_lock_the_address_for_another_client(
    client, handlaggare
):
    for _ in range(5):
        sign_in(client, ADDRESS, "wrong", REMOTE_ADDR="192.0.2.1")

    assert (
        sign_in(client, ADDRESS, TEST_PASSWORD, REMOTE_ADDR="192.0.2.1").status_code
        == 429
    )
    response = sign_in(client, ADDRESS.upper(), TEST_PASSWORD, REMOTE_ADDR="192.0.2.2")
    assert response.status_code == 302


def test_failures_from_many_clients_lock_the_address_for_every_client(
    client, handlaggare, settings
):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for attempt in range(20):
        spelling = SPELLINGS[attempt % len(SPELLINGS)]
        sign_in(client, spelling, "wrong", REMOTE_ADDR=f"192.0.2.{attempt // 4 + 1}")

    response = sign_in(client, ADDRESS, TEST_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(
    client, handlaggare, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    def from_client(address, password, claimed="198.51.100.1"):
        # The proxy appends the address it saw to what the client claimed.
        forwarded = f"{claimed}, {address}"
        return sign_in(
            client,
            ADDRESS,
            password,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for attempt in range(5):
        from_client("203.0.113.5", "wrong", claimed=f"198.51.100.{attempt}")

    assert from_client("203.0.113.5", TEST_PASSWORD).status_code == 429
    assert from_client("203.0.113.6", TEST_PASSWORD).status_code == 302


def test_signing_in_clears_only_this_clients_failures(client, handlaggare):
    for _ in range(4):
        sign_in(client, ADDRESS, "wrong", REMOTE_ADDR="192.0.2.2")
    sign_in(client, ADDRESS, "wrong", REMOTE_ADDR="192.0.2.1")
    assert (
        sign_in(client, ADDRESS, TEST_PASSWORD, REMOTE_ADDR="192.0.2.1").status_code
        == 302
    )
    client.post(reverse("accounts:logout"))

    # The other client's four failures still count: one more locks it there.
    sign_in(client, ADDRESS, "wrong", REMOTE_ADDR="192.0.2.2")
    assert (
        sign_in(client, ADDRESS, TEST_PASSWORD, REMOTE_ADDR="192.0.2.2").status_code
        == 429
    )
