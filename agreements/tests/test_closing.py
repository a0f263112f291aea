"""Issue 16, points 3 and 7: either side may sign on paper until both have signed,
and closing a shop ends its agreement from the closing date."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from agreements.demo import DEMO_SCAN
from agreements.models import AgreementVersion, Payout, PayoutRecovery
from agreements.selectors import budget_summary
from agreements.services import (
    agreement_mark_ready,
    agreement_sign,
    payout_approve,
    payout_condition_set,
    payout_mark_paid,
    payout_withhold,
)
from agreements.tests.test_cancelled_payouts import quarter, quarterly  # noqa: F401
from agreements.tests.test_services import sign_both
from outlets.models import Outlet
from outlets.services import outlet_close

pytestmark = pytest.mark.django_db

CLOSED_ON = date(2026, 8, 15)


def test_after_the_municipality_signed_the_page_still_offers_the_shop_paper_route(
    client, official, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    agreement_sign(
        agreement=draft,
        by=official,
        side="municipality",
        name="Johan Berg",
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )
    client.force_login(official)

    page = client.get(draft.get_absolute_url()).content.decode()

    assert "Undertecknat på papper i stället" in page
    assert reverse("agreements:agreement_sign_paper", args=[draft.pk]) in page
    # Only the side still to sign is offered.
    form = client.get(draft.get_absolute_url()).context["paper_form"]
    assert [value for value, _label in form.fields["side"].choices] == ["party"]

    response = client.post(
        reverse("agreements:agreement_sign_paper", args=[draft.pk]),
        {
            "side": "party",
            "name": "Per Lindberg",
            "title": "VD",
            "paper_scan": SimpleUploadedFile("scan.pdf", DEMO_SCAN),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "signed"
    assert (
        "Undertecknat på papper i stället"
        not in client.get(draft.get_absolute_url()).content.decode()
    )


def test_closing_the_outlet_ends_its_agreement_on_the_closing_date(
    quarterly,  # noqa: F811 - the fixture
    official,
    colleague,
):
    """Quarterly payouts in arrears of 10 000 kr: the first quarter paid, the
    second approved and paid, the third cut by the closure on 15 August."""
    first, second = (
        quarter(quarterly, date(2026, 1, 1)),
        quarter(quarterly, date(2026, 4, 1)),
    )
    for payout in (first, second):
        payout_approve(payout=payout, by=colleague)
        payout_mark_paid(payout=payout, by=official)
    third = quarter(quarterly, date(2026, 7, 1))
    payout_approve(payout=third, by=colleague)
    committed_before = budget_summary(
        municipality=quarterly.municipality, year=2026
    ).committed

    outlet_close(outlet=quarterly.outlet, by=official, closed_on=CLOSED_ON)

    quarterly.refresh_from_db()
    assert quarterly.ends_on == CLOSED_ON
    assert quarterly.early_end_reason == "Försäljningsstället stängdes 2026-08-15."
    assert quarterly.status_on(date(2026, 12, 1)) == "ended"
    # Nothing is left to pay for the days after the closing date.
    assert not quarterly.payouts.payable().filter(period_end__gt=CLOSED_ON)
    later = quarterly.payouts.filter(period_start__gt=date(2026, 7, 1))
    assert later.exists()
    assert set(later.values_list("status", flat=True)) == {"cancelled"}
    third.refresh_from_db()
    assert third.status == Payout.Status.CANCELLED
    assert third.cancelled_reason == quarterly.early_end_reason
    # The last period is paid pro rata: 46 of the quarter's 92 days.
    part = quarter(quarterly, date(2026, 7, 1))
    assert (part.status, part.period_end, part.amount) == ("planned", CLOSED_ON, 5_000)
    # Paid payouts within the term are kept and nothing is claimed back.
    assert not PayoutRecovery.objects.filter(payout__agreement=quarterly)
    # The commitment of the year counts the days up to the closing date.
    assert (
        budget_summary(municipality=quarterly.municipality, year=2026).committed
        == 40_000 * 227 // 365
        < committed_before
    )
    assert budget_summary(municipality=quarterly.municipality, year=2027).committed == 0
    # The last year's follow-up is still due.
    assert quarterly.followups.filter(agreement_year=1, completed_at__isnull=True)


def test_money_paid_past_the_closing_date_is_claimed_back(
    quarterly,  # noqa: F811 - the fixture
    official,
    colleague,
):
    for start in (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)):
        payout = quarter(quarterly, start)
        payout_approve(payout=payout, by=colleague)
        payout_mark_paid(payout=payout, by=official)

    outlet_close(outlet=quarterly.outlet, by=official, closed_on=CLOSED_ON)

    recovery = PayoutRecovery.objects.get(payout__agreement=quarterly)
    # 46 of the 92 days of the third quarter were after the closing date.
    assert (recovery.period_start, recovery.amount) == (date(2026, 8, 16), 5_000)
    assert recovery.reason == "Försäljningsstället stängdes 2026-08-15."
    assert quarter(quarterly, date(2026, 7, 1)).status == Payout.Status.PAID


def test_the_close_page_says_the_agreement_ends_before_the_official_confirms(
    client,
    quarterly,  # noqa: F811 - the fixture
    official,
):
    client.force_login(official)
    url = reverse("outlets:outlet_close", kwargs={"pk": quarterly.outlet_id})

    page = client.get(url).content.decode()

    assert (
        f"Pers Livs har avtal {quarterly.reference}. Registreras nedläggningen "
        "upphör avtalet på nedläggningsdagen" in page
    )
    assert "makuleras" in page


def test_the_close_page_of_an_outlet_without_agreement_says_nothing_of_one(
    client, official, own_outlet
):
    client.force_login(official)
    url = reverse("outlets:outlet_close", kwargs={"pk": own_outlet.pk})

    assert "Det här händer också" not in client.get(url).content.decode()


def test_closing_through_the_page_ends_the_agreement_in_the_same_step(
    client,
    quarterly,  # noqa: F811 - the fixture
    official,
):
    client.force_login(official)

    response = client.post(
        reverse("outlets:outlet_close", kwargs={"pk": quarterly.outlet_id}),
        {"closed_on": "2026-08-15"},
    )

    assert response.status_code == 302
    quarterly.refresh_from_db()
    assert quarterly.outlet.status == Outlet.Status.CLOSED
    assert quarterly.ends_on == CLOSED_ON
    page = client.get(quarterly.get_absolute_url()).content.decode()
    assert "Försäljningsstället stängdes 2026-08-15." in page
    assert "Makulerad" in page
    # Nothing is offered that a closed shop's agreement cannot have any more.
    assert "Förnya avtalet" not in page
    assert "Sista dag för uppsägning" not in page


def test_a_closure_the_agreement_refuses_changes_nothing(
    quarterly,  # noqa: F811 - the fixture
    official,
    monkeypatch,
):
    """One transaction: if ending the agreement fails, the outlet stays open."""
    from agreements.services import lifecycle

    def fail(*args, **kwargs):
        raise RuntimeError("payouts could not be planned")

    monkeypatch.setattr(lifecycle, "payouts_end_after", fail)
    with pytest.raises(RuntimeError):
        outlet_close(outlet=quarterly.outlet, by=official, closed_on=CLOSED_ON)

    quarterly.refresh_from_db()
    outlet = Outlet.objects.get(pk=quarterly.outlet_id)
    assert (outlet.status, quarterly.ends_on) == (Outlet.Status.OPEN, None)
    assert quarterly.payouts.payable().filter(period_start__gt=CLOSED_ON)


# Issue 16 review, point 1: an early end reaches a withheld payout too.


def test_closing_cancels_a_withheld_payout_it_cuts_and_plans_the_days_before_it(
    draft, official, shop_owner
):
    """The demo's case: the year's payout withheld, the shop closed on 30 June."""
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    withheld = draft.payouts.get(period_start=date(2026, 1, 1))
    payout_withhold(payout=withheld, by=official, reason="Lokalen stängd i mars.")

    outlet_close(outlet=draft.outlet, by=official, closed_on=date(2026, 6, 30))

    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.CANCELLED
    assert withheld.cancelled_reason == "Försäljningsstället stängdes 2026-06-30."
    assert withheld.withheld_reason == "Lokalen stängd i mars."
    part = draft.payouts.exclude(status=Payout.Status.CANCELLED).get(
        period_start=date(2026, 1, 1)
    )
    # 181 of the year's 365 days, rounded down.
    assert (part.status, part.period_start, part.period_end, part.amount) == (
        "planned",
        date(2026, 1, 1),
        date(2026, 6, 30),
        40_000 * 181 // 365,
    )


def test_closing_cancels_a_withheld_payout_wholly_after_the_closing_date(
    quarterly,  # noqa: F811 - the fixture
    official,
):
    fourth = quarter(quarterly, date(2026, 10, 1))
    payout_withhold(payout=fourth, by=official, reason="Inväntar besked.")

    outlet_close(outlet=quarterly.outlet, by=official, closed_on=CLOSED_ON)

    fourth.refresh_from_db()
    assert fourth.status == Payout.Status.CANCELLED
    assert fourth.cancelled_reason == "Försäljningsstället stängdes 2026-08-15."
    assert not quarterly.payouts.exclude(status=Payout.Status.CANCELLED).filter(
        period_end__gt=CLOSED_ON
    )


def test_the_part_period_keeps_the_condition_the_withheld_payout_had_met(
    official, shop_owner, draft
):
    version = draft.first_version()
    version.payout_condition_year = AgreementVersion.PayoutConditionYear.COVERED
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout_withhold(
        payout=draft.payouts.get(period_start=date(2026, 1, 1)),
        by=official,
        reason="Lokalen stängd i mars.",
    )

    outlet_close(outlet=draft.outlet, by=official, closed_on=date(2026, 6, 30))

    part = draft.payouts.exclude(status=Payout.Status.CANCELLED).get(
        period_start=date(2026, 1, 1)
    )
    assert part.period_end == date(2026, 6, 30)
    assert part.requires_followup and part.followup_complete


def test_a_payout_that_meets_one_already_there_is_refused_not_dropped(
    quarterly,  # noqa: F811 - the fixture
    monkeypatch,
):
    """A writer that did not take the agreement's lock planned the period first:
    the planning fails loudly instead of leaving the period silently as it was."""
    from agreements.services import payouts as module

    wanted = module._payouts_wanted

    def with_a_stray_writer(agreement, today):
        payouts = wanted(agreement, today)
        stray = next(p for p in payouts if p.period_start == date(2027, 1, 1))
        Payout.objects.create(
            **{
                field.attname: getattr(stray, field.attname)
                for field in Payout._meta.concrete_fields
                if not field.primary_key
            }
        )
        return payouts

    monkeypatch.setattr(module, "_payouts_wanted", with_a_stray_writer)

    with pytest.raises(IntegrityError, match="one_per_period"):
        module.payouts_plan(agreement=quarterly, today=date(2027, 2, 1))
