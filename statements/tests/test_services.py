"""Saving the contacts: the service's own check, and the database's rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from accounts.tests.factories import UserFactory
from outlets.tests.factories import municipality
from statements.models import StatementSettings
from statements.services import statement_settings_save

pytestmark = pytest.mark.django_db


def test_the_service_refuses_an_administrator_of_another_municipality():
    umea_administrator = UserFactory(
        administrator=True, municipality=municipality("2480")
    )
    contacts = StatementSettings(
        municipality=municipality("2401"), programme_email="x@umea.example"
    )

    with pytest.raises(PermissionDenied):
        statement_settings_save(statement_settings=contacts, by=umea_administrator)

    assert not StatementSettings.objects.exists()


def test_the_service_refuses_an_official(official):
    contacts = StatementSettings(municipality=municipality("2401"))

    with pytest.raises(PermissionDenied):
        statement_settings_save(statement_settings=contacts, by=official)


def test_a_website_that_is_not_http_is_refused_in_the_users_language(administrator):
    contacts = StatementSettings(
        municipality=municipality("2401"), website_url="ftp://nordmaling.example/"
    )

    with pytest.raises(ValidationError) as error:
        statement_settings_save(statement_settings=contacts, by=administrator)

    assert error.value.message_dict["website_url"] == [
        "Ange webbplatsens hela adress, som börjar med https://, till exempel "
        "https://www.nordmaling.se/."
    ]


@pytest.mark.parametrize(
    "field,value",
    [
        ("accessibility_response_days", 0),
        ("accessibility_response_days", 61),
        ("website_url", "javascript:alert(1)"),
    ],
)
def test_the_database_refuses_what_the_form_would(field, value):
    with pytest.raises(IntegrityError):
        StatementSettings.objects.create(
            municipality=municipality("2401"), **{field: value}
        )


def test_one_set_of_contacts_per_municipality():
    StatementSettings.objects.create(municipality=municipality("2401"))

    with pytest.raises(IntegrityError):
        StatementSettings.objects.create(municipality=municipality("2401"))
