"""Agreement term arithmetic: periods, notice deadlines and end dates.

Conventions (the agreement's own wording):

- A period of N months from day S runs to and including the day before the same
  day-of-month N months later; where that day does not exist, to the last day of the
  shorter month (2028-02-29 + 12 months runs to 2029-02-28).
- The initial term is one period; after it, a tacitly extended agreement runs on in
  periods of the extension length, each starting the day after the previous one ends.
- Notice of M months must be given no later than the period's last day minus M months
  (same day-of-month, clamped; if the period ends on a month's last day, the last day
  of the month M months earlier). Notice given later takes effect at the end of the
  next period.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def last_day_of_month(year, month):
    return calendar.monthrange(year, month)[1]


def is_last_day_of_month(day):
    return day.day == last_day_of_month(day.year, day.month)


def shift_months(day, months):
    """The same day-of-month `months` later (or earlier), and whether it exists."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = last_day_of_month(year, month)
    return date(year, month, min(day.day, last)), day.day <= last


def period_end(start, months):
    """The last day of a period of `months` months that starts on `start`."""
    same_day, exists = shift_months(start, months)
    return same_day - timedelta(days=1) if exists else same_day


def notice_deadline_for(period_last_day, notice_months):
    """The last day on which notice of `notice_months` reaches this period's end."""
    earlier, _exists = shift_months(period_last_day, -notice_months)
    if is_last_day_of_month(period_last_day):
        return earlier.replace(day=last_day_of_month(earlier.year, earlier.month))
    return earlier


@dataclass(frozen=True)
class Period:
    number: int  # 0 is the initial term
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Term:
    """The term of an agreement (Swedish: *avtalstid*)."""

    starts_on: date
    initial_term_months: int
    # None: a fixed term that simply ends after the initial term.
    extension_months: int | None = None
    notice_period_months: int = 0
    decision_lead_days: int = 0

    @property
    def is_fixed(self):
        return not self.extension_months

    def periods(self):
        """The initial term, then (tacitly extended) the extension periods, forever."""
        starts_on = self.starts_on
        ends_on = period_end(starts_on, self.initial_term_months)
        number = 0
        while True:
            yield Period(number, starts_on, ends_on)
            if self.is_fixed:
                return
            starts_on = ends_on + timedelta(days=1)
            ends_on = period_end(starts_on, self.extension_months)
            number += 1

    def period_on(self, day):
        """The period that `day` falls in (the first one before the start)."""
        for period in self.periods():
            if day <= period.ends_on:
                return period
        return None  # after the end of a fixed term

    def notice_deadline(self, period):
        """The last day to give notice so that the agreement ends with `period`."""
        if self.is_fixed:
            return None
        return notice_deadline_for(period.ends_on, self.notice_period_months)

    def decision_date(self, period):
        """The municipality's own last day to decide, ahead of the notice deadline."""
        deadline = self.notice_deadline(period)
        if deadline is None:
            return None
        return deadline - timedelta(days=self.decision_lead_days)

    def end_after_notice(self, given_on):
        """The last day of the agreement when notice is given on `given_on`."""
        for period in self.periods():
            deadline = self.notice_deadline(period)
            if deadline is None or given_on <= deadline:
                return period.ends_on
        raise AssertionError("unreachable: periods of an extended term never run out")

    def fixed_end(self):
        """The last day of a fixed term; None for a tacitly extended one."""
        if not self.is_fixed:
            return None
        return period_end(self.starts_on, self.initial_term_months)
