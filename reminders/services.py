"""Reminders by e-mail (Swedish: *påminnelser*), sent by `send_reminders` each day.

Events and who hears of them:

- a yearly report due within 14 days, and again once overdue, while the owner has not
  sent it (no report, a draft, or one sent back): the outlet's active shop owners;
- a follow-up due within 14 days, and again once overdue: the municipality's active
  officials and administrators;
- a decision date or a notice deadline of an agreement in force within 30 days (the
  term arithmetic of `agreements.selectors.deadlines`): the same staff;
- a planned payout whose condition holds, due within 14 days or overdue, so waiting
  for approval: the same staff;
- an action agreed in the annual dialogue, open past its due date: the one
  responsible. The shop's: the outlet's active shop owners. The municipality's: the
  official who recorded it, else the one who drafted the agreement, while they are
  active staff of the municipality; else (and for a shop without an account) the
  municipality's active officials and administrators.

Grouping: one e-mail per recipient per event, in Swedish, with a link to the page
where the person acts. Each is sent once per event (kind, object, the event's date,
recipient) however often the command runs: a `SentReminder` row is written in the
same transaction as the send, so a failed send is rolled back and tried again on the
next run. A crash between the send and the commit may send one twice; never none.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from agreements.models import Agreement, Payout
from agreements.selectors import deadlines
from followup.models import AgreedAction, FollowUp, OwnerReport
from reminders.models import SentReminder

logger = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 14
DEADLINE_WITHIN_DAYS = 30

Kind = SentReminder.Kind


@dataclass(frozen=True)
class Event:
    """Something one or more people are to be reminded of, once."""

    kind: str
    object_id: int
    on: date
    recipients: tuple
    subject: str
    message: str
    path: str


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def site_link(path: str) -> str:
    """The absolute address of a page, or the path when no SITE_URL is set."""
    base = getattr(settings, "SITE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


class _Recipients:
    """Active people to remind, looked up once per outlet or municipality."""

    def __init__(self):
        self._owners, self._staff = {}, {}

    def owners(self, outlet_id):
        if outlet_id not in self._owners:
            self._owners[outlet_id] = tuple(
                User.objects.shop_owners()
                .filter(is_active=True, outlets=outlet_id)
                .order_by("pk")
            )
        return self._owners[outlet_id]

    def official(self, user, municipality_id):
        """The user, if they are active staff of the municipality."""
        if (
            user is not None
            and user.is_active
            and user.is_municipal_staff
            and user.municipality_id == municipality_id
        ):
            return (user,)
        return ()

    def staff(self, municipality_id):
        if municipality_id not in self._staff:
            self._staff[municipality_id] = tuple(
                User.objects.municipal_staff()
                .filter(is_active=True, municipality_id=municipality_id)
                .order_by("pk")
            )
        return self._staff[municipality_id]


def _followup_events(today, people):
    followups = (
        FollowUp.objects.open()
        .filter(due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS))
        .select_related("agreement__outlet", "report")
    )
    for followup in followups:
        agreement = followup.agreement
        names = {
            "outlet": agreement.outlet.name,
            "agreement": agreement.reference,
            "year": followup.agreement_year,
            "date": followup.due_on.isoformat(),
        }
        overdue = followup.due_on < today
        report = getattr(followup, "report", None)
        if report is None or report.status in (
            OwnerReport.Status.DRAFT,
            OwnerReport.Status.RETURNED,
        ):
            yield _report_event(followup, names, overdue, people)
        yield _followup_event(followup, names, overdue, people)


def _report_event(followup, names, overdue, people):
    """The owners' reminder of a yearly report not yet sent."""
    if overdue:
        subject = _("The yearly report for %(outlet)s is overdue") % names
        message = _(
            "The yearly report for %(outlet)s (agreement year %(year)s) was "
            "due on %(date)s and has not been sent. Please fill it in and "
            "send it as soon as you can."
        )
    else:
        subject = _("The yearly report for %(outlet)s is due on %(date)s")
        subject %= names
        message = _(
            "The yearly report for %(outlet)s (agreement year %(year)s) is "
            "due on %(date)s. Fill it in and send it to the municipality."
        )
    return Event(
        Kind.REPORT_OVERDUE if overdue else Kind.REPORT_DUE,
        followup.pk,
        followup.due_on,
        people.owners(followup.agreement.outlet_id),
        subject,
        message % names,
        reverse("followup:report", kwargs={"pk": followup.pk}),
    )


