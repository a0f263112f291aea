"""The state home-delivery grant (Swedish: *statligt stöd till hemsändning av
dagligvaror*): what a municipality can claim for a calendar year.

The grant is at most half of the municipality's net cost (gross cost less what the
households paid) and at most 100 kr per delivery. Half of an odd number of kronor is
rounded down: the claim never asks for more than the rule allows.
"""

from dataclasses import dataclass

GRANT_SHARE_PERCENT = 50
GRANT_PER_DELIVERY = 100


@dataclass(frozen=True)
class GrantClaim:
    """Deliveries and money for one outlet, or a municipality's total, in a year."""

    deliveries: int = 0
    gross_cost: int = 0
    household_fees: int = 0

    def __add__(self, other):
        return GrantClaim(
            deliveries=self.deliveries + other.deliveries,
            gross_cost=self.gross_cost + other.gross_cost,
            household_fees=self.household_fees + other.household_fees,
        )

    @property
    def net_cost(self) -> int:
        return self.gross_cost - self.household_fees

    @property
    def cost_share(self) -> int:
        """50 % of the net cost, rounded down to whole kronor."""
        return max(self.net_cost, 0) * GRANT_SHARE_PERCENT // 100

    @property
    def delivery_cap(self) -> int:
        """100 kr for each delivery."""
        return self.deliveries * GRANT_PER_DELIVERY

    @property
    def claimable(self) -> int:
        """The grant: the lower of the cost share and the per-delivery cap."""
        return min(self.cost_share, self.delivery_cap)

    @property
    def capped_by_deliveries(self) -> bool:
        return self.delivery_cap < self.cost_share


def grant_claimable(*, gross_cost: int, household_fees: int, deliveries: int) -> int:
    """The grant in whole kronor: min(50 % of net cost rounded down, 100 kr each)."""
    return GrantClaim(
        deliveries=deliveries, gross_cost=gross_cost, household_fees=household_fees
    ).claimable
