"""The home deliveries' panel on an outlet's page: this year's deliveries."""

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from deliveries.models import Delivery, MonthlyDeliveryTotal
from outlets.panels import OutletPanel

ORDER = 30


def deliveries_outlet_panel(sender, outlet, user, **kwargs):
    """Read through the records' own scope (municipality, county, the outlet's
    owner); an outlet that never had a home delivery gets no panel."""
    year = timezone.localdate().year
    this_year = Q(delivered_on__year=year)
    single = (
        Delivery.objects.visible_to(user)
        .filter(outlet=outlet)
        .aggregate(
            count=Count("pk", filter=this_year),
            cost=Sum("cost", filter=this_year),
            fees=Sum("household_fees", filter=this_year),
            last=Max("delivered_on"),
            ever=Count("pk"),
        )
    )
    in_year = Q(year=year)
    monthly = (
        MonthlyDeliveryTotal.objects.visible_to(user)
        .filter(outlet=outlet)
        .aggregate(
            count=Sum("delivery_count", filter=in_year),
            cost=Sum("cost", filter=in_year),
            fees=Sum("household_fees", filter=in_year),
            ever=Count("pk"),
        )
    )
    if not single["ever"] and not monthly["ever"]:
        return None
    cost = (single["cost"] or 0) + (monthly["cost"] or 0)
    fees = (single["fees"] or 0) + (monthly["fees"] or 0)
    return OutletPanel(
        template_name="deliveries/_outlet_panel.html",
        order=ORDER,
        context={
            "outlet": outlet,
            "year": year,
            "count": single["count"] + (monthly["count"] or 0),
            "cost": cost,
            "net_cost": cost - fees,
            "last": single["last"],
        },
    )
