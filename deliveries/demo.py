"""Demo home deliveries: Pers Livs logs each one, ICA Lundins a total per month.
Household codes only; the costs are invented."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Role
from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.services import delivery_save, monthly_total_save

# Home deliveries since the agreement began: outlet -> (years before this year,
# single deliveries logged or totals per month).
DEMO_DELIVERIES = {"Pers Livs": (1, "single"), "ICA Lundins": (2, "monthly")}


def seed_deliveries(outlets, users):
    """Home deliveries since each agreement began: Pers Livs logs each one, ICA
    Lundins reports a total per month. Household codes only; the costs are
    invented. The other outlets do not deliver."""
    today = timezone.localdate()
    for name, (years_ago, kind) in DEMO_DELIVERIES.items():
        outlet = outlets[name]
        start = date(today.year - years_ago, 1, 1)
        if kind == "single" and not Delivery.objects.filter(outlet=outlet).exists():
            # Thursdays, one to two households a week.
            day = start + timedelta(days=(3 - start.weekday()) % 7)
            week = 0
            while day < today:
                for household in range(1 + (week % 3 == 0)):
                    delivery_save(
                        delivery=Delivery(
                            outlet=outlet,
                            delivered_on=day,
                            household_reference=f"H-{(week + household) % 6 + 1:03d}",
                            cost=250,
                            household_fees=20,
                        ),
                        by=users[Role.SHOP_OWNER],
                    )
                day += timedelta(days=7)
                week += 1
        if (
            kind == "monthly"
            and not MonthlyDeliveryTotal.objects.filter(outlet=outlet).exists()
        ):
            year, month, number = start.year, start.month, 0
            while (year, month) < (today.year, today.month):
                count = 14 + (number * 5) % 9
                monthly_total_save(
                    total=MonthlyDeliveryTotal(
                        outlet=outlet,
                        year=year,
                        month=month,
                        delivery_count=count,
                        cost=count * 160,
                        household_fees=count * 10,
                    ),
                    by=users[Role.OFFICIAL],
                )
                year, month, number = year + month // 12, month % 12 + 1, number + 1


def logged_deliveries(outlet, start, end):
    """The home deliveries the log holds for the outlet from `start` to `end` (whole
    months of totals), or None when it holds none: what the owner reports."""
    single = Delivery.objects.filter(
        outlet=outlet, delivered_on__range=(start, end)
    ).count()
    monthly = [
        total
        for total in MonthlyDeliveryTotal.objects.filter(
            outlet=outlet, year__range=(start.year, end.year)
        )
        if start <= date(total.year, total.month, 1) <= end
    ]
    if not single and not monthly:
        return None
    return single + sum(total.delivery_count for total in monthly)
