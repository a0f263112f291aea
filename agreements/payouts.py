"""The payout schedule an agreement's terms produce.

Rounding rule (stated on the agreement page and in the document): each instalment of
a full agreement year is the annual compensation divided by the number of instalments,
rounded down to whole kronor, and the year's last instalment takes the remainder, so a
year's payouts add up exactly to the annual compensation. A part period (an agreement
that ends inside an instalment's period) is paid pro rata by days, rounded down. VAT
is computed per payout and rounded to the nearest krona.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from agreements.terms import period_end


@dataclass(frozen=True)
class PlannedPayout:
    agreement_year: int
    period_start: date
    period_end: date
    due_on: date
    amount: int
    vat_amount: int
    # The agreement year whose follow-up and/or yearly report the payout waits for.
    condition_year: int | None
    requires_followup: bool = False
    requires_report: bool = False


def agreement_years(starts_on, until):
    """(number, first day, last day) of each agreement year that begins by `until`."""
    number, year_start = 1, starts_on
    while year_start <= until:
        year_end = period_end(year_start, 12)
        yield number, year_start, year_end
        number, year_start = number + 1, year_end + timedelta(days=1)


def agreement_year_dates(starts_on, number):
    """The first and last day of agreement year `number` (1 for the first)."""
    year_start = starts_on
    for _ in range(number - 1):
        year_start = period_end(year_start, 12) + timedelta(days=1)
    return year_start, period_end(year_start, 12)


def condition_year_for(agreement_year, *, previous_year):
    """The agreement year whose follow-up or report a payout of `agreement_year`
    waits for: the previous one (none for the first year's payouts), or its own."""
    if previous_year:
        return agreement_year - 1 or None
    return agreement_year


def payout_schedule(
    *,
    starts_on,
    until,
    annual_compensation,
    vat_rate_percent,
    frequency_months,
    in_advance,
    payment_days,
    requires_followup,
    requires_report=False,
    condition_previous_year=True,
):
    """The payouts from `starts_on` through `until` (the agreement's last day).

    A payout with a condition waits for the follow-up or report of the agreement
    year before the one it covers (`condition_previous_year`, always when paid in
    advance), or else of the year it covers.
    """
    count = 12 // frequency_months
    base = annual_compensation // count
    payouts = []
    for year, year_start, _year_end in agreement_years(starts_on, until):
        for index in range(count):
            # Instalments follow the period convention from the year's first day.
            start = year_start
            if index:
                start = period_end(year_start, index * frequency_months)
                start += timedelta(days=1)
            end = period_end(year_start, (index + 1) * frequency_months)
            if start > until:
                break
            full = (
                base if index < count - 1 else annual_compensation - base * (count - 1)
            )
            amount = full
            if end > until:
                covered = (until - start).days + 1
                amount = full * covered // ((end - start).days + 1)
                end = until
            if amount <= 0:
                continue
            due_from = start if in_advance else end + timedelta(days=1)
            condition_year = None
            if requires_followup or requires_report:
                condition_year = condition_year_for(
                    year, previous_year=condition_previous_year or in_advance
                )
            payouts.append(
                PlannedPayout(
                    agreement_year=year,
                    period_start=start,
                    period_end=end,
                    due_on=due_from + timedelta(days=payment_days),
                    amount=amount,
                    vat_amount=round(amount * vat_rate_percent / 100),
                    condition_year=condition_year,
                    requires_followup=bool(condition_year and requires_followup),
                    requires_report=bool(condition_year and requires_report),
                )
            )
    return payouts
