"""The database holds the rules even for writes that skip validation."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.tests.factories import MonthlyDeliveryTotalFactory
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def refused(model, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)
    return True


def test_database_refuses_a_name_or_personal_identity_number_as_household():
    outlet = OutletFactory()
    day = date(2026, 3, 1)
    for reference in ("Anna Svensson", "450312-1234", "h-017", ""):
        assert refused(
            Delivery,
            outlet=outlet,
            delivered_on=day,
            household_reference=reference,
            cost=100,
        )


def test_database_refuses_zero_cost_and_fees_above_the_cost():
    outlet = OutletFactory()
    common = {"outlet": outlet, "delivered_on": date(2026, 3, 1)}
    assert refused(Delivery, household_reference="H-1", cost=0, **common)
    assert refused(
        Delivery, household_reference="H-1", cost=100, household_fees=101, **common
    )


def test_database_refuses_month_13_no_deliveries_and_a_second_total_for_a_month():
    total = MonthlyDeliveryTotalFactory(year=2026, month=4)
    common = {"outlet": total.outlet, "year": 2026, "cost": 1_000}
    assert refused(MonthlyDeliveryTotal, month=13, delivery_count=5, **common)
    assert refused(MonthlyDeliveryTotal, month=5, delivery_count=0, **common)
    assert refused(MonthlyDeliveryTotal, month=4, delivery_count=5, **common)


def test_changes_are_tracked_in_the_audit_history():
    total = MonthlyDeliveryTotalFactory(cost=1_000)
    total.cost = 1_200
    total.save()

    assert list(total.events.values_list("cost", flat=True).order_by("pgh_id")) == [
        1_000,
        1_200,
    ]
