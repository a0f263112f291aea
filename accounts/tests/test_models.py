import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from outlets.tests.factories import county, municipality

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case():
    UserFactory(email="anna@nordmaling.example")
    with pytest.raises(IntegrityError):
        UserFactory(email="Anna@Nordmaling.example")


def test_official_without_municipality_is_refused_with_a_message():
    user = User(email="x@kommun.example", full_name="X", role=Role.OFFICIAL)
    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])
    (problem,) = error.value.error_dict["__all__"]
    assert problem.code == "role_scope"
    assert "kommun" in problem.messages[0]


def test_database_refuses_a_regional_viewer_tied_to_a_municipality():
    with pytest.raises(IntegrityError):
        User.objects.bulk_create(
            [
                User(
                    email="r@region.example",
                    full_name="R",
                    role=Role.REGIONAL_VIEWER,
                    county=county("24"),
                    municipality=municipality("2401"),
                )
            ]
        )


def test_create_superuser_makes_the_system_owner_outside_any_municipality():
    user = User.objects.create_superuser(
        "Owner@Servicepunkter.example", "a-long-password", full_name="Ägare"
    )
    assert user.role == Role.SYSTEM_OWNER
    assert user.is_superuser and user.is_staff
    assert user.municipality is None
    assert user.email == "owner@servicepunkter.example"


def test_only_the_system_owner_counts_as_staff_for_the_django_admin():
    assert not UserFactory(administrator=True).is_staff
    assert UserFactory(system_owner=True).is_staff
