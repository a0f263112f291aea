"""Sessions end when idle, when too old, and elsewhere at a password change
(issue 13)."""

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from accounts.tests.factories import TEST_PASSWORD
from accounts.tests.two_factor import Client

pytestmark = pytest.mark.django_db

PAGE = "/accounts/profile/"


def move_clock(client, key, *, seconds_back):
    """Makes the session look as if `key` happened that long ago."""
    session = client.session
    session[key] -= seconds_back
    session.save()


def sent_to_sign_in(response):
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, official):
    client.force_login(official)
    move_clock(client, LAST_SEEN_AT, seconds_back=30 * 60 + 1)

    response = client.get(PAGE, follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert (
        "Du loggades ut efter 30 minuter utan aktivitet." in response.content.decode()
    )
    assert sent_to_sign_in(client.get(PAGE))
    # Said once.
    assert (
        "Du loggades ut" not in client.get(reverse("accounts:login")).content.decode()
    )


def test_a_session_used_within_thirty_minutes_stays(client, official):
    client.force_login(official)
    move_clock(client, LAST_SEEN_AT, seconds_back=29 * 60)
    assert client.get(PAGE).status_code == 200
    # The page load counted as activity: the idle time starts again.
    move_clock(client, LAST_SEEN_AT, seconds_back=29 * 60)
    assert client.get(PAGE).status_code == 200


def test_a_shop_owner_has_the_same_idle_limit(client, shop_owner):
    client.force_login(shop_owner)
    move_clock(client, LAST_SEEN_AT, seconds_back=30 * 60 + 1)
    assert sent_to_sign_in(client.get(PAGE))


def test_the_idle_limit_is_configurable(client, official, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(official)
    move_clock(client, LAST_SEEN_AT, seconds_back=5 * 60 + 1)
    assert sent_to_sign_in(client.get(PAGE))


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, official):
    client.force_login(official)
    move_clock(client, SIGNED_IN_AT, seconds_back=12 * 60 * 60 + 1)

    response = client.get(PAGE, follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Du loggades ut 12 timmar efter inloggningen." in response.content.decode()


def test_a_session_eleven_hours_old_and_active_stays(client, official):
    client.force_login(official)
    move_clock(client, SIGNED_IN_AT, seconds_back=11 * 60 * 60)
    assert client.get(PAGE).status_code == 200


def test_signing_in_again_after_the_idle_limit_works(client, official):
    client.force_login(official)
    move_clock(client, LAST_SEEN_AT, seconds_back=31 * 60)
    assert sent_to_sign_in(client.get(PAGE))

    client.post(
        reverse("accounts:login"),
        {"username": official.email, "password": TEST_PASSWORD},
    )
    assert client.get(PAGE).status_code == 200


def test_a_password_change_ends_the_users_other_sessions_but_not_this_one(official):
    here, elsewhere = Client(), Client()
    here.force_login(official)
    elsewhere.force_login(official)
    assert elsewhere.get(PAGE).status_code == 200
    new_password = "korsord tallbarr cykelpump"

    response = here.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )

    assert response["Location"] == reverse("accounts:password_change_done")
    assert here.get(PAGE).status_code == 200
    assert sent_to_sign_in(elsewhere.get(PAGE))
