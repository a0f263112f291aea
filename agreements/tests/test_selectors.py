"""The budget and the coming deadlines, on signed agreements."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementVersion, Party, Payout
from agreements.selectors import budget_summary, deadlines, missed_deadlines
from agreements.services import budget_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force(own_outlet):
    """40 000 kr a year from 2026-07-01, three years then yearly, 3 months' notice."""
    return signed_agreement(own_outlet, starts_on=date(2026, 7, 1))


def signed_agreement(own_outlet, *, starts_on, initial_term_months=36):
    """Signed a month before it starts, decided a month before that; yearly after
    the initial term, 3 months' notice, the decision 30 days before."""
    signed_on = starts_on - timedelta(days=30)
    party = Party.objects.create(
        municipality=own_outlet.municipality,
        name="Pers Livs AB",
        organisation_number="556036-0793",
        bankgiro="123-4567",
        signatory_name="Per Lindberg",
        signatory_title="VD",
    )
    agreement = Agreement.objects.create(
        municipality=own_outlet.municipality,
        outlet=own_outlet,
        party=party,
        reference=f"SP-2401-{starts_on.year}-001",
        state=Agreement.State.SIGNED,
        signed_on=signed_on,
        starts_on=starts_on,
    )
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        effective_on=starts_on,
        decision_registration_number="KS 2026/1",
        decision_body="Kommunstyrelsen",
        decision_date=signed_on - timedelta(days=30),
        annual_compensation=40_000,
        starts_on=starts_on,
        initial_term_months=initial_term_months,
        extension_months=12,
        notice_period_months=3,
        decision_lead_days=30,
        signed_at=timezone.make_aware(datetime.combine(signed_on, time(10))),
    )
    if starts_on != date(2026, 7, 1):
        return agreement
    for status, start, end, amount in [
        (Payout.Status.PAID, date(2026, 7, 1), date(2026, 12, 31), 20_000),
        (Payout.Status.APPROVED, date(2027, 1, 1), date(2027, 6, 30), 20_000),
    ]:
        Payout.objects.create(
            agreement=agreement,
            agreement_year=1,
            period_start=start,
            period_end=end,
            due_on=end,
            amount=amount,
            vat_amount=amount // 4,
            status=status,
        )
    return agreement


def test_a_mid_year_start_commits_its_days_of_the_calendar_year(in_force, nordmaling):
    summary = budget_summary(municipality=nordmaling, year=2026)
    # 184 of 2026's 365 days.
    assert summary.committed == 40_000 * 184 // 365
    assert summary.paid == 20_000
    assert summary.approved == 0
    assert budget_summary(municipality=nordmaling, year=2027).committed == 40_000


def test_a_year_commits_the_terms_signed_and_in_force_when_it_starts(
    in_force, nordmaling
):
    def amendment(number, effective_on, compensation, *, signed):
        """The first version's terms copied (Django's way: saved without a pk),
        with another number, start and compensation."""
        version = in_force.versions.get(number=1)
        version.pk, version._state.adding = None, True
        version.number, version.effective_on = number, effective_on
        version.annual_compensation = compensation
        version.signed_at = (
            timezone.make_aware(datetime.combine(effective_on, time(10)))
            if signed
            else None
        )
        version.save()

    amendment(2, date(2027, 7, 1), 50_000, signed=True)
    amendment(3, date(2028, 1, 1), 60_000, signed=False)

    assert budget_summary(municipality=nordmaling, year=2026).committed == (
        40_000 * 184 // 365
    )
    # The amendment counts from the year after it took effect: the year's
    # commitment is the terms at its start.
    assert budget_summary(municipality=nordmaling, year=2027).committed == 40_000
    assert budget_summary(municipality=nordmaling, year=2028).committed == 50_000


def test_commitments_over_the_budget_are_flagged(in_force, nordmaling, administrator):
    budget_set(municipality=nordmaling, year=2027, amount=30_000, by=administrator)
    assert budget_summary(municipality=nordmaling, year=2027).over_budget
    budget_set(municipality=nordmaling, year=2027, amount=50_000, by=administrator)
    assert not budget_summary(municipality=nordmaling, year=2027).over_budget


