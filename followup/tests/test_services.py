from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Payout
from agreements.services import (
    agreement_mark_ready,
    agreement_sign,
    payout_approve,
    payouts_plan,
)
from agreements.signals import agreement_signed
from followup.models import (
    AgreedAction,
    ChecklistCriterion,
    ChecklistResult,
    FollowUp,
    FollowUpSettings,
    OwnerReport,
)
from followup.services import (
    CheckedCriterion,
    action_add,
    action_mark_done,
    checklist_criterion_add,
    followup_complete,
    followup_settings_save,
    followups_create_due,
    followups_create_for,
    meeting_save,
    report_accept,
    report_return,
    report_save,
    report_submit,
    site_visit_save,
)
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

FIGURES = {
    "worked_well": "Paketutlämningen lockar nya kunder.",
    "visitors_per_week": 420,
    "visitors_counting": "estimated",
    "parcels_handled": 1300,
}


def test_one_follow_up_per_agreement_year_begun_and_a_second_run_creates_none(
    agreement,
):
    created = followups_create_due(today=date(2026, 3, 1))

    assert created == 2
    years = list(agreement.followups.values_list("agreement_year", "period_end"))
    assert years == [(1, date(2025, 12, 31)), (2, date(2026, 12, 31))]
    assert agreement.followups.get(agreement_year=1).due_on == date(2026, 3, 1)
    assert followups_create_due(today=date(2026, 3, 1)) == 0
    assert FollowUp.objects.count() == 2


def test_the_due_date_follows_the_municipalitys_setting(agreement, nordmaling):
    FollowUpSettings.objects.create(municipality=nordmaling, report_due_days=30)

    followups_create_for(agreement=agreement, today=date(2025, 6, 1))

    assert agreement.followups.get().due_on == date(2026, 1, 30)


def test_agreements_not_in_force_get_no_follow_ups(own_outlet):
    signed_agreement(own_outlet, starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31))

    assert followups_create_due(today=date(2026, 3, 1)) == 0


def test_signing_an_agreement_creates_its_follow_up_and_the_checklist(
    official, shop_owner, draft, django_capture_on_commit_callbacks
):
    agreement_mark_ready(agreement=draft, by=official)
    with django_capture_on_commit_callbacks(execute=True):
        for side, user in (("municipality", official), ("party", shop_owner)):
            agreement_sign(
                agreement=draft,
                by=user,
                side=side,
                name=user.full_name,
                title="VD",
                password=TEST_PASSWORD,
            )

    followup = draft.followups.get(agreement_year=1)
    assert (followup.period_start, followup.due_on) == (
        date(2026, 1, 1),
        date(2027, 3, 1),
    )
    assert (
        ChecklistCriterion.objects.filter(municipality=draft.municipality).count() == 9
    )


def test_the_signal_receiver_is_idempotent(agreement):
    agreement_signed.send(sender=type(agreement), agreement=agreement)
    agreement_signed.send(sender=type(agreement), agreement=agreement)

    assert agreement.followups.filter(agreement_year=1).count() == 1
    assert (
        ChecklistCriterion.objects.filter(municipality=agreement.municipality).count()
        == 9
    )


@pytest.mark.smoke
def test_the_database_keeps_one_follow_up_per_agreement_year(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            agreement=agreement,
            agreement_year=1,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            due_on=date(2026, 3, 1),
        )


