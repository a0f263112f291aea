"""Money paths under concurrency, against the real PostgreSQL: threads with a database
connection each, started together, as two users or two cron jobs would."""

from datetime import date, datetime, time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agreements.models import Agreement, Payout
from agreements.services import (
    agreement_create,
    agreement_mark_ready,
    payouts_plan,
)
from agreements.tests.concurrency import (
    at_once,
    municipalities_back_after_the_flush,  # noqa: F401 - autouse for this module
)
from agreements.tests.conftest import TERMS, lines
from agreements.tests.factories import AgreementFactory, AgreementVersionFactory


def signed_without_payouts(*, starts_on=date(2024, 1, 1), frequency_months=1):
    """A signed agreement whose payouts nobody has planned yet."""
    agreement = AgreementFactory(
        state=Agreement.State.SIGNED,
        signed_on=starts_on,
        starts_on=starts_on,
    )
    AgreementVersionFactory(
        agreement=agreement,
        starts_on=starts_on,
        payout_frequency_months=frequency_months,
        signed_at=timezone.make_aware(datetime.combine(starts_on, time(12))),
    )
    return agreement


def payouts_per_period(agreement):
    periods = list(agreement.payouts.values_list("period_start", flat=True))
    return len(periods), len(set(periods))


@pytest.mark.django_db(transaction=True)
def test_two_plannings_of_one_agreement_at_once_create_one_payout_per_period(
    municipalities_reloaded,
):
    agreements = [signed_without_payouts() for _ in range(3)]

    for agreement in agreements:
        at_once(
            *[
                lambda agreement=agreement: payouts_plan(
                    agreement=agreement, today=date(2026, 6, 1)
                )
                for _ in range(2)
            ]
        )

    # Monthly through the initial term, 2024-01-01 to 2026-12-31.
    assert [payouts_per_period(agreement) for agreement in agreements] == [(36, 36)] * 3


@pytest.mark.django_db
def test_a_second_payout_for_a_period_is_refused_by_the_database_even_in_raw_sql():
    agreement = signed_without_payouts(frequency_months=12)
    payouts_plan(agreement=agreement, today=date(2026, 6, 1))
    payout = agreement.payouts.earliest("period_start")
    columns = [
        field.column for field in Payout._meta.concrete_fields if not field.primary_key
    ]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)

    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"INSERT INTO agreements_payout ({names}) "
            f"SELECT {names} FROM agreements_payout WHERE id = %s",
            [payout.pk],
        )

    assert "agreements_payout_one_per_period" in str(error.value)
    assert agreement.payouts.filter(period_start=payout.period_start).count() == 1


def draft(official, outlet, party, catalogue):
    return agreement_create(
        by=official,
        outlet=outlet,
        party=party,
        version_fields=dict(TERMS),
        services=lines(catalogue),
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_agreements_drafted_and_made_ready_at_once_get_consecutive_references(
    municipalities_reloaded, official, own_outlet, party, catalogue
):
    drafts = at_once(
        *[lambda: draft(official, own_outlet, party, catalogue) for _ in range(20)]
    )
    assert {agreement.reference for agreement in drafts} == {""}

    at_once(
        *[
            lambda agreement=agreement: agreement_mark_ready(
                agreement=agreement, by=official
            )
            for agreement in drafts
        ]
    )

    references = sorted(
        Agreement.objects.filter(pk__in=[a.pk for a in drafts]).values_list(
            "reference", flat=True
        )
    )
    assert references == [f"SP-2401-2026-{number:03d}" for number in range(1, 21)]


@pytest.mark.django_db
def test_a_deleted_draft_leaves_no_gap_in_the_reference_numbers(
    official, own_outlet, party, catalogue
):
    first, deleted, last = (
        draft(official, own_outlet, party, catalogue) for _ in range(3)
    )
    agreement_mark_ready(agreement=first, by=official)
    deleted.versions.all().delete()
    deleted.delete()
    agreement_mark_ready(agreement=last, by=official)

    first.refresh_from_db()
    last.refresh_from_db()
    assert [first.reference, last.reference] == ["SP-2401-2026-001", "SP-2401-2026-002"]


@pytest.mark.django_db
def test_a_draft_has_no_reference_in_the_database_and_a_ready_agreement_has_one(
    own_outlet, party
):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        AgreementFactory(outlet=own_outlet, party=party, reference="SP-2401-2026-009")
    assert "agreements_agreement_reference_once_ready" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(
            outlet=own_outlet, party=party, state=Agreement.State.READY, reference=""
        )


@pytest.mark.django_db(transaction=True)
def test_two_officials_approving_the_same_payouts_at_once_approve_each_once(
    municipalities_reloaded,
):
    from accounts.tests.factories import UserFactory
    from agreements.services import payouts_approve

    agreement = signed_without_payouts(frequency_months=3)
    payouts_plan(agreement=agreement, today=date(2024, 6, 1))
    agreement.payouts.update(requires_followup=False, requires_report=False)
    payouts = list(agreement.payouts.order_by("pk")[:4])
    first, second = UserFactory(), UserFactory()

    results = at_once(
        lambda: payouts_approve(payouts=list(payouts), by=first),
        # The other way round: the locks are taken in one order all the same.
        lambda: payouts_approve(payouts=list(reversed(payouts)), by=second),
    )

    approved = [payout.pk for done, _refused in results for payout in done]
    refused = [refusal for _done, refusals in results for refusal in refusals]
    assert sorted(approved) == sorted(payout.pk for payout in payouts)
    assert {refusal.reason for refusal in refused} == {
        "Bara en planerad utbetalning kan godkännas."
    }
    assert len(refused) == 4
    assert set(agreement.payouts.filter(pk__in=approved).values_list("status")) == {
        ("approved",)
    }
