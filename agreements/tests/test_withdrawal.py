"""Withdrawing an agreement that was never signed (Swedish: *återkalla*), deleting a
draft, and withholding a payout from the agreement page (issue 16, points 4 and 8).

A withdrawn agreement stays, with its reason and its frozen document, as a record;
only a draft, which has no reference number yet, can be deleted."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Agreement, AgreementEvent, AgreementVersion, Payout
from agreements.services import (
    agreement_draft_delete,
    agreement_mark_ready,
    agreement_sign,
    agreement_update_draft,
    agreement_withdraw,
)
from agreements.tests.conftest import TERMS, lines
from agreements.tests.test_cancelled_payouts import quarter, quarterly  # noqa: F401
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(draft, official):
    return agreement_mark_ready(agreement=draft, by=official)


def official_of_another_municipality():
    return UserFactory(email="official@umea.example", municipality=municipality("2480"))


def test_an_agreement_ready_for_signature_is_withdrawn_and_kept_with_its_document(
    ready, colleague
):
    document = ready.first_version().document_sha256

    agreement_withdraw(agreement=ready, by=colleague, reason="Butiken säljs i vår.")

    ready.refresh_from_db()
    assert ready.state == Agreement.State.WITHDRAWN
    assert ready.get_state_display() == "Återkallat"
    assert ready.status_on() == "withdrawn"
    assert (ready.withdrawn_by, ready.withdrawn_reason) == (
        colleague,
        "Butiken säljs i vår.",
    )
    assert ready.reference.startswith("SP-")
    assert ready.first_version().document_sha256 == document
    assert ready.first_version().document


def test_a_withdrawn_agreement_can_no_longer_be_signed_changed_or_made_ready(
    ready, draft, official, shop_owner, catalogue
):
    agreement_withdraw(agreement=ready, by=official, reason="Ingen affär.")

    with pytest.raises(ValidationError) as error:
        agreement_sign(
            agreement=ready,
            by=shop_owner,
            side="party",
            name="Per Lindberg",
            title="VD",
            password=TEST_PASSWORD,
        )
    assert error.value.messages == [
        "Avtalet är återkallat och kan inte längre ändras eller skrivas under."
    ]
    with pytest.raises(ValidationError):
        agreement_withdraw(agreement=ready, by=official, reason="Igen.")
    assert not ready.first_version().signatures.exists()


def test_a_withdrawn_draft_keeps_no_reference_and_cannot_be_made_ready(
    draft, official, catalogue
):
    agreement_withdraw(agreement=draft, by=official, reason="Fel butik.")

    draft.refresh_from_db()
    assert (draft.state, draft.reference) == ("withdrawn", "")
    with pytest.raises(ValidationError):
        agreement_mark_ready(agreement=draft, by=official)
    with pytest.raises(ValidationError):
        agreement_update_draft(
            agreement=draft,
            by=official,
            version_fields=dict(TERMS),
            services=lines(catalogue),
        )
    draft.refresh_from_db()
    assert (draft.state, draft.reference) == ("withdrawn", "")


def test_a_withdrawal_needs_a_reason_and_an_official_of_the_municipality(
    ready, shop_owner, regional_viewer
):
    with pytest.raises(ValidationError) as error:
        agreement_withdraw(agreement=ready, by=ready.created_by, reason="  ")
    assert error.value.message_dict == {"reason": ["Skriv varför avtalet återkallas."]}
    for outsider in (shop_owner, regional_viewer, official_of_another_municipality()):
        with pytest.raises(PermissionDenied):
            agreement_withdraw(agreement=ready, by=outsider, reason="Nej.")
    ready.refresh_from_db()
    assert ready.state == Agreement.State.READY


def test_a_signed_agreement_cannot_be_withdrawn_nor_deleted(quarterly, official):  # noqa: F811
    with pytest.raises(ValidationError) as error:
        agreement_withdraw(agreement=quarterly, by=official, reason="Ångrat.")
    assert error.value.messages == [
        "Bara ett utkast eller ett avtal som är klart för underskrift kan återkallas."
    ]
    with pytest.raises(ValidationError):
        agreement_draft_delete(agreement=quarterly, by=official)
    quarterly.refresh_from_db()
    assert quarterly.state == Agreement.State.SIGNED


def test_a_draft_is_deleted_with_its_versions_and_the_history_keeps_the_delete(
    draft, official
):
    pk = draft.pk

    agreement_draft_delete(agreement=draft, by=official)

    assert not Agreement.objects.filter(pk=pk).exists()
    assert not AgreementVersion.objects.filter(agreement_id=pk).exists()
    assert AgreementEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()


def test_an_agreement_ready_for_signature_is_not_deleted(ready, official):
    with pytest.raises(ValidationError) as error:
        agreement_draft_delete(agreement=ready, by=official)
    assert error.value.messages == [
        "Bara ett utkast kan tas bort; återkalla avtalet i stället."
    ]
    assert Agreement.objects.filter(pk=ready.pk).exists()


def test_the_agreement_page_withdraws_with_a_reason_and_shows_it(
    client, ready, official
):
    url = reverse("agreements:agreement_withdraw", args=[ready.pk])
    client.force_login(official)
    page = client.get(ready.get_absolute_url()).content.decode()
    assert f'action="{url}"' in page
    assert reverse("agreements:agreement_draft_delete", args=[ready.pk]) not in page

    response = client.post(url, {"reason": ""})

    assert response.status_code == 400
    assert "Skriv varför avtalet återkallas." in response.content.decode()
    ready.refresh_from_db()
    assert ready.state == Agreement.State.READY

    response = client.post(url, {"reason": "Butiken säljs."}, follow=True)

    page = response.content.decode()
    assert "Avtalet är återkallat." in page
    assert "Återkallat" in page
    assert "Butiken säljs." in page
    assert official.full_name in page
    assert f'action="{url}"' not in page
    assert "Skriv under" not in page
    assert "Sista dag för uppsägning" not in page
    versions = page[page.index('id="versions-heading"') :]
    assert "Klart för underskrift" not in versions[: versions.index("</section>")]


def test_the_agreement_page_deletes_a_draft_only_when_confirmed(
    client, draft, official
):
    url = reverse("agreements:agreement_draft_delete", args=[draft.pk])
    client.force_login(official)
    assert f'action="{url}"' in client.get(draft.get_absolute_url()).content.decode()

    response = client.post(url, {})

    assert response.status_code == 400
    assert "Kryssa i rutan" in response.content.decode()
    assert Agreement.objects.filter(pk=draft.pk).exists()

    response = client.post(url, {"confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("agreements:agreement_list")
    assert "Utkastet är borttaget." in response.content.decode()
    assert not Agreement.objects.filter(pk=draft.pk).exists()


def test_a_forged_post_for_another_municipality_agreement_is_not_found(
    client, ready, draft
):
    client.force_login(official_of_another_municipality())
    for name, data in (
        ("agreement_withdraw", {"reason": "Förfalskat."}),
        ("agreement_draft_delete", {"confirm": "on"}),
    ):
        url = reverse(f"agreements:{name}", args=[draft.pk])
        assert client.post(url, data).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Agreement.State.READY


def test_the_withhold_button_asks_for_a_reason(client, quarterly, official):  # noqa: F811
    payout = quarter(quarterly, date(2026, 10, 1))
    url = reverse("agreements:payout_withhold", args=[payout.pk])
    client.force_login(official)
    page = client.get(quarterly.get_absolute_url()).content.decode()
    assert f'action="{url}"' in page
    assert "Varför utbetalningen hålls inne" in page

    response = client.post(url, {"reason": ""}, follow=True)

    assert "Skriv varför utbetalningen hålls inne." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED

    response = client.post(url, {"reason": "Butiken var stängd."}, follow=True)

    payout.refresh_from_db()
    assert (payout.status, payout.withheld_reason) == (
        "withheld",
        "Butiken var stängd.",
    )
    assert "Butiken var stängd." in response.content.decode()
