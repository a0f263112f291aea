"""The system owner reads agreements in the Django admin but cannot change them."""

import pytest

from agreements.services import agreement_mark_ready

pytestmark = pytest.mark.django_db


def test_the_system_owner_finds_an_agreement_in_the_admin(
    client, system_owner, official, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    draft.refresh_from_db()
    client.force_login(system_owner)
    page = client.get("/admin/agreements/agreement/?q=SP-2401").content.decode()
    assert draft.reference in page
    detail = client.get(f"/admin/agreements/agreement/{draft.pk}/change/")
    assert detail.status_code == 200
    assert "Pers Livs AB" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()


def test_agreements_and_payouts_cannot_be_changed_or_deleted_in_the_admin(
    client, system_owner, draft
):
    client.force_login(system_owner)
    base = f"/admin/agreements/agreement/{draft.pk}"
    assert client.post(f"{base}/change/", {"reference": "X"}).status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.reference == ""


def test_bank_details_cannot_be_changed_in_the_admin_only_the_rest(
    client, system_owner, party
):
    from django.forms.models import model_to_dict
    from django.urls import reverse

    from agreements.models import Party

    client.force_login(system_owner)
    url = f"/admin/agreements/party/{party.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="bankgiro"' not in page and 'name="plusgiro"' not in page
    assert f'href="{reverse("agreements:party_update", args=[party.pk])}"' in page
    before = model_to_dict(party)
    form = {
        "municipality": party.municipality_id,
        "name": party.name,
        "organisation_number": party.organisation_number,
        "supplier_number": "LEV-7",
        "address": "Byvägen 1, 914 91 Nordmaling",
        "signatory_name": party.signatory_name,
        "signatory_title": party.signatory_title,
        "email": "",
        "contact_name": "",
        "contact_phone": "",
        # Sent anyway, as a crafted request would: ignored.
        "bankgiro": "5402-9681",
        "plusgiro": "12345-5",
        "bank_details_confirmed_by": system_owner.pk,
        "_save": "Spara",
    }

    response = client.post(url, form)

    assert response.status_code == 302
    party = Party.objects.get(pk=party.pk)
    assert party.address == "Byvägen 1, 914 91 Nordmaling"
    assert party.supplier_number == "LEV-7"
    after = model_to_dict(party)
    for name in (
        "bankgiro",
        "plusgiro",
        "bank_details_entered_by",
        "bank_details_confirmed_by",
        "bank_details_confirmed_at",
        "pending_bankgiro",
        "pending_plusgiro",
        "pending_entered_by",
    ):
        assert after[name] == before[name], name
    assert client.get("/admin/agreements/party/add/").status_code == 403
