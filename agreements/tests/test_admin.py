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
