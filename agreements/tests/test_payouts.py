from datetime import date

from agreements.payouts import payout_schedule

D = date


def schedule(**overrides):
    terms = {
        "starts_on": D(2026, 1, 1),
        "until": D(2028, 12, 31),
        "annual_compensation": 40_000,
        "vat_rate_percent": 25,
        "frequency_months": 12,
        "in_advance": False,
        "payment_days": 30,
        "requires_followup": True,
    }
    return payout_schedule(**terms | overrides)


def test_quarterly_payouts_of_a_year_add_up_exactly_to_the_annual_compensation():
    payouts = schedule(annual_compensation=40_001, frequency_months=3)
    first_year = [payout for payout in payouts if payout.agreement_year == 1]
    assert [payout.amount for payout in first_year] == [10_000, 10_000, 10_000, 10_001]
    assert sum(payout.amount for payout in first_year) == 40_001
    assert [(p.period_start, p.period_end) for p in first_year] == [
        (D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
    ]
    assert len(payouts) == 12


def test_yearly_payout_in_arrears_is_due_after_the_year_and_waits_for_the_year_before():
    payouts = schedule()
    assert [(p.due_on, p.condition_year) for p in payouts] == [
        (D(2027, 1, 31), None),
        (D(2028, 1, 31), 1),
        (D(2029, 1, 31), 2),
    ]
    assert payouts[0].vat_amount == 10_000
    assert not payouts[0].requires_followup and payouts[1].requires_followup


def test_half_yearly_payouts_in_arrears_wait_for_the_previous_years_follow_up():
    payouts = schedule(frequency_months=6)
    assert [(p.agreement_year, p.due_on, p.condition_year) for p in payouts[:4]] == [
        (1, D(2026, 7, 31), None),
        (1, D(2027, 1, 31), None),
        (2, D(2027, 7, 31), 1),
        (2, D(2028, 1, 31), 1),
    ]
    assert [p.requires_followup for p in payouts[:4]] == [False, False, True, True]


def test_under_the_old_rule_a_payout_in_arrears_waits_for_its_own_years_follow_up():
    payouts = schedule(frequency_months=6, condition_previous_year=False)
    assert [(p.due_on, p.condition_year) for p in payouts[:4]] == [
        (D(2026, 7, 31), 1),
        (D(2027, 1, 31), 1),
        (D(2027, 7, 31), 2),
        (D(2028, 1, 31), 2),
    ]


def test_payouts_in_advance_wait_for_the_previous_year_under_either_rule():
    for previous_year in (True, False):
        payouts = schedule(
            in_advance=True, frequency_months=6, condition_previous_year=previous_year
        )
        assert [p.condition_year for p in payouts[:4]] == [None, None, 1, 1]


def test_advance_payouts_wait_for_the_previous_year_and_the_first_year_for_nothing():
    payouts = schedule(in_advance=True, frequency_months=6, payment_days=0)
    assert [(p.due_on, p.condition_year) for p in payouts[:4]] == [
        (D(2026, 1, 1), None),
        (D(2026, 7, 1), None),
        (D(2027, 1, 1), 1),
        (D(2027, 7, 1), 1),
    ]


def test_a_fixed_term_of_three_months_is_paid_pro_rata_by_days():
    (payout,) = schedule(starts_on=D(2026, 5, 31), until=D(2026, 8, 30))
    assert (payout.period_start, payout.period_end) == (D(2026, 5, 31), D(2026, 8, 30))
    # 92 of the year's 365 days, rounded down.
    assert payout.amount == 40_000 * 92 // 365


def test_monthly_payouts_from_the_middle_of_a_month_follow_the_period_convention():
    payouts = schedule(
        starts_on=D(2026, 3, 15), until=D(2027, 3, 14), frequency_months=1
    )
    assert len(payouts) == 12
    assert (payouts[0].period_start, payouts[0].period_end) == (
        D(2026, 3, 15),
        D(2026, 4, 14),
    )
    assert payouts[-1].period_end == D(2027, 3, 14)
    assert sum(p.amount for p in payouts) == 40_000