def _followup_event(followup, names, overdue, people):
    """The staff's reminder of a follow-up not yet complete."""
    if overdue:
        subject = _("Follow-up of %(outlet)s (%(agreement)s) is overdue") % names
        message = _(
            "The follow-up of agreement year %(year)s for %(outlet)s "
            "(%(agreement)s) was due on %(date)s and is not complete."
        )
    else:
        subject = _("Follow-up of %(outlet)s (%(agreement)s) due on %(date)s")
        subject %= names
        message = _(
            "The follow-up of agreement year %(year)s for %(outlet)s "
            "(%(agreement)s) is due on %(date)s."
        )
    return Event(
        Kind.FOLLOWUP_OVERDUE if overdue else Kind.FOLLOWUP_DUE,
        followup.pk,
        followup.due_on,
        people.staff(followup.agreement.municipality_id),
        subject,
        message % names,
        followup.get_absolute_url(),
    )


def _deadline_events(today, people):
    municipality_ids = (
        Agreement.objects.in_force(today)
        .filter(notice_given_on__isnull=True)
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    for municipality_id in municipality_ids:
        found = deadlines(
            municipality=municipality_id,
            within_days=DEADLINE_WITHIN_DAYS,
            today=today,
        )
        for deadline in found:
            if deadline.kind not in (Kind.DECISION, Kind.NOTICE):
                continue
            agreement = deadline.agreement
            names = {
                "outlet": agreement.outlet.name,
                "agreement": agreement.reference,
                "date": deadline.on.isoformat(),
            }
            if deadline.kind == Kind.DECISION:
                subject = _("Decide on %(outlet)s (%(agreement)s) by %(date)s") % names
                message = _(
                    "The municipality's last day to decide whether to go on with "
                    "the agreement %(agreement)s for %(outlet)s is %(date)s, ahead "
                    "of the notice deadline."
                )
            else:
                subject = (
                    _("Notice deadline for %(outlet)s (%(agreement)s) on %(date)s")
                    % names
                )
                message = _(
                    "The last day to give notice on the agreement %(agreement)s for "
                    "%(outlet)s is %(date)s. Without notice it is extended."
                )
            yield Event(
                deadline.kind,
                agreement.pk,
                deadline.on,
                people.staff(municipality_id),
                subject,
                message % names,
                agreement.get_absolute_url(),
            )


def _payout_events(today, people):
    payouts = (
        Payout.objects.filter(
            status=Payout.Status.PLANNED,
            due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS),
        )
        .exclude(requires_followup=True, followup_complete=False)
        .exclude(requires_report=True, report_received=False)
        .select_related("agreement__outlet")
    )
    for payout in payouts:
        agreement = payout.agreement
        names = {
            "outlet": agreement.outlet.name,
            "agreement": agreement.reference,
            "date": payout.due_on.isoformat(),
            "amount": number_format(payout.amount, decimal_pos=0, force_grouping=True),
            "start": payout.period_start.isoformat(),
            "end": payout.period_end.isoformat(),
        }
        yield Event(
            Kind.PAYOUT,
            payout.pk,
            payout.due_on,
            people.staff(agreement.municipality_id),
            _("Payout to %(outlet)s (%(agreement)s) awaits approval") % names,
            _(
                "The payout of %(amount)s kr (excl. VAT) for %(start)s–%(end)s to "
                "%(outlet)s (%(agreement)s) is due on %(date)s and waits for your "
                "approval."
            )
            % names,
            agreement.get_absolute_url(),
        )


