"""The delegation and attestation orders: no one commits the municipality's money
alone (issue 14)."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pghistory.models import Events

from accounts.tests.factories import TEST_PASSWORD
from agreements.models import Agreement, AgreementVersion, Delegation, Party, Payout
from agreements.services import (
    agreement_approve_compensation,
    agreement_mark_ready,
    agreement_sign,
    agreement_update_draft,
    delegation_set,
    party_confirm_bank_details,
    party_save,
    payout_approve,
    payout_condition_set,
)
from agreements.tests.conftest import TERMS, lines

pytestmark = pytest.mark.django_db

DRAFTED_IT = (
    "Du upprättade avtalet: enligt attestordningen beslutsattesterar en annan "
    "handläggare eller administratör dess utbetalningar."
)
BANK_DETAILS_WAIT = (
    "Mottagarens bankuppgifter väntar på att en andra person bekräftar dem: "
    "utbetalningen kan beslutsattesteras när de är bekräftade."
)
OWN_BANK_DETAILS = (
    "Du angav själv bankuppgifterna: en annan handläggare eller administratör i "
    "kommunen måste bekräfta dem."
)
NEEDS_APPROVAL = (
    "En administratör måste godkänna ersättningen innan avtalet kan göras klart "
    "för underskrift."
)


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def text(error):
    """An error's messages as read: kronor are grouped with no-break spaces."""
    return [message.replace("\xa0", " ") for message in error.value.messages]


def sign(agreement, user, side, name="Johan Berg"):
    return agreement_sign(
        agreement=agreement,
        by=user,
        side=side,
        name=name,
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )


@pytest.fixture
def signed(draft, official, shop_owner):
    """The official's draft, made ready and signed by the official and the shop
    owner, its first year's follow-up done: a payout waits for approval."""
    agreement_mark_ready(agreement=draft, by=official)
    sign(draft, official, "municipality")
    sign(draft, shop_owner, "party", name="Per Lindberg")
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    return draft


def first_payout(agreement):
    return agreement.payouts.get(agreement_year=1)


def with_compensation(agreement, official, amount, justification="Glesbygdstillägg"):
    agreement_update_draft(
        agreement=agreement,
        by=official,
        version_fields=dict(
            TERMS,
            annual_compensation=amount,
            compensation_justification=justification,
        ),
        services=lines(agreement.municipality.services.all()),
    )


def test_one_official_cannot_draft_sign_and_approve_the_payout_alone(
    client, official, signed
):
    payout = first_payout(signed)
    events_before = Events.objects.count()
    client.force_login(official)

    page = (
        client.post(reverse("agreements:payout_approve", args=[payout.pk]), follow=True)
        .content.decode()
        .replace("\xa0", " ")
    )

    assert DRAFTED_IT in page
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED
    assert payout.status_changed_by is None
    assert Events.objects.count() == events_before
    with pytest.raises(ValidationError) as error:
        payout_approve(payout=payout, by=official)
    assert error.value.code == "drafted_by_approver"


def test_the_agreement_page_tells_the_drafter_that_someone_else_approves(
    client, official, signed
):
    client.force_login(official)
    page = client.get(signed.get_absolute_url()).content.decode().replace("\xa0", " ")
    assert DRAFTED_IT in page
    assert reverse("agreements:payout_approve", args=[first_payout(signed).pk]) not in (
        page
    )


def test_a_second_official_approves_the_payout(colleague, signed):
    payout = payout_approve(payout=first_payout(signed), by=colleague)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.APPROVED
    assert payout.status_changed_by == colleague


def test_who_entered_the_bank_details_does_not_approve_the_payout(
    administrator, colleague, signed
):
    # The colleague changes the bank details, the administrator confirms them.
    party = Party.objects.get(pk=signed.party_id)
    party.bankgiro = "555-5123"
    party_save(party=party, by=colleague)
    party_confirm_bank_details(party=party, by=administrator)

    with pytest.raises(ValidationError) as error:
        payout_approve(payout=first_payout(signed), by=colleague)

    assert text(error) == [
        "Du angav mottagarens bankuppgifter: enligt attestordningen "
        "beslutsattesterar en annan handläggare eller administratör utbetalningen."
    ]
    assert first_payout(signed).status == Payout.Status.PLANNED


def test_a_bank_detail_change_waits_for_a_second_person_and_blocks_payout_approval(
    client, official, colleague, administrator, signed
):
    client.force_login(official)
    party = signed.party
    response = client.post(
        reverse("agreements:party_update", args=[party.pk]),
        {
            "name": party.name,
            "organisation_number": party.organisation_number,
            "bankgiro": "555-5123",
            "signatory_name": party.signatory_name,
            "signatory_title": party.signatory_title,
            "supplier_number": "LEV-1042",
        },
        follow=True,
    )
    assert (
        "De nya bankuppgifterna gäller först när en annan handläggare eller "
        "administratör har bekräftat dem."
    ) in response.content.decode().replace("\xa0", " ")
    party.refresh_from_db()
    # Payouts still go to the confirmed bankgiro; the new one waits.
    assert party.bankgiro == "5050-1055"
    assert (party.pending_bankgiro, party.pending_entered_by) == ("555-5123", official)
    assert party.supplier_number == "LEV-1042"

    with pytest.raises(ValidationError) as error:
        payout_approve(payout=first_payout(signed), by=colleague)
    assert text(error) == [BANK_DETAILS_WAIT]
    assert first_payout(signed).status == Payout.Status.PLANNED

    party_confirm_bank_details(party=party, by=administrator)
    party.refresh_from_db()
    assert (party.bankgiro, party.pending_bankgiro) == ("555-5123", "")
    assert party.bank_details_confirmed_by == administrator
    payout_approve(payout=first_payout(signed), by=colleague)
    assert first_payout(signed).status == Payout.Status.APPROVED


