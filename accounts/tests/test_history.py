"""A user's history in the Django admin: who changed their role, municipality,
outlets or active status and when; never their password."""

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from pghistory.models import Context, Event

from accounts.models import Role, UserEvent
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import Client
from outlets.tests.factories import OutletFactory
from outlets.tests.history import history_rows, recorded_an_hour_ago, when

pytestmark = pytest.mark.django_db


def admin_form(user, **changes):
    """The admin's change form of the user as posted unchanged, changed as told."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "municipality": user.municipality_id or "",
        "county": user.county_id or "",
        "outlets": [outlet.pk for outlet in user.outlets.all()],
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return data


def change_page(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_a_role_changed_in_the_admin_shows_in_the_users_history_with_who_and_when(
    client, system_owner
):
    official = UserFactory(full_name="Olle Handläggare")
    recorded_an_hour_ago()
    client.force_login(system_owner)

    response = client.post(
        change_page(official), admin_form(official, role=Role.ADMINISTRATOR)
    )

    assert response.status_code == 302
    change = UserEvent.objects.get(pgh_label="update")
    creation = UserEvent.objects.get(pgh_obj=official, pgh_label="insert")
    assert history_rows(client.get(change_page(official))) == [
        (
            when(change),
            system_owner.full_name,
            "Användare ändrades: roll Handläggare → Administratör",
        ),
        (when(creation), "Systemet", "Användare skapades"),
    ]


def test_outlets_given_to_a_shop_owner_in_the_admin_show_in_their_history(
    client, system_owner
):
    owner = UserFactory(shop_owner=True)
    recorded_an_hour_ago()
    client.force_login(system_owner)

    client.post(change_page(owner), admin_form(owner, outlets=[OutletFactory().pk]))

    assert history_rows(client.get(change_page(owner)))[0][1:] == (
        system_owner.full_name,
        "Användare ändrades: försäljningsställen som drivs",
    )


def event_tables():
    return [model for model in apps.get_models() if issubclass(model, Event)]


def test_the_password_hash_and_sign_ins_never_reach_the_history(client, official):
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, UserEvent._meta.db_table
            )
        }
    before = UserEvent.objects.count()

    client.force_login(official)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "ett-nytt-lösenord-2026",
            "new_password2": "ett-nytt-lösenord-2026",
        },
    )
    client.logout()
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": official.email, "password": "ett-nytt-lösenord-2026"},
    )

    assert signed_in.status_code == 302
    official.refresh_from_db()
    assert official.check_password("ett-nytt-lösenord-2026")
    assert official.last_login is not None
    assert {"password", "last_login"}.isdisjoint(columns)
    assert {"email", "full_name", "role", "municipality_id"} <= columns
    # Neither the password change nor the sign-in made an event.
    assert UserEvent.objects.count() == before
    rows = [row for model in event_tables() for row in model.objects.values()]
    rows += list(Context.objects.values())
    assert rows
    salt_and_hash = official.password.split("$", 2)[-1]
    assert not [row for row in rows if salt_and_hash in repr(row)]


def test_a_user_deactivated_in_the_admin_is_signed_out_and_stays_out_when_reactivated(
    client, system_owner, official
):
    colleague = Client()
    colleague.force_login(official)
    assert colleague.get("/").status_code == 200
    client.force_login(system_owner)

    client.post(change_page(official), admin_form(official, is_active=""))
    official.refresh_from_db()
    client.post(change_page(official), admin_form(official, is_active="on"))

    official.refresh_from_db()
    assert official.is_active
    assert colleague.get("/")["Location"].startswith(reverse("accounts:login"))