def _action_recipients(action, people):
    """The one responsible for an agreed action, as the module docstring says."""
    agreement = action.meeting.followup.agreement
    if action.party == AgreedAction.Party.SHOP:
        owners = people.owners(agreement.outlet_id)
        if owners:
            return owners, True
    municipality_id = agreement.municipality_id
    recipients = (
        people.official(action.added_by, municipality_id)
        or people.official(agreement.created_by, municipality_id)
        or people.staff(municipality_id)
    )
    return recipients, False


def _action_events(today, people):
    actions = AgreedAction.objects.overdue(today).select_related(
        "meeting__followup__agreement__outlet",
        "meeting__followup__agreement__created_by",
        "added_by",
    )
    for action in actions:
        followup = action.meeting.followup
        recipients, to_owners = _action_recipients(action, people)
        names = {
            "outlet": followup.agreement.outlet.name,
            "action": action.text,
            "date": action.due_on.isoformat(),
            "held_on": action.meeting.held_on.isoformat(),
            "party": _party_in_sentence(action),
        }
        yield Event(
            Kind.ACTION_OVERDUE,
            action.pk,
            action.due_on,
            recipients,
            _("An agreed action for %(outlet)s is overdue") % names,
            _(
                "At the annual dialogue on %(held_on)s it was agreed that "
                "%(party)s would do this by %(date)s: “%(action)s”. It is not "
                "marked done. When it is done, mark it done on the page below."
            )
            % names,
            reverse("followup:portal_followup", kwargs={"pk": followup.pk})
            if to_owners
            else followup.get_absolute_url(),
        )


def _party_in_sentence(action: AgreedAction) -> str:
    """Who was to do the action, lower case for the middle of a sentence, with the
    name the dialogue gave when it says more."""
    party = (
        pgettext("who does an action, mid-sentence", "the shop")
        if action.party == AgreedAction.Party.SHOP
        else pgettext("who does an action, mid-sentence", "the municipality")
    )
    labels = {party.casefold(), str(action.get_party_display()).casefold()}
    if action.responsible and action.responsible.casefold() not in labels:
        return f"{party} ({action.responsible})"
    return party


def reminder_events(*, today: date) -> list[Event]:
    """Every event with a reminder due today, sent before or not."""
    people = _Recipients()
    return [
        *_followup_events(today, people),
        *_deadline_events(today, people),
        *_payout_events(today, people),
        *_action_events(today, people),
    ]


def _body(recipient, event):
    return "\n\n".join(
        [
            _("Hello %(name)s,") % {"name": recipient.full_name or recipient.email},
            event.message,
            site_link(event.path),
            _(
                "This is an automatic reminder from Servicepunkter, sent once for "
                "each event."
            ),
        ]
    )


def reminders_send(*, today: date | None = None) -> SendResult:
    """E-mail each reminder due today that has not gone out before; see the module
    docstring for the events, recipients and grouping."""
    today = today or timezone.localdate()
    sent = failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        events = reminder_events(today=today)
        done = set(
            SentReminder.objects.filter(
                object_id__in={event.object_id for event in events}
            ).values_list("kind", "object_id", "event_on", "recipient_id")
        )
        for event in events:
            for recipient in event.recipients:
                key = (event.kind, event.object_id, event.on, recipient.pk)
                if key in done:
                    continue
                try:
                    sent += _send_once(event, recipient)
                except Exception:
                    # Not recorded: the next run tries again.
                    failed += 1
                    logger.exception(
                        "Reminder %s of %s to user %s not sent",
                        event.kind,
                        event.object_id,
                        recipient.pk,
                    )
    return SendResult(sent=sent, failed=failed)


@transaction.atomic
def _send_once(event, recipient) -> int:
    """Record and send one reminder in one transaction; 0 if another run has."""
    _reminder, created = SentReminder.objects.get_or_create(
        kind=event.kind,
        object_id=event.object_id,
        event_on=event.on,
        recipient=recipient,
    )
    if not created:
        return 0
    send_mail(
        subject=event.subject,
        message=_body(recipient, event),
        from_email=None,
        recipient_list=[recipient.email],
        fail_silently=False,
    )
    return 1