def test_a_new_partys_bank_details_wait_for_a_second_person(
    official, colleague, unconfirmed_party, own_outlet, catalogue
):
    assert not unconfirmed_party.bank_details_confirmed
    assert unconfirmed_party.bank_details_entered_by == official
    confirmed = party_confirm_bank_details(party=unconfirmed_party, by=colleague)
    assert confirmed.bank_details_confirmed
    assert confirmed.bankgiro == "5050-1055"


def test_the_same_person_cannot_confirm_their_own_bank_detail_change(
    client, official, party
):
    party.bankgiro = "555-5123"
    party_save(party=party, by=official)
    client.force_login(official)

    page = (
        client.post(
            reverse("agreements:party_confirm_bank_details", args=[party.pk]),
            follow=True,
        )
        .content.decode()
        .replace("\xa0", " ")
    )

    assert OWN_BANK_DETAILS in page
    party.refresh_from_db()
    assert party.bankgiro == "5050-1055"
    assert party.pending_bankgiro == "555-5123"
    assert not party.bank_details_confirmed


def test_a_bankgiro_with_a_wrong_check_digit_is_refused(client, official, party):
    client.force_login(official)
    response = client.post(
        reverse("agreements:party_update", args=[party.pk]),
        {
            "name": party.name,
            "organisation_number": party.organisation_number,
            "bankgiro": "999-9999",
            "signatory_name": party.signatory_name,
            "signatory_title": party.signatory_title,
        },
    )
    assert "Bankgironumret är inte giltigt" in response.content.decode()
    party.refresh_from_db()
    assert party.bankgiro == "5050-1055" and party.pending_bankgiro == ""


def test_an_agreement_outside_the_range_needs_an_administrators_approval(
    client, official, administrator, draft, settings
):
    with_compensation(draft, official, 60_000)
    files_before = media_files(settings)
    client.force_login(official)

    page = (
        client.post(reverse("agreements:agreement_ready", args=[draft.pk]), follow=True)
        .content.decode()
        .replace("\xa0", " ")
    )

    assert (
        "60 000 kr per år ligger utanför det rekommenderade intervallet "
        "30 000 kr–50 000 kr."
    ) in page
    assert NEEDS_APPROVAL in page
    draft.refresh_from_db()
    assert (draft.state, draft.reference) == (Agreement.State.DRAFT, "")
    assert not draft.first_version().is_frozen
    assert media_files(settings) == files_before

    # Officials do not approve; an administrator does, then the official goes on.
    assert (
        client.post(
            reverse("agreements:agreement_approve_compensation", args=[draft.pk])
        ).status_code
        == 404
    )
    agreement_approve_compensation(agreement=draft, by=administrator)
    agreement_mark_ready(agreement=draft, by=official)
    draft.refresh_from_db()
    assert draft.state == Agreement.State.READY


def test_an_agreement_above_the_signers_delegation_needs_an_administrators_approval(
    official, administrator, draft
):
    delegation_set(user=official, max_annual_compensation=35_000, by=administrator)

    with pytest.raises(ValidationError) as error:
        agreement_mark_ready(agreement=draft, by=official)

    assert text(error) == [
        "40 000 kr per år är mer än din delegation på 35 000 kr. " + NEEDS_APPROVAL
    ]
    assert error.value.code == "compensation_needs_approval"
    draft.refresh_from_db()
    assert draft.state == Agreement.State.DRAFT


def test_an_approval_holds_for_the_amount_approved_only(official, administrator, draft):
    with_compensation(draft, official, 60_000)
    agreement_approve_compensation(agreement=draft, by=administrator)
    with_compensation(draft, official, 90_000)

    with pytest.raises(ValidationError) as error:
        agreement_mark_ready(agreement=draft, by=official)

    assert "90 000 kr per år" in text(error)[0]