@pytest.fixture
def followup(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get(agreement_year=1)


def test_a_draft_needs_nothing_and_submitting_needs_the_visitors(followup, shop_owner):
    report_save(followup=followup, by=shop_owner, data={"problems": "Kylen är trasig"})
    with pytest.raises(ValidationError) as error:
        report_submit(followup=followup, by=shop_owner)

    assert error.value.message_dict == {
        "visitors_per_week": [
            "Ange antalet besökare en vanlig vecka; en uppskattning räcker."
        ],
        "visitors_counting": ["Ange om besökarna räknades eller uppskattades."],
    }
    assert followup.report.status == OwnerReport.Status.DRAFT
    assert followup.report.problems == "Kylen är trasig"


def test_a_submitted_report_is_locked_until_it_is_sent_back(
    followup, shop_owner, official
):
    report_save(followup=followup, by=shop_owner, data=FIGURES)
    report_submit(followup=followup, by=shop_owner)

    with pytest.raises(ValidationError) as error:
        report_save(followup=followup, by=shop_owner, data={"problems": "Ändrat"})
    assert error.value.code == "locked"

    with pytest.raises(ValidationError) as error:
        report_return(followup=followup, by=official, comment=" ")
    assert error.value.message_dict == {"comment": ["Skriv vad innehavaren ska ändra."]}
    report_return(followup=followup, by=official, comment="Ange antal paket per månad.")
    report = report_save(
        followup=followup, by=shop_owner, data={"parcels_handled": 1400}
    )
    assert report.status == OwnerReport.Status.RETURNED
    assert report.return_comment == "Ange antal paket per månad."
    report = report_submit(followup=followup, by=shop_owner)
    assert report.status == OwnerReport.Status.SUBMITTED
    assert report.parcels_handled == 1400


def test_only_the_outlets_own_shop_owner_reports(followup):
    other_owner = UserFactory(shop_owner=True, outlets=[OutletFactory()])
    with pytest.raises(PermissionDenied):
        report_save(followup=followup, by=other_owner, data=FIGURES)


def test_an_official_of_another_municipality_cannot_review_or_complete(
    followup, shop_owner, umea_official
):
    report_save(followup=followup, by=shop_owner, data=FIGURES)
    report_submit(followup=followup, by=shop_owner)
    with pytest.raises(PermissionDenied):
        report_accept(followup=followup, by=umea_official)
    with pytest.raises(PermissionDenied):
        followup_complete(followup=followup, by=umea_official, assessment="Bra")
    with pytest.raises(PermissionDenied):
        report_accept(followup=followup, by=shop_owner)


def test_a_reader_cannot_change_a_followup_through_the_services(
    followup, shop_owner, regional_viewer, official, nordmaling
):
    """The views find nothing to change for those who only read (404); called
    directly, the services refuse as the last line of defence."""
    assert FollowUp.objects.visible_to(regional_viewer).filter(pk=followup.pk).exists()
    report_save(followup=followup, by=shop_owner, data=FIGURES)
    report_submit(followup=followup, by=shop_owner)
    with pytest.raises(PermissionDenied):
        report_accept(followup=followup, by=regional_viewer)
    with pytest.raises(PermissionDenied):
        meeting_save(
            followup=followup,
            by=regional_viewer,
            held_on=date(2026, 2, 1),
            participants="Maria Ek",
        )
    with pytest.raises(PermissionDenied):
        report_save(followup=followup, by=official, data=FIGURES)
    # The settings and checklist are the administrators', not the officials'.
    with pytest.raises(PermissionDenied):
        followup_settings_save(
            followup_settings=FollowUpSettings(municipality=nordmaling), by=official
        )
    with pytest.raises(PermissionDenied):
        checklist_criterion_add(municipality=nordmaling, by=official, text="Skylt")


def all_ok(followup):
    return [
        CheckedCriterion(criterion, "ok")
        for criterion in ChecklistCriterion.objects.filter(
            municipality=followup.agreement.municipality
        )
    ]


def test_a_not_ok_criterion_needs_a_remark(followup, official):
    results = all_ok(followup)
    results[0] = CheckedCriterion(results[0].criterion, "not_ok")
    with pytest.raises(ValidationError) as error:
        site_visit_save(
            followup=followup,
            by=official,
            visited_on=date(2025, 10, 1),
            visitors="Johan Berg",
            results=results,
        )
    assert error.value.message_dict == {
        f"remark_{results[0].criterion.pk}": ["Skriv vad som inte är OK."]
    }
    visit = site_visit_save(
        followup=followup,
        by=official,
        visited_on=date(2025, 10, 1),
        visitors="Johan Berg",
        results=all_ok(followup),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistResult.objects.filter(site_visit=visit).update(result="not_ok")


def test_completing_the_follow_up_makes_the_conditioned_payout_approvable_not_before(
    followup, shop_owner, official
):
    payout = followup.agreement.payouts.get(condition_year=1)
    report_save(followup=followup, by=shop_owner, data=FIGURES)
    report_submit(followup=followup, by=shop_owner)

    with pytest.raises(ValidationError) as error:
        followup_complete(followup=followup, by=official, assessment="Bra år.")
    assert error.value.messages == ["Godkänn först innehavarens årsrapport."]

    report_accept(followup=followup, by=official)
    with pytest.raises(ValidationError) as error:
        followup_complete(followup=followup, by=official, assessment="Bra år.")
    assert error.value.messages == ["Registrera platsbesöket först."]

    meeting_save(
        followup=followup,
        by=official,
        held_on=date(2025, 10, 1),
        participants="Per Lindberg, Johan Berg",
        minutes="Gick igenom året.",
    )
    action = action_add(
        followup=followup,
        by=official,
        text="Sätt upp ny skylt",
        responsible="Kommunen",
        due_on=date(2025, 12, 1),
    )
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=date(2025, 10, 1),
        visitors="Johan Berg",
        results=all_ok(followup),
    )
    with pytest.raises(ValidationError) as error:
        payout_approve(payout=payout, by=official)
    assert error.value.code == "condition_not_met"

    followup_complete(followup=followup, by=official, assessment="Ett bra år.")

    payout.refresh_from_db()
    assert payout.followup_complete
    payout_approve(payout=payout, by=official)
    assert payout.status == Payout.Status.APPROVED
    with pytest.raises(ValidationError) as error:
        meeting_save(
            followup=followup, by=official, held_on=date(2025, 11, 1), participants="X"
        )
    assert error.value.code == "complete"
    action_mark_done(action=action, by=official, comment="Skylten är uppe.")
    assert AgreedAction.objects.get().status == "done"


def test_accepting_the_report_meets_a_payouts_report_condition(own_outlet, official):
    agreement = signed_agreement(
        own_outlet, requires_followup=False, requires_report=True
    )
    owner = own_outlet.owners.first() or UserFactory(
        shop_owner=True, outlets=[own_outlet]
    )
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    followup = agreement.followups.get()
    report_save(followup=followup, by=owner, data=FIGURES)
    report_submit(followup=followup, by=owner)

    report_accept(followup=followup, by=official)

    payout = agreement.payouts.get(condition_year=1)
    assert payout.report_received
    payout_approve(payout=payout, by=official)


def test_follow_ups_of_other_municipalities_are_neither_visible_nor_editable(
    followup, official, umea_official, shop_owner, regional_viewer
):
    assert list(FollowUp.objects.visible_to(official)) == [followup]
    assert list(FollowUp.objects.visible_to(regional_viewer)) == [followup]
    assert list(FollowUp.objects.visible_to(umea_official)) == []
    assert list(FollowUp.objects.editable_by(umea_official)) == []
    assert list(FollowUp.objects.visible_to(shop_owner)) == []
    assert list(FollowUp.objects.recordable_by(shop_owner)) == [followup]
    assert municipality("2480") == umea_official.municipality


def completed(followup, shop_owner, official):
    """The year's follow-up completed: report accepted, site visit, assessment."""
    report_save(followup=followup, by=shop_owner, data=FIGURES)
    report_submit(followup=followup, by=shop_owner)
    report_accept(followup=followup, by=official)
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=followup.period_end,
        visitors="Johan Berg",
        results=all_ok(followup),
    )
    return followup_complete(followup=followup, by=official, assessment="Bra år.")


