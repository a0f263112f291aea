import datetime

from django.utils import timezone

from agreements.models import Agreement, AgreementVersion
from agreements.services import payouts_plan
from agreements.tests.factories import AgreementFactory, AgreementVersionFactory


def signed_agreement(
    outlet=None,
    *,
    party=None,
    starts_on=datetime.date(2025, 1, 1),
    ends_on=None,
    requires_followup=True,
    requires_report=False,
    frequency_months=12,
    initial_term_months=36,
    payouts_planned_on=datetime.date(2026, 6, 1),
    payout_condition_year=AgreementVersion.PayoutConditionYear.COVERED,
):
    """An agreement in force without the PDF round: signed, with its payouts as
    planned on `payouts_planned_on` (or its start, if later); None: none planned
    (payouts are never deleted, so a test wanting fewer plans fewer).

    Signed, like every agreement before December 2026, under the rule that a
    payout in arrears waits for its own year's follow-up, unless
    `payout_condition_year` is "previous" (the default of new agreements)."""
    agreement = AgreementFactory(
        **({"outlet": outlet, "municipality": outlet.municipality} if outlet else {}),
        **({"party": party} if party else {}),
        state=Agreement.State.SIGNED,
        signed_on=starts_on - datetime.timedelta(days=30),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    AgreementVersionFactory(
        agreement=agreement,
        starts_on=starts_on,
        payout_frequency_months=frequency_months,
        initial_term_months=initial_term_months,
        payout_requires_followup=requires_followup,
        payout_requires_report=requires_report,
        payout_condition_year=payout_condition_year,
        signed_at=timezone.make_aware(
            datetime.datetime.combine(agreement.signed_on, datetime.time(12))
        ),
    )
    if payouts_planned_on is not None:
        payouts_plan(agreement=agreement, today=max(starts_on, payouts_planned_on))
    return agreement
