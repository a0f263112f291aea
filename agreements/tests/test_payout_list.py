"""The payouts page (issue 16, point 8): every payout of the municipality's
agreements by due date, filtered by status, due date and outlet; several approved
at once under the attestation rules, each refused one named with its reason; one
withheld with a reason; and the finance system's file from the same filter."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Payout
from agreements.services import agreement_mark_ready, payout_approve
from agreements.tests.factories import AgreementFactory
from agreements.tests.test_cancelled_payouts import quarter
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


def waits_for_followup(payout, year=1):
    Payout.objects.filter(pk=payout.pk).update(
        requires_followup=True, followup_complete=False, condition_year=year
    )


def due(payout, on):
    Payout.objects.filter(pk=payout.pk).update(due_on=on)


def page_of(client, **query):
    response = client.get(reverse("agreements:payout_list"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_payouts_page_lists_each_payout_with_outlet_reference_and_condition(
    client, quarterly, colleague
):
    first = quarter(quarterly, date(2026, 1, 1))
    waits_for_followup(first)
    client.force_login(colleague)

    page = page_of(client)

    row = page[page.index(f'id="payout-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Pers Livs" in row
    assert f'href="{quarterly.get_absolute_url()}#payouts-heading"' in row
    assert quarterly.reference in row
    assert "2026-01-01 –<br>2026-03-31" in row
    assert "12\xa0500 kr inkl. moms" in row
    assert "10\xa0000 kr" in row
    assert "Planerad" in row
    assert "Väntar på uppföljningen av avtalsår 1 (2026)" in row


def test_the_payouts_are_sorted_by_due_date(client, quarterly, colleague):
    payouts = list(quarterly.payouts.order_by("period_start"))
    due(payouts[0], date(2030, 1, 1))
    client.force_login(colleague)

    page = page_of(client)

    positions = [page.index(f'id="payout-{payout.pk}"') for payout in payouts]
    assert positions[0] == max(positions)
    assert positions[1:] == sorted(positions[1:])


def test_the_filters_narrow_by_status_due_date_and_outlet(client, quarterly, colleague):
    today = timezone.localdate()
    payouts = list(quarterly.payouts.order_by("period_start"))
    overdue, soon, later, approved = payouts[:4]
    due(overdue, today - timedelta(days=3))
    due(soon, today + timedelta(days=10))
    due(later, today + timedelta(days=60))
    due(approved, today - timedelta(days=20))
    payout_approve(payout=approved, by=colleague)
    client.force_login(colleague)

    def shown(**query):
        page = page_of(client, **query)
        return {p.pk for p in payouts if f'id="payout-{p.pk}"' in page}

    assert shown(due="overdue") >= {overdue.pk, approved.pk}
    assert soon.pk not in shown(due="overdue")
    assert shown(due="30") == {soon.pk}
    assert shown(status="approved") == {approved.pk}
    assert shown(
        due_from=(today + timedelta(days=5)).isoformat(),
        due_to=(today + timedelta(days=70)).isoformat(),
    ) >= {soon.pk, later.pk}
    assert overdue.pk not in shown(due_from=today.isoformat())
    other = AgreementFactory()
    assert shown(outlet=other.outlet_id) == set()
    assert shown(outlet=quarterly.outlet_id) >= {overdue.pk, soon.pk}
    # A bad value is ignored, as on the other lists.
    assert shown(due="soon", status="nonsense", due_from="igår") >= {overdue.pk}


def test_paid_and_cancelled_payouts_are_left_out_unless_asked_for(
    client, quarterly, colleague, official
):
    from agreements.services import payout_cancel, payout_mark_paid

    paid, cancelled = list(quarterly.payouts.order_by("period_start"))[:2]
    payout_approve(payout=paid, by=colleague)
    payout_mark_paid(payout=paid, by=colleague)
    payout_cancel(payout=cancelled, by=official, reason="Dubbelregistrerad.")
    client.force_login(colleague)

    assert f'id="payout-{paid.pk}"' not in page_of(client)
    assert f'id="payout-{cancelled.pk}"' not in page_of(client)
    assert f'id="payout-{paid.pk}"' in page_of(client, status="paid")
    everything = page_of(client, status="all")
    assert f'id="payout-{cancelled.pk}"' in everything
    assert "Dubbelregistrerad." in everything


def test_the_sum_of_the_selection_leaves_out_cancelled_payouts(
    client, quarterly, official, colleague
):
    """Money never to be paid is not in the sum an official reads as money."""
    from agreements.services import payout_cancel

    first = quarterly.payouts.order_by("period_start").first()
    payout_cancel(payout=first, by=official, reason="Dubbelregistrerad.")
    rows = quarterly.payouts.count()
    client.force_login(colleague)

    page = page_of(client, status="all").replace("\xa0", " ")

    counted = rows - 1
    money = f"{counted * 10_000:,}".replace(",", " ")
    assert f"{counted} utbetalningar, {money} kr exkl. moms" in page
    assert "1 makulerad utbetalning visas men räknas inte" in page


def test_approving_two_at_once_approves_one_and_refuses_the_other_with_the_reason(
    client, quarterly, colleague
):
    waiting, ready = list(quarterly.payouts.order_by("period_start"))[:2]
    waits_for_followup(waiting)
    client.force_login(colleague)
    back = reverse("agreements:payout_list") + "?status=planned"

    response = client.post(
        reverse("agreements:payouts_approve"),
        {"payout": [waiting.pk, ready.pk], "next": back},
        follow=True,
    )

    assert response.redirect_chain == [(back, 302)]
    page = response.content.decode()
    assert "1 utbetalning är godkänd." in page
    assert (
        f"Inte godkänd: Pers Livs, {quarterly.reference}, förfaller "
        f"{waiting.due_on.isoformat()}. Utbetalningen väntar på uppföljningen av "
        "avtalsår 1."
    ) in page
    waiting.refresh_from_db()
    ready.refresh_from_db()
    assert (waiting.status, ready.status) == ("planned", "approved")
    assert ready.status_changed_by == colleague


def test_who_drafted_the_agreement_is_refused_each_payout_and_none_is_approved(
    client, quarterly, official
):
    payouts = list(quarterly.payouts.order_by("period_start"))[:2]
    client.force_login(official)

    response = client.post(
        reverse("agreements:payouts_approve"),
        {"payout": [p.pk for p in payouts]},
        follow=True,
    )

    page = response.content.decode()
    assert page.count("Inte godkänd: Pers Livs") == 2
    assert "förfaller 2026-05-01. Du upprättade avtalet: enligt attestordningen" in page
    assert "är godkänd" not in page
    assert not Payout.objects.filter(status="approved").exists()


def test_unconfirmed_bank_details_and_an_approved_payout_are_refused(
    client, quarterly, colleague, official
):
    from agreements.models import Party

    first, second = list(quarterly.payouts.order_by("period_start"))[:2]
    payout_approve(payout=first, by=colleague)
    client.force_login(colleague)

    page = client.post(
        reverse("agreements:payouts_approve"), {"payout": [first.pk]}, follow=True
    ).content.decode()
    assert "Bara en planerad utbetalning kan godkännas." in page

    Party.objects.filter(pk=quarterly.party_id).update(
        pending_bankgiro="5050-1030", pending_entered_by=official
    )
    page = client.post(
        reverse("agreements:payouts_approve"), {"payout": [second.pk]}, follow=True
    ).content.decode()
    assert "Mottagarens bankuppgifter väntar på att en andra person" in page
    second.refresh_from_db()
    assert second.status == "planned"


def test_another_municipalitys_payout_in_the_selection_is_not_found_and_none_approved(
    client, quarterly, colleague
):
    own = quarter(quarterly, date(2026, 1, 1))
    foreign = AgreementFactory(municipality=municipality("2480"))
    other = Payout.objects.create(
        agreement=foreign,
        agreement_year=1,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        due_on=date(2027, 1, 31),
        amount=40_000,
        vat_amount=10_000,
    )
    client.force_login(colleague)

    response = client.post(
        reverse("agreements:payouts_approve"), {"payout": [own.pk, other.pk]}
    )

    assert response.status_code == 404
    own.refresh_from_db()
    assert own.status == "planned"


def test_nothing_ticked_says_so(client, colleague, quarterly):
    client.force_login(colleague)
    page = client.post(
        reverse("agreements:payouts_approve"), {"payout": ["x"]}, follow=True
    ).content.decode()
    assert "Kryssa för de utbetalningar som ska godkännas." in page


def test_the_page_withholds_a_payout_with_a_reason_and_comes_back_to_its_filter(
    client, quarterly, colleague
):
    payout = quarter(quarterly, date(2026, 4, 1))
    client.force_login(colleague)
    page = page_of(client)
    withhold = reverse("agreements:payout_withhold", args=[payout.pk])
    assert f'action="{withhold}"' in page
    assert f'id="withhold-reason-{payout.pk}"' in page
    back = reverse("agreements:payout_list") + f"?outlet={quarterly.outlet_id}"

    response = client.post(
        withhold, {"reason": "Butiken stängd i april.", "next": back}, follow=True
    )

    assert response.redirect_chain == [(back, 302)]
    assert "Utbetalningen hålls inne." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == "withheld"
    assert payout.withheld_reason == "Butiken stängd i april."


def test_withholding_without_a_reason_is_refused_and_nothing_changes(
    client, quarterly, colleague
):
    payout = quarter(quarterly, date(2026, 4, 1))
    client.force_login(colleague)
    back = reverse("agreements:payout_list")

    response = client.post(
        reverse("agreements:payout_withhold", args=[payout.pk]),
        {"reason": " ", "next": back},
        follow=True,
    )

    assert "Skriv varför utbetalningen hålls inne." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == "planned"


def test_a_withhold_sends_nobody_to_another_site(client, quarterly, colleague):
    payout = quarter(quarterly, date(2026, 4, 1))
    client.force_login(colleague)
    response = client.post(
        reverse("agreements:payout_withhold", args=[payout.pk]),
        {"reason": "Stängt.", "next": "https://evil.example/agreements/payouts/"},
    )
    assert response["Location"] == quarterly.get_absolute_url()


def test_the_agreement_page_has_a_withhold_button_per_payable_payout(
    client, quarterly, colleague
):
    payout = quarter(quarterly, date(2026, 4, 1))
    client.force_login(colleague)
    page = client.get(quarterly.get_absolute_url()).content.decode()
    assert f'action="{reverse("agreements:payout_withhold", args=[payout.pk])}"' in page
    assert "Håll inne utbetalningen" in page


def test_the_export_link_carries_the_filter_and_the_file_follows_it(
    client, quarterly, colleague
):
    today = timezone.localdate()
    soon, later = list(quarterly.payouts.order_by("period_start"))[:2]
    due(soon, today + timedelta(days=10))
    due(later, today + timedelta(days=60))
    for payout in (soon, later):
        payout_approve(payout=payout, by=colleague)
    client.force_login(colleague)

    page = page_of(client, due="30", page="1")
    export = reverse("agreements:payout_export") + "?due=30"
    assert f'href="{export}"' in page

    rows = list(
        csv.reader(
            io.StringIO(client.get(export).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [row[11] for row in rows[1:]] == [soon.due_on.isoformat()]
    everything = client.get(reverse("agreements:payout_export")).content.decode()
    assert later.due_on.isoformat() in everything


@pytest.mark.parametrize("url_name", ["payout_list", "payout_export"])
def test_shop_owners_and_regional_viewers_find_no_payouts_page(
    client, shop_owner, regional_viewer, url_name
):
    for user in (shop_owner, regional_viewer):
        client.force_login(user)
        assert client.get(reverse(f"agreements:{url_name}")).status_code == 404


def test_the_agreements_list_and_the_budget_link_to_the_payouts_page(client, official):
    client.force_login(official)
    link = f'href="{reverse("agreements:payout_list")}"'
    assert link in client.get(reverse("agreements:agreement_list")).content.decode()
    assert link in client.get(reverse("agreements:budget")).content.decode()


@pytest.mark.parametrize("payees", [3, 30])
def test_the_payouts_page_reads_the_same_queries_for_3_or_30_payees(
    client, colleague, payees, django_assert_max_num_queries
):
    """Each agreement with a party of its own: the attestation hint beside each
    payout reads the payee with the rows, not once a row."""
    for agreement in AgreementFactory.create_batch(
        payees,
        state=Agreement.State.SIGNED,
        signed_on=date(2025, 12, 1),
        starts_on=date(2026, 1, 1),
    ):
        Payout.objects.create(
            agreement=agreement,
            agreement_year=1,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            due_on=date(2026, 4, 30),
            amount=10_000,
            vat_amount=2_500,
        )
    client.force_login(colleague)

    with django_assert_max_num_queries(10):
        page = page_of(client)

    assert page.count('name="payout"') == payees
