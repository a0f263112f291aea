import datetime

import pytest
from django.core.exceptions import ValidationError

from outlets.models import County, Municipality, Outlet
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


def test_a_bare_migrate_knows_all_290_municipalities_and_21_counties():
    assert Municipality.objects.count() == 290
    assert County.objects.count() == 21
    nordmaling = Municipality.objects.select_related("county").get(code="2401")
    assert nordmaling.name == "Nordmaling"
    assert (nordmaling.county.code, nordmaling.county.name) == (
        "24",
        "Västerbottens län",
    )
    assert str(nordmaling) == "Nordmalings kommun"
    assert str(municipality("2480")) == "Umeå kommun"


def test_closed_outlet_without_closing_date_is_refused_with_a_message():
    outlet = OutletFactory.build(status=Outlet.Status.CLOSED, closed_on=None)
    outlet.municipality.save()
    with pytest.raises(ValidationError) as error:
        outlet.full_clean(exclude=["locality"])
    assert "datum" in str(error.value)


def test_closed_outlet_with_its_closing_date_is_kept():
    outlet = OutletFactory(
        status=Outlet.Status.CLOSED, closed_on=datetime.date(2025, 6, 30)
    )
    assert Outlet.objects.open().filter(pk=outlet.pk).exists() is False
