"""Cancelled payouts (Swedish: *makulerade utbetalningar*): an official cancels a
planned or approved payout with a reason; an early end, notice or amendment
cancels what it no longer gives instead of deleting it, and plans the rest anew.
A cancelled payout stays on the agreement page and is never paid."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.models import AgreementVersion, Payout
from agreements.selectors import deadlines
from agreements.services import (
    agreement_amend,
    agreement_change_owner,
    agreement_mark_ready,
    agreement_update_draft,
    payout_approve,
    payout_cancel,
    payout_condition_set,
    payout_mark_paid,
    payouts_plan,
)
from agreements.tests.conftest import lines
from agreements.tests.test_renewal import new_party  # noqa: F401 - a fixture
from agreements.tests.test_services import sign_both
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarterly(official, shop_owner, draft):
    """Signed, paid in arrears each quarter of 2026-2028, no condition to wait for."""
    version = draft.first_version()
    version.payout_frequency_months = 3
    version.payout_requires_followup = False
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    draft.refresh_from_db()
    return draft


def quarter(agreement, start):
    return agreement.payouts.exclude(status=Payout.Status.CANCELLED).get(
        period_start=start
    )


def test_an_official_cancels_a_planned_payout_with_a_reason(quarterly, colleague):
    payout = quarter(quarterly, date(2026, 10, 1))

    payout_cancel(payout=payout, by=colleague, reason="Stängt hela hösten.")

    payout.refresh_from_db()
    assert payout.status == Payout.Status.CANCELLED
    assert payout.get_status_display() == "Makulerad"
    assert payout.cancelled_reason == "Stängt hela hösten."
    assert payout.status_changed_by == colleague
    assert payout.status_changed_at is not None


def test_an_approved_payout_may_be_cancelled_a_paid_one_not(
    quarterly, official, colleague
):
    approved = quarter(quarterly, date(2026, 1, 1))
    paid = quarter(quarterly, date(2026, 4, 1))
    for payout in (approved, paid):
        payout_approve(payout=payout, by=colleague)
    payout_mark_paid(payout=paid, by=official)

    payout_cancel(payout=approved, by=official, reason="Dubbelregistrerad.")
    with pytest.raises(ValidationError) as error:
        payout_cancel(payout=paid, by=official, reason="För sent.")

    assert error.value.messages == [
        "Bara en planerad, godkänd eller innehållen utbetalning kan makuleras."
    ]
    approved.refresh_from_db()
    paid.refresh_from_db()
    assert (approved.status, paid.status) == ("cancelled", "paid")


def test_a_cancellation_needs_a_reason_and_an_official_of_the_municipality(
    quarterly, shop_owner
):
    payout = quarter(quarterly, date(2026, 10, 1))

    with pytest.raises(ValidationError) as error:
        payout_cancel(payout=payout, by=quarterly.created_by, reason="  ")
    assert error.value.message_dict == {
        "reason": ["Skriv varför utbetalningen makuleras."]
    }
    for outsider in (shop_owner, _official_of_another_municipality()):
        with pytest.raises(PermissionDenied):
            payout_cancel(payout=payout, by=outsider, reason="Nej.")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED


def _official_of_another_municipality():
    from accounts.tests.factories import UserFactory

    return UserFactory(email="official@umea.example", municipality=municipality("2480"))


def test_a_cancelled_period_is_not_planned_again_by_the_daily_planning(quarterly):
    payout = quarter(quarterly, date(2026, 10, 1))
    payout_cancel(payout=payout, by=quarterly.created_by, reason="Stängt.")

    payouts_plan(agreement=quarterly, today=date(2027, 6, 1))

    assert list(
        quarterly.payouts.filter(period_start=date(2026, 10, 1)).values_list(
            "status", flat=True
        )
    ) == ["cancelled"]


def test_an_early_end_cancels_an_approved_payout_it_cuts_short_and_plans_the_days_before_it(  # noqa: E501
    quarterly,
    official,
    colleague,
    new_party,  # noqa: F811 - the fixture
):
    third = quarter(quarterly, date(2026, 7, 1))
    payout_approve(payout=third, by=colleague)
    fourth = quarter(quarterly, date(2026, 10, 1))

    agreement_change_owner(
        agreement=quarterly,
        by=official,
        handover_on=date(2026, 8, 16),
        party=new_party,
    )

    third.refresh_from_db()
    fourth.refresh_from_db()
    for payout in (third, fourth):
        assert payout.status == Payout.Status.CANCELLED
        assert "Nya Byaboden" in payout.cancelled_reason
        assert payout.status_changed_by == official
    assert third.amount == 10_000
    # The party ran the shop 46 of the quarter's 92 days: half the 10 000 kr.
    part = quarter(quarterly, date(2026, 7, 1))
    assert part.status == Payout.Status.PLANNED
    assert (part.period_end, part.amount, part.vat_amount) == (
        date(2026, 8, 15),
        5_000,
        1_250,
    )
    assert not quarterly.payouts.filter(period_start__gt=date(2026, 8, 15)).exclude(
        status=Payout.Status.CANCELLED
    )


def test_the_part_period_keeps_the_condition_its_cancelled_payout_had_met(
    official,
    colleague,
    shop_owner,
    draft,
    new_party,  # noqa: F811 - the fixture
):
    version = draft.first_version()
    version.payout_frequency_months = 3
    # The rule before December 2026: the first year's payouts wait for its follow-up.
    version.payout_condition_year = AgreementVersion.PayoutConditionYear.COVERED
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout_approve(payout=quarter(draft, date(2026, 7, 1)), by=colleague)

    agreement_change_owner(
        agreement=draft, by=official, handover_on=date(2026, 8, 16), party=new_party
    )

    part = quarter(draft, date(2026, 7, 1))
    assert part.requires_followup and part.followup_complete


def test_an_amendment_cancels_the_planned_payouts_it_changes_and_plans_them_anew(
    official, shop_owner, draft, catalogue
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    first_year = draft.payouts.get(agreement_year=1)
    agreement_amend(
        agreement=draft,
        by=official,
        effective_on=date(2028, 1, 1),
        reason="Hemsändning läggs till.",
    )
    agreement_update_draft(
        agreement=draft,
        by=official,
        version_fields={"annual_compensation": 48_000},
        services=lines(catalogue, 4, fee=12_000),
    )
    agreement_mark_ready(agreement=draft, by=official)

    sign_both(draft, official, shop_owner)

    # Years 1 and 2 are paid as before; year 3 at the amended compensation.
    assert draft.payouts.get(pk=first_year.pk).status == Payout.Status.PLANNED
    assert draft.payouts.filter(agreement_year=2).count() == 1
    old, new = draft.payouts.filter(agreement_year=3).order_by("pk")
    assert (old.status, old.amount) == ("cancelled", 40_000)
    assert old.cancelled_reason == (
        "Planeras på nytt enligt tillägg 1, som gäller från 2028-01-01."
    )
    assert (new.status, new.amount) == ("planned", 48_000)


def test_cancelled_payouts_are_neither_due_nor_exported_nor_shown_to_the_shop_owner(
    client, quarterly, official, colleague, shop_owner
):
    first = quarter(quarterly, date(2026, 1, 1))
    payout_approve(payout=first, by=colleague)
    payout_cancel(payout=first, by=official, reason="Fel period.")
    upcoming = quarter(quarterly, date(2026, 10, 1))
    payout_cancel(payout=upcoming, by=official, reason="Stängt.")

    assert not Payout.objects.payable().filter(pk__in=[first.pk, upcoming.pk])
    assert not [
        d
        for d in deadlines(
            municipality=quarterly.municipality,
            within_days=365,
            today=date(2026, 1, 1),
        )
        if d.kind == "payout" and d.on == upcoming.due_on
    ]
    client.force_login(official)
    export = client.get(reverse("agreements:payout_export")).content.decode()
    assert quarterly.reference not in export
    client.force_login(shop_owner)
    portal = client.get(reverse("followup:portal")).content.decode()
    assert "makulerad" not in portal.lower()
    assert "2026-10-01 – 2026-12-31" not in portal


def test_the_agreement_page_shows_a_cancelled_payout_struck_through_with_its_reason(
    client, quarterly, official
):
    payout = quarter(quarterly, date(2026, 10, 1))
    payout_cancel(payout=payout, by=official, reason="Butiken höll stängt.")

    client.force_login(official)
    page = client.get(quarterly.get_absolute_url()).content.decode()

    payouts = page[page.index('id="payouts-heading"') :]
    payouts = payouts[: payouts.index("</table>")]
    row = payouts[payouts.index('class="payout--cancelled"') :]
    row = row[: row.index("</tr>")]
    assert "<s>2026-10-01 – 2026-12-31</s>" in row
    assert "<strong>Makulerad</strong>: Butiken höll stängt." in row
    assert official.full_name in row
    assert reverse("agreements:payout_cancel", args=[payout.pk]) not in payouts
    history = page[page.index("Ändringshistorik") :]
    assert "Makulerad" in history


def test_the_cancel_button_asks_for_a_reason(client, quarterly, official):
    payout = quarter(quarterly, date(2026, 10, 1))
    url = reverse("agreements:payout_cancel", args=[payout.pk])
    client.force_login(official)
    page = client.get(quarterly.get_absolute_url()).content.decode()
    assert f'action="{url}"' in page

    response = client.post(url, {"reason": ""}, follow=True)

    assert "Skriv varför utbetalningen makuleras." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED

    response = client.post(url, {"reason": "Stängt i höst."}, follow=True)

    assert "Utbetalningen är makulerad." in response.content.decode()
    payout.refresh_from_db()
    assert (payout.status, payout.cancelled_reason) == ("cancelled", "Stängt i höst.")


def test_the_cancel_button_answers_not_found_to_whoever_may_not_use_it(
    client, quarterly, shop_owner, regional_viewer
):
    payout = quarter(quarterly, date(2026, 10, 1))
    url = reverse("agreements:payout_cancel", args=[payout.pk])
    for user in (shop_owner, regional_viewer):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code == 404
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED
