from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation

from agreements.tests.concurrency import (
    at_once,
    municipalities_back_after_the_flush,  # noqa: F401 - autouse for this module
)
from followup.daily import RUN_DAILY_LOCK
from followup.models import FollowUp
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def test_run_daily_creates_the_due_follow_ups_and_plans_the_next_periods_payouts(
    own_outlet,
):
    # A one-year term extended year by year: payouts planned through 2025 only.
    agreement = signed_agreement(
        own_outlet,
        starts_on=date(2025, 1, 1),
        initial_term_months=12,
        payouts_planned_on=date(2025, 6, 1),
    )
    assert not agreement.payouts.filter(period_start__gte=date(2026, 1, 1)).exists()
    out = StringIO()

    call_command("run_daily", stdout=out)
    call_command("run_daily", stdout=out)

    assert FollowUp.objects.filter(agreement=agreement).count() >= 2
    assert agreement.payouts.filter(period_start=date(2026, 1, 1)).count() == 1
    assert "Skapade uppföljningar" in out.getvalue()


def run_daily():
    out = StringIO()
    call_command("run_daily", stdout=out)
    return out.getvalue()


def monthly_agreement_without_payouts(outlet):
    return signed_agreement(
        outlet, starts_on=date(2025, 1, 1), frequency_months=1, payouts_planned_on=None
    )


@pytest.mark.django_db(transaction=True)
def test_six_daily_jobs_started_at_once_plan_each_payout_once(
    municipalities_reloaded,
):
    agreements = [monthly_agreement_without_payouts(OutletFactory()) for _ in range(3)]

    outputs = at_once(*[run_daily for _ in range(6)])

    for agreement in agreements:
        periods = list(agreement.payouts.values_list("period_start", flat=True))
        # Monthly from 2025-01-01 through at least the initial term's 36 months.
        assert len(periods) >= 36
        assert len(periods) == len(set(periods)), "a period planned twice"
    ran = [output for output in outputs if "Skapade uppföljningar" in output]
    skipped = [output for output in outputs if output.startswith("Hoppade över")]
    assert len(ran) >= 1
    assert len(ran) + len(skipped) == 6


@pytest.mark.django_db
def test_a_daily_job_started_while_another_runs_skips_and_logs_it(own_outlet, caplog):
    agreement = monthly_agreement_without_payouts(own_outlet)
    other_run = connections.create_connection("default")
    try:
        with other_run.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)",
                [RUN_DAILY_LOCK, timezone.localdate().toordinal()],
            )
        output = run_daily()
    finally:
        other_run.close()

    assert output == "Hoppade över: en annan körning av run_daily pågår.\n"
    assert "run_daily skipped: another run is under way." in caplog.text
    assert not agreement.payouts.exists()
    assert "Skapade uppföljningar" in run_daily(), "the lock is free again"


def test_run_daily_prints_in_the_configured_language_whatever_is_active(own_outlet):
    signed_agreement(own_outlet, starts_on=date(2025, 1, 1))

    with translation.override("en"):
        output = run_daily()

    assert "Skapade uppföljningar: 2" in output
    assert "Lagrade dokument som inte klarade kontrollen: 0" in output
    assert "Påminnelser skickade: " in output
