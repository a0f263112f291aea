import datetime

import pytest
from django.utils import timezone

from agreements.models import Payout
from followup.models import AgreedAction, DialogueMeeting, FollowUp, OwnerReport
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from programme.models import ProgrammeGoals


def report(followup, visitors, status=OwnerReport.Status.ACCEPTED, **figures):
    return OwnerReport.objects.create(
        followup=followup,
        status=status,
        submitted_at=timezone.now(),
        visitors_per_week=visitors,
        visitors_counting=OwnerReport.Counting.COUNTED,
        **figures,
    )


@pytest.fixture
def year_of_records(own_outlet, official):
    """Pers Livs: 40 000 kr a year since 2025, yearly payouts in arrears; reports on
    2025 (120 visitors a week) and 2026 (130: +8.3 %). The 2025 follow-up is
    complete with two actions, one open; the 2026 one is due in 2027. The
    programme's goal for visitors is +5 % in both years."""
    for year in (2025, 2026):
        ProgrammeGoals.objects.create(
            municipality=own_outlet.municipality, year=year, visitors_change_percent=5
        )
    agreement = signed_agreement(own_outlet, requires_followup=False)
    followups_create_for(agreement=agreement, today=datetime.date(2026, 6, 1))
    first, second = FollowUp.objects.filter(agreement=agreement).order_by(
        "agreement_year"
    )
    report(first, 120, parcels_handled=800)
    report(second, 130, parcels_handled=900)
    first.completed_at, first.completed_by = timezone.now(), official
    first.assessment = "Servicepunkten fungerar väl."
    first.save()
    meeting = DialogueMeeting.objects.create(
        followup=first, held_on=datetime.date(2026, 2, 10), participants="Per, Eva"
    )
    AgreedAction.objects.create(
        meeting=meeting, text="Ny skylt vid vägen", responsible="Kommunen"
    )
    AgreedAction.objects.create(
        meeting=meeting,
        text="Flytta datorn",
        responsible="Per",
        status=AgreedAction.Status.DONE,
    )
    # Planned, approved, then paid: the database refuses a payout paid unapproved.
    paid = agreement.payouts.filter(period_end__year=2025)
    paid.update(status=Payout.Status.APPROVED)
    paid.update(status=Payout.Status.PAID)
    return agreement
