"""The term conventions, on the issue's worked examples."""

from datetime import date

import pytest

from agreements.terms import Term, period_end

D = date


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 1, 1), 36, D(2028, 12, 31)),
        (D(2026, 3, 15), 12, D(2027, 3, 14)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 5, 31), 3, D(2026, 8, 30)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2029, 3, 1), 12, D(2030, 2, 28)),
    ],
)
def test_a_period_runs_to_the_day_before_the_same_day_of_month(start, months, end):
    assert period_end(start, months) == end


def test_three_years_then_yearly_with_three_months_notice_and_thirty_days_lead():
    term = Term(D(2026, 1, 1), 36, 12, 3, 30)
    first = term.period_on(D(2026, 6, 1))
    assert first.ends_on == D(2028, 12, 31)
    assert term.notice_deadline(first) == D(2028, 9, 30)
    assert term.decision_date(first) == D(2028, 8, 31)
    assert term.end_after_notice(D(2028, 9, 30)) == D(2028, 12, 31)


def test_notice_a_day_after_the_deadline_ends_the_agreement_after_the_next_extension():
    term = Term(D(2026, 1, 1), 36, 12, 3, 30)
    assert term.end_after_notice(D(2028, 10, 1)) == D(2029, 12, 31)


def test_a_year_from_mid_march_with_one_month_notice_and_no_lead_time():
    term = Term(D(2026, 3, 15), 12, 12, 1, 0)
    first = term.period_on(D(2026, 3, 15))
    assert first.ends_on == D(2027, 3, 14)
    assert term.notice_deadline(first) == D(2027, 2, 14)
    assert term.decision_date(first) == D(2027, 2, 14)
    assert term.end_after_notice(D(2027, 2, 15)) == D(2028, 3, 14)


def test_a_leap_day_start_ends_last_of_february_with_notice_by_last_of_january():
    term = Term(D(2028, 2, 29), 12, 12, 1, 14)
    first = term.period_on(D(2028, 2, 29))
    assert first.ends_on == D(2029, 2, 28)
    assert term.notice_deadline(first) == D(2029, 1, 31)
    assert term.decision_date(first) == D(2029, 1, 17)
    assert term.end_after_notice(D(2029, 1, 31)) == D(2029, 2, 28)
    following = term.period_on(D(2029, 3, 1))
    assert (following.starts_on, following.ends_on) == (D(2029, 3, 1), D(2030, 2, 28))


def test_a_fixed_term_expires_without_notice():
    term = Term(D(2026, 5, 31), 3, None)
    first = term.period_on(D(2026, 6, 15))
    assert first.ends_on == D(2026, 8, 30)
    assert term.fixed_end() == D(2026, 8, 30)
    assert term.notice_deadline(first) is None
    assert term.decision_date(first) is None
    assert term.period_on(D(2026, 8, 31)) is None


def test_the_initial_term_and_the_extension_are_not_conflated():
    # Two years, then half-year extensions: the second extension ends 2029-06-30.
    term = Term(D(2027, 1, 1), 24, 6, 2, 0)
    periods = term.periods()
    assert [next(periods).ends_on for _ in range(3)] == [
        D(2028, 12, 31),
        D(2029, 6, 30),
        D(2029, 12, 31),
    ]
    assert term.end_after_notice(D(2028, 11, 1)) == D(2029, 6, 30)
