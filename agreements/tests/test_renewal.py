"""Renewals and changes of owner: a new agreement replaces the old one."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Agreement, Party
from agreements.services import (
    agreement_change_owner,
    agreement_give_notice,
    agreement_mark_ready,
    agreement_renew,
    agreement_sign,
    party_save,
)
from agreements.tests.test_services import sign_both

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(official, shop_owner, draft):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def new_party(official):
    return party_save(
        party=Party(
            name="Nya Byaboden ek. för.",
            organisation_number="769600-1234",
            plusgiro="12345-5",
            signatory_name="Anna Nyström",
            signatory_title="Ordförande",
        ),
        by=official,
    )


def sign_on_paper(agreement, official):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.demo import DEMO_SCAN

    for side in ("municipality", "party"):
        agreement_sign(
            agreement=agreement,
            by=official,
            side=side,
            name="Underskrift",
            title="Firmatecknare",
            paper_scan=SimpleUploadedFile("scan.pdf", DEMO_SCAN),
        )


def test_a_change_of_owner_ends_the_agreement_and_the_old_owners_access_and_drafts_anew(
    official, shop_owner, signed, new_party
):
    renewal = agreement_change_owner(
        agreement=signed,
        by=official,
        handover_on=date(2026, 7, 1),
        party=new_party,
        end_access_for=[shop_owner],
    )

    signed.refresh_from_db()
    assert signed.ends_on == date(2026, 6, 30)
    assert signed.status_on(date(2026, 7, 1)) == "ended"
    assert "Nya Byaboden" in signed.early_end_reason
    # The year's payout in arrears now covers the half year the old owner ran it;
    # the full year's and the later years' are cancelled, with why.
    payout = signed.payouts.exclude(status="cancelled").get()
    assert (payout.period_start, payout.period_end) == (
        date(2026, 1, 1),
        date(2026, 6, 30),
    )
    assert payout.amount == 40_000 * 181 // 365
    cancelled = signed.payouts.filter(status="cancelled")
    assert cancelled.count() == 3
    assert {p.cancelled_reason for p in cancelled} == {signed.early_end_reason}
    shop_owner.refresh_from_db()
    assert not shop_owner.outlets.exists() and not shop_owner.is_active
    assert not Agreement.objects.visible_to(shop_owner).exists()

    assert renewal.state == Agreement.State.DRAFT
    assert (renewal.party, renewal.replaces, renewal.outlet) == (
        new_party,
        signed,
        signed.outlet,
    )
    version = renewal.first_version()
    assert version.starts_on == date(2026, 7, 1)
    assert version.annual_compensation == 40_000
    assert version.services.count() == 4

    agreement_mark_ready(agreement=renewal, by=official)
    sign_on_paper(renewal, official)
    renewal.refresh_from_db()
    assert renewal.status_on(date(2026, 7, 1)) == "in_force"
    assert list(Agreement.objects.in_force(date(2026, 7, 1))) == [renewal]
    assert list(Agreement.objects.in_force(date(2026, 6, 30))) == [signed]


def test_a_renewal_replaces_an_open_ended_agreement_from_its_start_once_signed(
    official, shop_owner, signed
):
    renewal = agreement_renew(agreement=signed, by=official, starts_on=date(2027, 1, 1))
    signed.refresh_from_db()
    assert signed.ends_on is None, "the draft renewal changes nothing yet"

    agreement_mark_ready(agreement=renewal, by=official)
    sign_both(renewal, official, shop_owner)

    signed.refresh_from_db()
    assert signed.ends_on == date(2026, 12, 31)
    assert renewal.reference in signed.early_end_reason
    # Years 2 and 3 are cancelled: the replaced agreement ends with year 1.
    assert signed.payouts.exclude(status="cancelled").get().amount == 40_000
    assert [
        (p.agreement_year, p.cancelled_reason)
        for p in signed.payouts.filter(status="cancelled")
    ] == [(2, signed.early_end_reason), (3, signed.early_end_reason)]
    assert list(Agreement.objects.in_force(date(2027, 1, 1))) == [renewal]


def test_a_renewal_after_notice_starts_the_day_after_the_end(official, signed):
    agreement_give_notice(
        agreement=signed,
        by=official,
        given_on=date(2028, 9, 30),
        given_by="municipality",
        reason="Nytt avtal med nya villkor.",
    )
    renewal = agreement_renew(agreement=signed, by=official)
    assert renewal.first_version().starts_on == date(2029, 1, 1)
    assert renewal.reference == ""
    agreement_mark_ready(agreement=renewal, by=official)
    renewal.refresh_from_db()
    assert renewal.reference == "SP-2401-2029-001"


def test_only_a_signed_agreement_is_renewed_and_only_once(official, draft, signed):
    with pytest.raises(ValidationError) as error:
        agreement_renew(agreement=signed, by=official)
    assert "starts_on" in error.value.error_dict
    agreement_renew(agreement=signed, by=official, starts_on=date(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        agreement_renew(agreement=signed, by=official, starts_on=date(2027, 1, 1))
    assert error.value.code == "renewed_twice"


def test_a_change_of_owner_needs_a_new_party_and_a_handover_that_has_happened(
    official, shop_owner, signed, new_party
):
    with pytest.raises(ValidationError) as error:
        agreement_change_owner(
            agreement=signed,
            by=official,
            handover_on=date(2026, 7, 1),
            party=signed.party,
        )
    assert "party" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        agreement_change_owner(
            agreement=signed,
            by=official,
            handover_on=date(2099, 1, 1),
            party=new_party,
        )
    assert "handover_on" in error.value.error_dict
    signed.refresh_from_db()
    assert signed.ends_on is None
    assert shop_owner.outlets.exists()


def test_a_change_of_owner_is_recorded_from_the_agreement_page(
    client, official, shop_owner, signed, new_party
):
    client.force_login(official)
    page = client.get(signed.get_absolute_url())
    assert "Registrera ägarbyte" in page.content.decode()

    response = client.post(
        f"/agreements/{signed.pk}/change-owner/",
        {
            "handover_on": "2026-07-01",
            "party": new_party.pk,
            "end_access_for": [shop_owner.pk],
        },
    )

    renewal = Agreement.objects.get(replaces=signed)
    assert response.status_code == 302
    assert response.url == renewal.get_absolute_url()
    shop_owner.refresh_from_db()
    assert not shop_owner.is_active
    page = client.get(response.url).content.decode()
    assert "Ersätter" in page and signed.reference in page


def test_a_forged_change_of_owner_for_someone_elses_account_changes_nothing(
    client, official, signed, new_party
):
    bystander = UserFactory(shop_owner=True, email="annan@butik.example")
    client.force_login(official)
    response = client.post(
        f"/agreements/{signed.pk}/change-owner/",
        {
            "handover_on": "2026-07-01",
            "party": new_party.pk,
            "end_access_for": [bystander.pk],
        },
    )
    assert response.status_code == 400
    signed.refresh_from_db()
    bystander.refresh_from_db()
    assert signed.ends_on is None and bystander.is_active
    assert not Agreement.objects.filter(replaces=signed).exists()


def test_the_old_owner_cannot_sign_in_after_the_change_of_owner(
    client, official, shop_owner, signed, new_party
):
    agreement_change_owner(
        agreement=signed,
        by=official,
        handover_on=date(2026, 7, 1),
        party=new_party,
        end_access_for=[shop_owner],
    )
    response = client.post(
        reverse("accounts:login"),
        {"username": shop_owner.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
