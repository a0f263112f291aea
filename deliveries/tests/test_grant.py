"""The grant claim's arithmetic: min(50 % of net cost, 100 kr per delivery)."""

from deliveries.grant import GrantClaim, grant_claimable


def test_half_the_net_cost_caps_the_grant_when_deliveries_are_cheap():
    # 40 deliveries at 150 kr, households paid 1 000 kr: net 5 000 kr, half 2 500 kr;
    # the per-delivery cap would allow 4 000 kr.
    claim = GrantClaim(deliveries=40, gross_cost=6_000, household_fees=1_000)

    assert claim.net_cost == 5_000
    assert claim.cost_share == 2_500
    assert claim.delivery_cap == 4_000
    assert claim.claimable == 2_500
    assert not claim.capped_by_deliveries


def test_100_kr_per_delivery_caps_the_grant_when_deliveries_are_dear():
    # 30 deliveries at 350 kr: net 10 500 kr, half 5 250 kr; the cap is 3 000 kr.
    claim = GrantClaim(deliveries=30, gross_cost=10_500, household_fees=0)

    assert claim.cost_share == 5_250
    assert claim.delivery_cap == 3_000
    assert claim.claimable == 3_000
    assert claim.capped_by_deliveries


def test_at_200_kr_net_per_delivery_both_limits_give_the_same_grant():
    # 25 deliveries, net 5 000 kr: half is 2 500 kr, and so is 25 × 100 kr.
    claim = GrantClaim(deliveries=25, gross_cost=5_500, household_fees=500)

    assert claim.cost_share == claim.delivery_cap == 2_500
    assert claim.claimable == 2_500
    assert not claim.capped_by_deliveries


def test_one_krona_over_the_boundary_is_rounded_down_to_the_cap():
    # Net 5 001 kr: half is 2 500.5 kr, rounded down to 2 500 kr.
    assert grant_claimable(gross_cost=5_001, household_fees=0, deliveries=25) == 2_500
    # Net 4 999 kr: half is 2 499.5 kr, rounded down to 2 499 kr, under the cap.
    assert grant_claimable(gross_cost=4_999, household_fees=0, deliveries=25) == 2_499


def test_no_deliveries_give_no_grant():
    assert grant_claimable(gross_cost=0, household_fees=0, deliveries=0) == 0
    # Costs without a single delivery (say, a standing fee) claim nothing either.
    assert grant_claimable(gross_cost=2_000, household_fees=0, deliveries=0) == 0


def test_households_paying_everything_leave_no_net_cost_and_no_grant():
    assert grant_claimable(gross_cost=3_000, household_fees=3_000, deliveries=20) == 0


def test_the_total_is_claimed_on_summed_figures_not_on_summed_outlet_grants():
    cheap = GrantClaim(deliveries=40, gross_cost=6_000)  # 3 000 by cost share
    dear = GrantClaim(deliveries=10, gross_cost=5_000)  # 1 000 by the cap

    total = cheap + dear

    assert cheap.claimable + dear.claimable == 4_000
    assert total.deliveries == 50
    assert total.net_cost == 11_000
    assert total.claimable == 5_000  # min(5 500, 5 000)
