"""The yearly home-delivery summary in the shape of the state grant claim."""

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from deliveries.grant import GrantClaim
from deliveries.models import Delivery, MonthlyDeliveryTotal
from outlets.models import Outlet


@dataclass
class OutletClaim:
    outlet: Outlet
    claim: GrantClaim


@dataclass
class DeliverySummary:
    """Per outlet and in total: the grant is claimed on the total, so the total's
    claimable amount is computed from the summed figures, not summed per outlet."""

    year: int
    rows: list[OutletClaim] = field(default_factory=list)

    @property
    def total(self) -> GrantClaim:
        return sum((row.claim for row in self.rows), GrantClaim())


def delivery_summary(*, outlets, year: int) -> DeliverySummary:
    """Deliveries, costs and the grant for each of `outlets` with records in `year`."""
    claims = {}
    single = (
        Delivery.objects.filter(outlet__in=outlets, delivered_on__year=year)
        .values("outlet")
        .annotate(count=Count("pk"), cost=Sum("cost"), fees=Sum("household_fees"))
    )
    totals = (
        MonthlyDeliveryTotal.objects.filter(outlet__in=outlets, year=year)
        .values("outlet")
        .annotate(
            count=Sum("delivery_count"), cost=Sum("cost"), fees=Sum("household_fees")
        )
    )
    for row in [*single, *totals]:
        claims[row["outlet"]] = claims.get(row["outlet"], GrantClaim()) + GrantClaim(
            deliveries=row["count"], gross_cost=row["cost"], household_fees=row["fees"]
        )
    outlets_by_id = Outlet.objects.select_related("locality").in_bulk(claims)
    rows = sorted(
        (OutletClaim(outlets_by_id[pk], claim) for pk, claim in claims.items()),
        key=lambda row: row.outlet.name,
    )
    return DeliverySummary(year=year, rows=rows)


def summary_columns():
    """The claim's columns, in the active language."""
    return [
        _("Outlet"),
        _("Deliveries"),
        _("Gross cost (kr)"),
        _("Paid by households (kr)"),
        _("Net cost (kr)"),
        _("Half of net cost (kr)"),
        _("Cap: 100 kr per delivery (kr)"),
        _("Claimable grant (kr)"),
    ]


def summary_table(summary: DeliverySummary):
    """The summary as rows of plain values, the total last. The grant is claimed
    on the total only, so the outlets' rows leave its columns empty: amounts per
    outlet would not add up to it."""

    def values(label, claim, *, with_grant):
        grant = (
            [claim.cost_share, claim.delivery_cap, claim.claimable]
            if with_grant
            else [None, None, None]
        )
        return [
            label,
            claim.deliveries,
            claim.gross_cost,
            claim.household_fees,
            claim.net_cost,
            *grant,
        ]

    rows = [
        values(row.outlet.name, row.claim, with_grant=False) for row in summary.rows
    ]
    rows.append(values(_("Total"), summary.total, with_grant=True))
    return rows
