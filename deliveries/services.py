"""Recording home deliveries: single deliveries and monthly totals."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.permissions import can_record_deliveries_for
from outlets.models import Outlet


def _check_recorder(by, outlet, instance):
    """The user may record for the outlet and, for a change, the stored record.

    Locks the outlet's row, so that a single delivery and a monthly total for the
    same month cannot slip in side by side.
    """
    if not can_record_deliveries_for(by, outlet):
        raise PermissionDenied
    if instance.pk is not None:
        stored = type(instance).objects.editable_by(by).filter(pk=instance.pk)
        if not stored.exists():
            raise PermissionDenied
    Outlet.objects.select_for_update().filter(pk=outlet.pk).first()


@transaction.atomic
def delivery_save(*, delivery: Delivery, by) -> Delivery:
    """Log or correct one home delivery (Swedish: *hemsändning*)."""
    _check_recorder(by, delivery.outlet, delivery)
    delivery.full_clean()
    # The month's deliveries are either logged one by one or given as a total;
    # both would count them twice in the grant claim.
    if MonthlyDeliveryTotal.objects.filter(
        outlet=delivery.outlet,
        year=delivery.delivered_on.year,
        month=delivery.delivered_on.month,
    ).exists():
        raise ValidationError(
            {
                "delivered_on": ValidationError(
                    _(
                        "The outlet has a monthly total for this month already: "
                        "add the delivery to that total instead."
                    ),
                    code="month_has_total",
                )
            }
        )
    delivery.save()
    return delivery


@transaction.atomic
def monthly_total_save(*, total: MonthlyDeliveryTotal, by) -> MonthlyDeliveryTotal:
    """Record or correct an outlet's home deliveries of a month in one sum."""
    _check_recorder(by, total.outlet, total)
    total.full_clean()
    if Delivery.objects.filter(
        outlet=total.outlet,
        delivered_on__year=total.year,
        delivered_on__month=total.month,
    ).exists():
        raise ValidationError(
            {
                "month": ValidationError(
                    _(
                        "The outlet has single deliveries logged in this month: "
                        "a total as well would count them twice."
                    ),
                    code="month_has_deliveries",
                )
            }
        )
    total.save()
    return total