def test_the_municipality_signs_within_the_signers_delegation(
    official, colleague, administrator, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    delegation_set(user=colleague, max_annual_compensation=30_000, by=administrator)

    with pytest.raises(ValidationError) as error:
        sign(draft, colleague, "municipality")

    assert text(error) == [
        "40 000 kr per år är mer än din delegation på 30 000 kr: någon med större "
        "delegation skriver under för kommunen, eller så godkänner en administratör "
        "ersättningen först."
    ]
    assert not draft.first_version().signatures.exists()


def test_the_municipalitys_paper_signature_is_recorded_within_the_recorders_delegation(
    client, settings, official, colleague, administrator, draft
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.demo import DEMO_SCAN

    agreement_mark_ready(agreement=draft, by=official)
    delegation_set(user=colleague, max_annual_compensation=30_000, by=administrator)
    media = Path(settings.MEDIA_ROOT)
    files_before = {p for p in media.rglob("*") if p.is_file()}
    client.force_login(colleague)

    response = client.post(
        reverse("agreements:agreement_sign_paper", args=[draft.pk]),
        {
            "side": "municipality",
            "name": "Johan Berg",
            "title": "Näringslivsutvecklare",
            "paper_scan": SimpleUploadedFile("scan.pdf", DEMO_SCAN),
        },
    )

    assert response.status_code == 400
    page = response.content.decode().replace("\xa0", " ")
    assert "40 000 kr per år är mer än din delegation på 30 000 kr" in page
    assert not draft.first_version().signatures.exists()
    assert {p for p in media.rglob("*") if p.is_file()} == files_before

    # The party's paper signature is no matter of the municipality's delegation.
    client.post(
        reverse("agreements:agreement_sign_paper", args=[draft.pk]),
        {
            "side": "party",
            "name": "Per Lindberg",
            "title": "VD",
            "paper_scan": SimpleUploadedFile("scan.pdf", DEMO_SCAN),
        },
    )
    assert list(draft.first_version().signatures.values_list("side", flat=True)) == [
        "party"
    ]


def test_decisions_are_in_the_history_with_who_and_when(
    client, official, colleague, administrator, draft
):
    with_compensation(draft, official, 60_000)
    party = draft.party

    def as_user(user, name, pk=None, data=None):
        client.force_login(user)
        args = [pk] if pk else []
        client.post(reverse(f"agreements:{name}", args=args), data or {})

    as_user(administrator, "agreement_approve_compensation", draft.pk)
    as_user(
        colleague,
        "party_update",
        party.pk,
        {
            "name": party.name,
            "organisation_number": party.organisation_number,
            "bankgiro": "555-5123",
            "signatory_name": party.signatory_name,
            "signatory_title": party.signatory_title,
        },
    )
    as_user(official, "party_confirm_bank_details", party.pk)
    as_user(
        administrator,
        "delegations",
        data={"user": colleague.pk, "max_annual_compensation": "45000"},
    )

    def history(url):
        page = client.get(url).content.decode()
        return page[page.index("Ändringshistorik") :]

    agreement_history = history(draft.get_absolute_url())
    assert "ersättningen godkänd av" in agreement_history
    assert administrator.full_name in agreement_history
    party_history = history(reverse("agreements:party_update", args=[party.pk]))
    assert "bankuppgifterna bekräftade av" in party_history
    assert "nytt bankgironummer att bekräfta" in party_history
    assert official.full_name in party_history and colleague.full_name in party_history
    delegation_history = history(reverse("agreements:delegations"))
    assert "Delegation skapades" in delegation_history
    assert administrator.full_name in delegation_history
    version = AgreementVersion.objects.get(agreement=draft)
    assert version.compensation_approved_by == administrator
    assert version.compensation_approved_at is not None


def test_an_administrator_keeps_the_delegation_order_and_officials_find_nothing(
    client, official, administrator
):
    client.force_login(official)
    assert client.get(reverse("agreements:delegations")).status_code == 404
    client.force_login(administrator)

    response = client.post(
        reverse("agreements:delegations"),
        {"user": official.pk, "max_annual_compensation": "45000"},
        follow=True,
    )

    assert "Delegationen har sparats." in response.content.decode().replace("\xa0", " ")
    assert Delegation.objects.get(user=official).max_annual_compensation == 45_000
    assert "45 000 kr" in response.content.decode().replace("\xa0", " ")


def test_the_delegation_order_lists_only_staff_who_can_still_sign(
    client, official, colleague, administrator
):
    delegation_set(user=official, max_annual_compensation=45_000, by=administrator)
    delegation_set(user=colleague, max_annual_compensation=40_000, by=administrator)
    colleague.is_active = False
    colleague.save()
    client.force_login(administrator)

    page = client.get(reverse("agreements:delegations")).content.decode()

    page = page.replace("\xa0", " ")
    assert "45 000 kr" in page
    assert "40 000 kr" not in page


def test_delegations_are_given_to_the_own_municipalitys_staff_only(
    administrator, umea_official
):
    with pytest.raises(PermissionDenied):
        delegation_set(
            user=umea_official, max_annual_compensation=10_000, by=administrator
        )
    assert not Delegation.objects.exists()


def test_a_failure_after_the_frozen_document_is_written_leaves_no_file(
    settings, monkeypatch, official, draft
):
    files_before = media_files(settings)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(AgreementVersion, "save", fail)
    with pytest.raises(RuntimeError):
        agreement_mark_ready(agreement=draft, by=official)

    assert media_files(settings) == files_before
    draft.refresh_from_db()
    assert draft.state == Agreement.State.DRAFT