def test_the_decision_date_and_notice_deadline_come_up_within_90_days(
    in_force, nordmaling
):
    # The initial term ends 2029-06-30: notice by 2029-03-31, decision by 2029-03-01.
    found = deadlines(municipality=nordmaling, today=date(2029, 1, 15))
    assert [(d.on, d.kind) for d in found] == [
        (date(2029, 3, 1), "decision"),
        (date(2029, 3, 31), "notice"),
    ]
    assert deadlines(municipality=nordmaling, today=date(2028, 6, 1)) == []


def test_the_officials_start_page_shows_the_budget_and_the_deadlines(
    client, official, in_force
):
    client.force_login(official)
    page = client.get(reverse("start")).content.decode()
    assert "Programmet" in page
    # One heading for the section, one for each of its parts; the table does not
    # repeat the heading as its caption.
    assert '<h2 id="deadlines-heading">Tidsfrister</h2>' in page
    assert '<h3 id="coming-deadlines-heading">De närmaste 90 dagarna</h3>' in page
    assert "Tidsfrister de närmaste 90 dagarna" not in page


def test_a_decision_date_then_a_notice_deadline_passed_without_action_is_missed(
    in_force, nordmaling
):
    # The initial term ends 2029-06-30: notice by 2029-03-31, decision by 2029-03-01.
    assert missed_deadlines(municipality=nordmaling, today=date(2029, 3, 1)) == []
    (missed,) = missed_deadlines(municipality=nordmaling, today=date(2029, 3, 2))
    assert (missed.kind, missed.on, missed.agreement) == (
        "decision",
        date(2029, 3, 1),
        in_force,
    )
    assert missed.message == (
        "Kommunens sista beslutsdag var 2029-03-01 och inget beslut är registrerat; "
        "sista dag att säga upp avtalet är 2029-03-31."
    )
    (missed,) = missed_deadlines(municipality=nordmaling, today=date(2029, 4, 1))
    assert missed.message == (
        "Sista dag att säga upp avtalet var 2029-03-31 och inget beslut är "
        "registrerat: avtalet förlängs efter 2029-06-30."
    )
    # Once extended, the next period's dates lie ahead.
    assert missed_deadlines(municipality=nordmaling, today=date(2029, 7, 1)) == []


def test_notice_given_or_a_renewal_drafted_is_action_enough(
    in_force, nordmaling, official
):
    late = date(2029, 4, 1)
    renewal = Agreement.objects.create(
        municipality=nordmaling,
        outlet=in_force.outlet,
        party=in_force.party,
        replaces=in_force,
        created_by=official,
    )
    assert missed_deadlines(municipality=nordmaling, today=late) == []
    renewal.delete()
    Agreement.objects.filter(pk=in_force.pk).update(
        notice_given_on=date(2029, 3, 31), ends_on=date(2029, 6, 30)
    )
    assert missed_deadlines(municipality=nordmaling, today=late) == []


def test_the_agreement_page_and_the_start_page_warn_of_a_passed_notice_deadline(
    client, official, own_outlet
):
    today = timezone.localdate()
    # Started two years ago; its initial term ends with this month, so notice was
    # due by the end of the month three months ago.
    agreement = signed_agreement(
        own_outlet,
        starts_on=date(today.year - 2, 1, 1),
        initial_term_months=24 + today.month,
    )
    (missed,) = missed_deadlines(municipality=own_outlet.municipality)
    warning = (
        f"Sista dag att säga upp avtalet var {missed.on.isoformat()} och inget beslut "
        "är registrerat"
    )
    client.force_login(official)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert warning in page
    assert "Registrera uppsägningen eller påbörja ett förnyat avtal nedan." in page
    start = client.get(reverse("start")).content.decode()
    assert "Passerat utan beslut" in start
    assert warning in start
