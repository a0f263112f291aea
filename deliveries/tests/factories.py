from datetime import date

import factory

from deliveries.models import Delivery, MonthlyDeliveryTotal
from outlets.tests.factories import OutletFactory


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    outlet = factory.SubFactory(OutletFactory)
    delivered_on = date(2026, 3, 10)
    household_reference = factory.Sequence(lambda n: f"H-{n % 1000:03d}")
    cost = 150


class MonthlyDeliveryTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyDeliveryTotal

    outlet = factory.SubFactory(OutletFactory)
    year = 2026
    month = 4
    delivery_count = 10
    cost = 1_500
