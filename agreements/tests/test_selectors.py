"""The budget and the coming deadlines, on signed agreements."""

from datetime import date

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementVersion, Party, Payout
from agreements.selectors import budget_summary, deadlines
from agreements.services import budget_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force(own_outlet):
    """40 000 kr a year from 2026-07-01, three years then yearly, 3 months' notice."""
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
        reference="SP-2401-2026-001",
        state=Agreement.State.SIGNED,
        signed_on=date(2026, 6, 1),
        starts_on=date(2026, 7, 1),
    )
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        effective_on=date(2026, 7, 1),
        decision_registration_number="KS 2026/1",
        decision_body="Kommunstyrelsen",
        decision_date=date(2026, 5, 1),
        annual_compensation=40_000,
        starts_on=date(2026, 7, 1),
        initial_term_months=36,
        extension_months=12,
        notice_period_months=3,
        decision_lead_days=30,
        signed_at="2026-06-01T10:00:00+02:00",
    )
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
    assert "Tidsfrister de närmaste 90 dagarna" in page
