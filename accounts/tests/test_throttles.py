"""Password reset and the old-password check are throttled (issue 13)."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "korsord tallbarr cykelpump"


def ask_for_reset(client, address, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": address}, **extra)


def test_the_fourth_reset_mail_to_one_address_in_an_hour_is_not_sent(client, official):
    spellings = [official.email, official.email.upper(), f" {official.email} "]
    for number, spelling in enumerate(spellings, start=1):
        ask_for_reset(client, spelling, REMOTE_ADDR=f"192.0.2.{number}")
    assert len(mail.outbox) == 3

    response = ask_for_reset(client, official.email.title(), REMOTE_ADDR="192.0.2.9")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3


def test_the_eleventh_reset_request_from_one_client_in_an_hour_sends_nothing(client):
    users = UserFactory.create_batch(11)
    for user in users[:10]:
        ask_for_reset(client, user.email)
    assert len(mail.outbox) == 10

    response = ask_for_reset(client, users[10].email)

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 10
    # Another client is still served.
    ask_for_reset(client, users[10].email, REMOTE_ADDR="192.0.2.50")
    assert len(mail.outbox) == 11


def test_behind_a_proxy_the_reset_throttle_counts_the_client_the_proxy_saw(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    users = UserFactory.create_batch(11)
    for user in users[:10]:
        ask_for_reset(
            client, user.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7"
        )
    ask_for_reset(
        client,
        users[10].email,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.8",
    )
    assert len(mail.outbox) == 11


def test_a_throttled_reset_answers_as_for_an_unknown_address(client, official):
    for _ in range(3):
        ask_for_reset(client, official.email)
    throttled = ask_for_reset(client, official.email)
    unknown = ask_for_reset(client, "nobody@nowhere.example")
    assert throttled.status_code == unknown.status_code == 302
    assert throttled["Location"] == unknown["Location"]


def change_password(client, old):
    return client.post(
        reverse("accounts:password_change"),
        {
            "old_password": old,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )


def test_the_eleventh_guess_of_the_old_password_is_refused_even_when_right(
    client, official
):
    client.force_login(official)
    for guess in range(10):
        response = change_password(client, f"guess-{guess}")
        assert "Ditt gamla lösenord" in response.content.decode()

    response = change_password(client, TEST_PASSWORD)

    assert response.status_code == 200
    assert "För många felaktiga försök" in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(TEST_PASSWORD)


def test_fewer_wrong_guesses_leave_the_password_change_open(client, official):
    client.force_login(official)
    for guess in range(9):
        change_password(client, f"guess-{guess}")

    response = change_password(client, TEST_PASSWORD)

    assert response["Location"] == reverse("accounts:password_change_done")
    official.refresh_from_db()
    assert official.check_password(NEW_PASSWORD)
