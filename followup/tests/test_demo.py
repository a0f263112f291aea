import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from followup.models import AgreedAction, FollowUp, OwnerReport

pytestmark = pytest.mark.django_db


def demo_seed(settings):
    """The whole demo, as `make run` builds it: seed_demo runs with DEBUG on only."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_has_past_follow_ups_with_notes_and_figures_and_one_overdue(
    settings,
):
    demo_seed(settings)
    demo_seed(settings)  # a second run changes nothing

    followups = FollowUp.objects.filter(agreement__municipality__code="2401")
    assert followups.overdue().count() == 1
    assert followups.overdue().get().agreement.outlet.name == "ICA Lundins"
    complete = followups.complete()
    assert complete.count() >= 3
    for followup in complete:
        assert followup.report.status == OwnerReport.Status.ACCEPTED
        assert followup.report.visitors_per_week
        assert followup.report.worked_well
        assert followup.site_visit.results.count() == 9
        assert followup.meeting.actions.exists()
    # Payouts of completed years are paid; the overdue year's wait.
    overdue = followups.overdue().get()
    waiting = overdue.agreement.payouts.filter(condition_year=overdue.agreement_year)
    assert waiting.exists()
    assert all(payout.status == "planned" for payout in waiting)


def test_the_demo_shop_owner_has_an_open_action_and_earlier_years_are_done(settings):
    demo_seed(settings)
    today = timezone.localdate()
    owner = User.objects.get(email="butik@perslivs.example")

    # Pers Livs' owner has one action of their own to mark done, due ahead.
    mine = AgreedAction.objects.markable_done_by(owner).open()
    assert mine.count() == 1
    assert mine.get().party == AgreedAction.Party.SHOP
    assert mine.get().due_on > today
    assert mine.get().meeting.followup.agreement.outlet.name == "Pers Livs"

    # Only each outlet's latest dialogue may have open actions; earlier ones
    # were marked done, saying when and by whom.
    actions = AgreedAction.objects.filter(
        meeting__followup__agreement__municipality__code="2401"
    )
    for action in actions:
        followup = action.meeting.followup
        later = FollowUp.objects.filter(
            agreement=followup.agreement,
            agreement_year__gt=followup.agreement_year,
            meeting__isnull=False,
        )
        if later.exists():
            assert action.status == AgreedAction.Status.DONE, action.text
            assert action.done_at and action.done_by
    # The minutes name the outlet, not one text copied everywhere.
    minutes = {action.meeting.minutes for action in actions.select_related("meeting")}
    assert len(minutes) == actions.values("meeting").distinct().count()
    nyaker = actions.filter(
        meeting__followup__agreement__outlet__name="Handlarn Nyåker"
    )
    assert all("Handlarn Nyåker" in action.meeting.minutes for action in nyaker)
