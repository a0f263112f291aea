from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.services import delivery_save, monthly_total_save
from deliveries.tests.factories import DeliveryFactory
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def test_regional_viewer_records_nothing(regional_viewer, own_outlet):
    with pytest.raises(PermissionDenied):
        delivery_save(
            delivery=Delivery(
                outlet=own_outlet,
                delivered_on=date(2026, 3, 1),
                household_reference="H-1",
                cost=100,
            ),
            by=regional_viewer,
        )
    assert Delivery.objects.count() == 0


def test_shop_owner_cannot_move_another_outlets_delivery_to_their_own(
    shop_owner, own_outlet
):
    delivery = DeliveryFactory(outlet=OutletFactory(name="Handlarn Rundvik"))
    delivery.outlet = own_outlet

    with pytest.raises(PermissionDenied):
        delivery_save(delivery=delivery, by=shop_owner)

    delivery.refresh_from_db()
    assert delivery.outlet != own_outlet


def test_month_with_single_deliveries_takes_no_monthly_total(official, own_outlet):
    DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 3, 31))

    with pytest.raises(ValidationError) as raised:
        monthly_total_save(
            total=MonthlyDeliveryTotal(
                outlet=own_outlet, year=2026, month=3, delivery_count=4, cost=600
            ),
            by=official,
        )

    assert raised.value.message_dict["month"][0].startswith(
        "Försäljningsstället har enskilda hemsändningar loggade den här månaden"
    )
    assert MonthlyDeliveryTotal.objects.count() == 0