def test_completing_year_1s_follow_up_frees_year_2s_half_yearly_payouts(
    own_outlet, shop_owner, official
):
    agreement = signed_agreement(
        own_outlet, frequency_months=6, payout_condition_year="previous"
    )
    followups_create_for(agreement=agreement, today=date(2026, 3, 1))

    def conditions(year):
        return [
            p.condition_display for p in agreement.payouts.filter(agreement_year=year)
        ]

    assert conditions(1) == ["Inga villkor"] * 2
    assert conditions(2) == ["Väntar på uppföljningen av avtalsår 1 (2025)"] * 2

    completed(agreement.followups.get(agreement_year=1), shop_owner, official)

    assert (
        conditions(2)
        == ["Villkoret uppfyllt: uppföljningen av avtalsår 1 (2025) är genomförd"] * 2
    )
    for payout in agreement.payouts.filter(agreement_year=2):
        payout_approve(payout=payout, by=official)
    assert agreement.payouts.filter(agreement_year=3).first().awaits_followup


def test_payouts_planned_after_their_years_follow_up_was_completed_are_free_at_once(
    own_outlet, shop_owner, official
):
    """A tacitly extended agreement's next period is planned once it has begun;
    its first year waits for the last year of the period before, already done."""
    agreement = signed_agreement(
        own_outlet,
        initial_term_months=12,
        payouts_planned_on=date(2025, 6, 1),
        payout_condition_year="previous",
    )
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    completed(agreement.followups.get(agreement_year=1), shop_owner, official)
    assert not agreement.payouts.filter(agreement_year=2).exists()

    payouts_plan(agreement=agreement, today=date(2026, 1, 2))

    payout = agreement.payouts.get(agreement_year=2)
    assert (payout.condition_year, payout.followup_complete) == (1, True)
    payout_approve(payout=payout, by=official)
