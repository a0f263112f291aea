# ruff: noqa: F811 (pytest fixtures imported from test_drafts_never_count)
"""Withdrawing an amendment or a renewal under work (issue 16, point 4): a draft
amendment is deleted, one ready for signature is withdrawn with a reason and stays
as a record with its frozen document; either way it no longer counts, waits for
nobody's signature, and the agreement can be amended (or renewed) again."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from agreements.models import Agreement, AgreementService, AgreementVersion
from agreements.services import (
    agreement_amend,
    agreement_mark_ready,
    agreement_renew,
    agreement_sign,
    agreement_withdraw,
    amendment_withdraw,
)
from agreements.tests.test_drafts_never_count import (  # noqa: F401
    AMENDMENT,
    FROM,
    amendment,
    in_force,
    page_text,
    renewal,
)
from agreements.tests.test_services import sign_both

pytestmark = pytest.mark.django_db

WAITING = "Väntar på din underskrift"


@pytest.fixture
def ready_amendment(official, in_force, amendment):
    agreement_mark_ready(agreement=in_force, by=official)
    amendment.refresh_from_db()
    return amendment


def withdraw_url(agreement):
    return reverse("agreements:agreement_withdraw", args=[agreement.pk])


def test_a_draft_amendment_is_deleted_from_the_agreement_page_and_can_be_started_anew(
    client,
    official,
    in_force,
    amendment,
):
    client.force_login(official)
    page = page_text(client.get(in_force.get_absolute_url()))
    assert "Ta bort utkastet till Tillägg 1" in page

    response = client.post(
        reverse("agreements:agreement_draft_delete", args=[in_force.pk]),
        {"confirm": "on"},
    )

    assert response["Location"] == in_force.get_absolute_url()
    assert not AgreementVersion.objects.filter(pk=amendment.pk).exists()
    assert not AgreementService.objects.filter(version_id=amendment.pk).exists()
    assert AgreementVersion.pgh_event_model.objects.filter(
        pgh_obj_id=amendment.pk, pgh_label="delete"
    ).exists(), "the history keeps the deleted amendment"
    page = page_text(client.get(in_force.get_absolute_url()))
    assert "Utkastet till tillägget är borttaget." in page
    assert AMENDMENT not in page
    assert "Påbörja ett tillägg" in page
    assert in_force.versions.get().signed_at


def test_an_amendment_ready_for_signature_is_withdrawn_with_a_reason_and_kept(
    client,
    official,
    shop_owner,
    in_force,
    ready_amendment,
):
    client.force_login(shop_owner)
    assert WAITING in page_text(client.get("/"))
    client.force_login(official)
    page = page_text(client.get(in_force.get_absolute_url()))
    assert "Återkalla Tillägg 1" in page
    assert "Påbörja ett tillägg" not in page

    response = client.post(withdraw_url(in_force), {"reason": "Butiken vill inte."})

    assert response["Location"] == in_force.get_absolute_url()
    ready_amendment.refresh_from_db()
    assert (ready_amendment.withdrawn_by, ready_amendment.withdrawal_reason) == (
        official,
        "Butiken vill inte.",
    )
    page = page_text(client.get(in_force.get_absolute_url()))
    assert "Tillägget är återkallat. Det finns kvar i historiken" in page
    assert "Återkallat" in page and "Butiken vill inte." in page
    assert AMENDMENT not in page, "a withdrawn amendment is not under work"
    assert "Skriv under för kommunen" not in page
    assert "Påbörja ett tillägg" in page
    document = client.get(
        reverse("agreements:agreement_document", args=[ready_amendment.pk, "frozen"])
    )
    assert document.status_code == 200, "its frozen document stays a record"
    assert AMENDMENT not in page_text(client.get("/agreements/"))

    client.force_login(shop_owner)
    assert WAITING not in page_text(client.get("/"))
    response = client.post(
        reverse("agreements:agreement_sign", args=[in_force.pk, "party"]),
        {"title": "VD", "password": TEST_PASSWORD},
    )
    assert response.status_code == 400
    assert not ready_amendment.signatures.exists()


def test_a_withdrawn_amendment_cannot_be_signed_and_the_next_one_takes_the_next_number(
    official,
    shop_owner,
    in_force,
    ready_amendment,
):
    amendment_withdraw(agreement=in_force, by=official, reason="Fel belopp.")

    with pytest.raises(ValidationError) as error:
        agreement_sign(
            agreement=in_force,
            by=shop_owner,
            side="party",
            title="VD",
            password=TEST_PASSWORD,
        )
    assert error.value.code == "not_ready"
    next_one = agreement_amend(
        agreement=in_force, by=official, effective_on=FROM, reason="Rätt belopp."
    )
    assert (next_one.number, next_one.name) == (3, "Tillägg 2")
    assert next_one.withdrawn_at is None
    assert next_one.annual_compensation == 40_000, "copied from the signed terms"
    agreement_mark_ready(agreement=in_force, by=official)
    sign_both(in_force, official, shop_owner)
    assert in_force.versions.get(number=3).signed_at


def test_an_amendment_signed_by_one_side_or_without_a_reason_is_not_withdrawn(
    client,
    official,
    in_force,
    ready_amendment,
):
    client.force_login(official)
    response = client.post(withdraw_url(in_force), {"reason": " "})
    assert response.status_code == 400
    assert "Skriv varför tillägget återkallas." in response.content.decode()
    agreement_sign(
        agreement=in_force,
        by=official,
        side="municipality",
        title="Handläggare",
        password=TEST_PASSWORD,
    )
    response = client.post(withdraw_url(in_force), {"reason": "Ångrat."})
    assert response.status_code == 400
    ready_amendment.refresh_from_db()
    assert ready_amendment.withdrawn_at is None


def test_the_shop_owner_and_another_municipality_cannot_withdraw_an_amendment(
    client,
    shop_owner,
    in_force,
    ready_amendment,
):
    client.force_login(shop_owner)
    response = client.post(withdraw_url(in_force), {"reason": "Nej."})
    assert response.status_code == 404
    ready_amendment.refresh_from_db()
    assert ready_amendment.withdrawn_at is None


def refused(sql, params):
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_lets_a_frozen_version_be_withdrawn_once_and_nothing_else(
    official,
    in_force,
    ready_amendment,
):
    pk = ready_amendment.pk
    refused(
        "UPDATE agreements_agreementversion SET annual_compensation = 1 WHERE id = %s",
        [pk],
    )
    refused(
        "UPDATE agreements_agreementversion SET withdrawal_reason = 'x',"
        " annual_compensation = 1, withdrawn_at = now(), withdrawn_by_id = %s"
        " WHERE id = %s",
        [official.pk, pk],
    )
    amendment_withdraw(agreement=in_force, by=official, reason="Fel belopp.")
    refused(
        "UPDATE agreements_agreementversion SET withdrawal_reason = 'Annat'"
        " WHERE id = %s",
        [pk],
    )
    refused(
        "UPDATE agreements_agreementversion SET signed_at = now() WHERE id = %s",
        [pk],
    )
    refused(
        "INSERT INTO agreements_signature (version_id, side, method, signed_by_name,"
        " signed_by_title, signed_at, user_id, paper_scan)"
        " VALUES (%s, 'party', 'in_app', 'X', 'VD', now(), %s, '')",
        [pk, official.pk],
    )
    ready_amendment.refresh_from_db()
    assert ready_amendment.withdrawal_reason == "Fel belopp."


def test_a_withdrawn_renewal_leaves_the_agreement_to_be_renewed_again(
    client,
    official,
    in_force,
    renewal,
):
    agreement_mark_ready(agreement=renewal, by=official)
    agreement_withdraw(agreement=renewal, by=official, reason="Ny ägare i stället.")
    client.force_login(official)
    page = page_text(client.get(in_force.get_absolute_url()))
    assert "Förnya avtalet" in page

    again = agreement_renew(agreement=in_force, by=official, starts_on=FROM)

    assert set(in_force.renewals.all()) == {renewal, again}
    assert in_force.replaced_by == again
    renewal.refresh_from_db()
    assert (renewal.state, renewal.replaces) == (Agreement.State.WITHDRAWN, in_force)
    with pytest.raises(ValidationError) as error:
        agreement_renew(agreement=in_force, by=official, starts_on=date(2099, 1, 1))
    assert error.value.code == "renewed_twice"


def test_an_amendment_made_ready_is_called_an_amendment_and_a_renewal_an_agreement(
    client, official, in_force, amendment, renewal
):
    client.force_login(official)
    for agreement, said in (
        (in_force, "Tillägget är klart för underskrift."),
        (renewal, "Avtalet är klart för underskrift."),
    ):
        response = client.post(
            reverse("agreements:agreement_ready", args=[agreement.pk]), follow=True
        )
        text = page_text(response)
        assert said in text
        assert "Avtalet är klart" not in text or agreement == renewal
