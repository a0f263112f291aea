"""Which agreement year a payout's condition waits for, and the words that say so."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from agreements.documents import agreement_context
from agreements.models import Agreement, AgreementVersion, Payout
from agreements.services import (
    agreement_mark_ready,
    payout_approve,
    payout_condition_set,
)
from agreements.tests.test_services import sign_both
from agreements.tests.test_views import form_data

pytestmark = pytest.mark.django_db

PREVIOUS = AgreementVersion.PayoutConditionYear.PREVIOUS
COVERED = AgreementVersion.PayoutConditionYear.COVERED


def signed_half_yearly(draft, official, shop_owner, **terms):
    version = draft.first_version()
    version.payout_frequency_months = 6
    for name, value in terms.items():
        setattr(version, name, value)
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    return draft


def conditions(agreement):
    return [
        (p.period_start, p.condition_year, p.requires_followup)
        for p in agreement.payouts.order_by("period_start")[:4]
    ]


def test_half_yearly_payouts_of_year_2_wait_for_year_1_and_year_1s_for_nothing(
    official, colleague, shop_owner, draft
):
    agreement = signed_half_yearly(draft, official, shop_owner)

    assert conditions(agreement) == [
        (date(2026, 1, 1), None, False),
        (date(2026, 7, 1), None, False),
        (date(2027, 1, 1), 1, True),
        (date(2027, 7, 1), 1, True),
    ]
    first = agreement.payouts.get(period_start=date(2026, 1, 1))
    payout_approve(payout=first, by=colleague)
    assert first.status == Payout.Status.APPROVED


def test_a_version_signed_under_the_old_rule_keeps_it(official, shop_owner, draft):
    """Versions made before December 2026 were signed with "covered" (the
    migration's default): each payout in arrears waits for its own year."""
    agreement = signed_half_yearly(
        draft, official, shop_owner, payout_condition_year=COVERED
    )

    assert conditions(agreement) == [
        (date(2026, 1, 1), 1, True),
        (date(2026, 7, 1), 1, True),
        (date(2027, 1, 1), 2, True),
        (date(2027, 7, 1), 2, True),
    ]
    [text] = agreement_context(version=agreement.first_version())["payout_conditions"]
    assert str(text) == (
        "Varje utbetalning kräver att uppföljningen av det avtalsår som "
        "utbetalningen gäller är klar."
    )


def test_the_agreement_page_says_in_words_what_holds_each_payout_back(
    client, official, shop_owner, draft
):
    agreement = signed_half_yearly(draft, official, shop_owner)
    client.force_login(official)

    page = html.unescape(client.get(agreement.get_absolute_url()).content.decode())
    assert page.count("Inga villkor") == 2
    assert page.count("Väntar på uppföljningen av avtalsår 1 (2026)") == 2
    assert page.count("Väntar på uppföljningen av avtalsår 2 (2027)") == 2

    payout_condition_set(agreement=agreement, agreement_year=1, followup_complete=True)

    page = html.unescape(client.get(agreement.get_absolute_url()).content.decode())
    assert "Väntar på uppföljningen av avtalsår 1" not in page
    assert (
        page.count(
            "Villkoret uppfyllt: uppföljningen av avtalsår 1 (2026) är genomförd"
        )
        == 2
    )


@pytest.mark.parametrize(
    ("followup", "report", "received", "words"),
    [
        (False, True, False, "Väntar på årsrapporten för avtalsår 1 (2026/2027)"),
        (
            True,
            True,
            False,
            "Väntar på uppföljningen och årsrapporten för avtalsår 1 (2026/2027)",
        ),
        (
            False,
            True,
            True,
            "Villkoret uppfyllt: årsrapporten för avtalsår 1 (2026/2027) har kommit in",
        ),
        (False, False, False, "Inga villkor"),
    ],
)
def test_the_words_name_the_condition_and_the_calendar_years_of_its_agreement_year(
    followup, report, received, words
):
    payout = Payout(
        agreement=Agreement(starts_on=date(2026, 7, 1)),
        agreement_year=2,
        condition_year=1,
        requires_followup=followup,
        requires_report=report,
        report_received=received,
    )
    assert payout.condition_display == words


def test_a_new_agreements_form_offers_the_previous_year_by_default_and_explains_it(
    client, official, own_outlet, party, catalogue
):
    client.force_login(official)
    page = html.unescape(
        client.get(reverse("agreements:agreement_create")).content.decode()
    )
    assert "Föregående avtalsår (första årets utbetalningar väntar inte på något)" in (
        page
    )
    assert "en halvårsutbetalning hålls inte inne" in page
    assert re.search(
        r"<input type=\"radio\" name=\"payout_condition_year\" "
        r"value=\"previous\"[^>]*checked",
        page,
    )

    data = form_data(own_outlet, party, catalogue[:3], payout_condition_year="covered")
    client.post(reverse("agreements:agreement_create"), data)
    assert Agreement.objects.get().first_version().payout_condition_year == COVERED


def test_a_renewal_starts_from_the_previous_year_rule(official, shop_owner, draft):
    from agreements.services import agreement_renew

    agreement = signed_half_yearly(
        draft, official, shop_owner, payout_condition_year=COVERED
    )
    renewal = agreement_renew(
        agreement=agreement, by=official, starts_on=date(2027, 1, 1)
    )
    assert renewal.first_version().payout_condition_year == PREVIOUS


def test_the_database_refuses_an_unknown_condition_year(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.filter(agreement=draft).update(
            payout_condition_year="never"
        )
