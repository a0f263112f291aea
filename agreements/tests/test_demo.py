"""The demo tells the story the README tells: its five service points, their
agreements and dates, and the one warning it shows on purpose."""

import io
import re
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from agreements.models import Agreement, Signature
from agreements.selectors import missed_deadlines
from agreements.terms import last_day_of_month, period_end
from outlets.models import Municipality

pytestmark = pytest.mark.django_db

STATES = {
    "in force": "in_force",
    "under notice": "notice_given",
    "ready for signature": "ready",
    "draft": "draft",
}


def readme_service_points():
    """The rows of the README's table of the demo's five service points."""
    text = (django_settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("### The five service points in the demo", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
    ]
    header, *body = rows
    assert header[0] == "service point"
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_demo_holds_the_service_points_agreements_and_dates_the_readme_tells(
    settings, client
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    nordmaling = Municipality.objects.get(code="2401")
    agreements = Agreement.objects.filter(municipality=nordmaling).select_related(
        "outlet__locality", "party"
    )

    rows = readme_service_points()
    assert len(rows) == 5
    assert agreements.count() == 5
    with translation.override("en"):
        for row in rows:
            agreement = agreements.get(outlet__name=row["service point"])
            outlet, version = agreement.outlet, agreement.first_version()
            assert outlet.locality.name == row["village"]
            assert outlet.get_kind_display() == row["kind"]
            assert agreement.party.name == row["contracting party"]
            assert agreement.status_on(today) == STATES[row["agreement"]]
            if row["starts"] == "today":
                assert version.starts_on == today
            else:
                offset = int(re.fullmatch(r"1 January Y([+-]\d)", row["starts"])[1])
                assert version.starts_on == date(today.year + offset, 1, 1)
            if row["initial term"] == "to the end of the current month":
                assert period_end(
                    version.starts_on, version.initial_term_months
                ) == date(
                    today.year, today.month, last_day_of_month(today.year, today.month)
                )
            else:
                assert f"{version.initial_term_months} months" == row["initial term"]
            # What the README says of them all.
            assert version.annual_compensation == 40_000
            assert version.services.count() == 4
            assert version.extension_months == 12
            assert version.notice_period_months == 3
            assert version.decision_lead_days == 30
            assert agreement.created_by.full_name == "Johan Berg"

    for agreement in agreements:
        version = agreement.first_version()
        signatures = {
            signature.side: timezone.localdate(signature.signed_at)
            for signature in version.signatures.all()
        }
        if agreement.state == Agreement.State.SIGNED:
            # Signed after the decision, before the start, never in the future:
            # the municipality first, the shop two days later.
            municipality = signatures[Signature.Side.MUNICIPALITY]
            party = signatures[Signature.Side.PARTY]
            assert version.decision_date < municipality < party < version.starts_on
            assert party < today
            assert agreement.signed_on == party
            assert timezone.localdate(version.signed_at) == party
            assert timezone.localdate(agreement.created_at) < version.decision_date
        else:
            assert signatures == {}
            assert version.starts_on >= today
        if agreement.state == Agreement.State.READY:
            assert version.decision_date < today
        # Paid on the day they fell due, none after today.
        for payout in agreement.payouts.filter(status="paid"):
            assert timezone.localdate(payout.status_changed_at) == payout.due_on
            assert payout.due_on < today

    # The one warning the demo shows on purpose: ICA Lundins' passed deadline.
    (missed,) = missed_deadlines(municipality=nordmaling)
    assert missed.agreement.outlet.name == "ICA Lundins"
    assert missed.kind == "notice"
    assert missed.on < today <= missed.period_end
    warning = (
        f"Sista dag att säga upp avtalet var {missed.on.isoformat()} och inget "
        "beslut är registrerat"
    )
    client.force_login(User.objects.get(email="handlaggare@nordmaling.example"))
    assert warning in client.get(missed.agreement.get_absolute_url()).content.decode()
    assert warning in client.get(reverse("start")).content.decode()
