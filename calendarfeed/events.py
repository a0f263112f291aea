"""What a person's calendar feed holds: the deadlines of the records they see.

- a decision date (the municipality's own last day to decide, ahead of the notice
  deadline) and a notice deadline for each period of an agreement tacitly extended,
  while the agreement runs (not for the shop owner: the decision is the
  municipality's); none for the period that ends the agreement, once its end is
  known (notice given, an early end, a fixed term): nothing is left to decide;
- the day an agreement ends, once known, unless a signed renewal takes over;
- the due date of each follow-up (for the shop owner: of the yearly report);
- the due date of each payout not cancelled.

Scoped as the pages are, at the time of the request: `visible_to` of agreements,
payouts and follow-ups (`recordable_by` for a shop owner). Bounded: from a year back
to two years ahead.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agreements.models import Agreement, Payout
from followup.models import FollowUp

DAYS_BACK = 365
DAYS_AHEAD = 2 * 365


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event; `key` is stable for the same deadline across fetches, so
    that a calendar app updates the event rather than adding another."""

    key: str
    on: date
    summary: str
    description: str
    path: str


def feed_window(today: date) -> tuple[date, date]:
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def feed_events(*, user, today: date) -> list[FeedEvent]:
    """The user's deadlines in the window around `today`, by date."""
    since, until = feed_window(today)
    events = [
        *_term_events(user, since, until),
        *_followup_events(user, since, until),
        *_payout_events(user, since, until),
    ]
    return sorted(events, key=lambda event: (event.on, event.key))


def _names(agreement):
    return {"outlet": agreement.outlet.name, "agreement": agreement.reference}


def _term_events(user, since, until):
    agreements = (
        Agreement.objects.visible_to(user)
        .signed()
        .filter(starts_on__lte=until)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since))
        .annotate(
            replaced=Exists(Agreement.objects.signed().filter(replaces=OuterRef("pk")))
        )
        .select_related("outlet")
        .prefetch_related("versions")
    )
    with_decisions = not user.is_shop_owner
    for agreement in agreements:
        term = agreement.first_version().term
        names = _names(agreement)
        path = agreement.get_absolute_url()
        ends_on = agreement.ends_on
        if ends_on and not agreement.replaced and since <= ends_on <= until:
            yield _end_event(agreement, term, names, path)
        if term.is_fixed:
            continue
        for period in term.periods():
            # Once the end is known (notice, an early end), the period that ends
            # the agreement, or that it ends within, has nothing left to decide
            # or give notice of; nor has any later one.
            if agreement.ends_on and period.ends_on >= agreement.ends_on:
                break
            deadline = term.notice_deadline(period)
            decision = term.decision_date(period)
            if decision > until:
                break
            period_names = names | {
                "deadline": deadline.isoformat(),
                "end": period.ends_on.isoformat(),
            }
            if with_decisions and since <= decision <= until:
                yield FeedEvent(
                    f"decision-{agreement.pk}-{period.number}",
                    decision,
                    _("Decision date: %(outlet)s (%(agreement)s)") % period_names,
                    _(
                        "The municipality's last day to decide whether to go on "
                        "with the agreement, ahead of the notice deadline on "
                        "%(deadline)s."
                    )
                    % period_names,
                    path,
                )
            if since <= deadline <= until:
                yield FeedEvent(
                    f"notice-{agreement.pk}-{period.number}",
                    deadline,
                    _("Last day to give notice: %(outlet)s (%(agreement)s)")
                    % period_names,
                    _(
                        "Notice given by this day ends the agreement on %(end)s; "
                        "without it the agreement is extended."
                    )
                    % period_names,
                    path,
                )


def _end_event(agreement, term, names, path):
    """The agreement's last day: the service point closes unless another agreement
    is made (a signed renewal, which gets no such event, takes over)."""
    if agreement.notice_given_on:
        description = _(
            "Notice was given on %(date)s: the agreement is not extended and ends "
            "with this day."
        ) % {"date": agreement.notice_given_on.isoformat()}
    elif term.is_fixed and agreement.ends_on == term.fixed_end():
        description = _("The fixed term ends with this day; it is not extended.")
    else:
        description = _("The agreement ends early, with this day.")
    return FeedEvent(
        f"end-{agreement.pk}",
        agreement.ends_on,
        _("Agreement ends: %(outlet)s (%(agreement)s)") % names,
        description,
        path,
    )


def _followup_events(user, since, until):
    if user.is_shop_owner:
        followups, url_name = FollowUp.objects.recordable_by(user), "followup:report"
        summary = _("Yearly report due: %(outlet)s, agreement year %(year)s")
    else:
        followups = FollowUp.objects.visible_to(user)
        url_name = "followup:followup_detail"
        summary = _(
            "Follow-up due: %(outlet)s (%(agreement)s), agreement year %(year)s"
        )
    followups = followups.filter(due_on__range=(since, until)).select_related(
        "agreement__outlet"
    )
    for followup in followups:
        names = _names(followup.agreement) | {"year": followup.agreement_year}
        if followup.completed_at:
            description = _("The follow-up was completed on %(date)s.") % {
                "date": followup.completed_at.date().isoformat()
            }
        else:
            description = _("The follow-up of %(start)s–%(end)s is not complete.") % {
                "start": followup.period_start.isoformat(),
                "end": followup.period_end.isoformat(),
            }
        yield FeedEvent(
            f"followup-{followup.pk}",
            followup.due_on,
            summary % names,
            description,
            reverse(url_name, kwargs={"pk": followup.pk}),
        )


def _payout_events(user, since, until):
    payouts = (
        Payout.objects.visible_to(user)
        .exclude(status=Payout.Status.CANCELLED)
        .filter(due_on__range=(since, until))
        .select_related("agreement__outlet")
    )
    for payout in payouts:
        names = _names(payout.agreement) | {
            "amount": number_format(payout.amount, decimal_pos=0, force_grouping=True),
            "status": payout.get_status_display(),
            "start": payout.period_start.isoformat(),
            "end": payout.period_end.isoformat(),
        }
        yield FeedEvent(
            f"payout-{payout.pk}",
            payout.due_on,
            _("Payout due: %(outlet)s (%(agreement)s), %(amount)s kr") % names,
            _("%(status)s. The payout for %(start)s–%(end)s, excl. VAT.") % names,
            payout.agreement.get_absolute_url(),
        )
