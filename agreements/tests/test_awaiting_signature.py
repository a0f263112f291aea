"""A document waiting for the shop owner's signature (issue 16, point 5): the owner's
start page and portal say so, with a link to the page where they sign, until the
service point has signed it."""

from datetime import date

import pytest

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.services import (
    agreement_amend,
    agreement_mark_ready,
    agreement_renew,
    agreement_sign,
    agreement_withdraw,
)
from agreements.tests.test_drafts_never_count import page_text
from agreements.tests.test_services import sign_both
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

HEADING = "Väntar på din underskrift"
PORTAL = "/followup/my-service-point/"
PAGES = ["/", PORTAL]


def sign_for_municipality(agreement, official):
    agreement_sign(
        agreement=agreement,
        by=official,
        side="municipality",
        name="Johan Berg",
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )


@pytest.mark.parametrize("path", PAGES)
def test_an_agreement_ready_for_signature_waits_for_the_owner_on_start_and_portal(
    client, official, shop_owner, draft, path
):
    client.force_login(shop_owner)
    assert HEADING not in page_text(client.get(path)), "a draft is not offered"

    agreement_mark_ready(agreement=draft, by=official)
    draft.refresh_from_db()
    response = client.get(path)
    text = page_text(response)
    assert (
        f"{HEADING} Avtal {draft.reference}, Pers Livs. Klart för underskrift; "
        "ingen av parterna har skrivit under än. Läs och skriv under"
    ) in text
    link = f'href="{draft.get_absolute_url()}#sign-heading"'
    assert link in response.content.decode()


def test_the_notice_says_when_the_municipality_has_signed_and_goes_once_the_owner_has(
    client, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_for_municipality(draft, official)
    client.force_login(shop_owner)
    text = page_text(client.get("/"))
    assert "Kommunen har skrivit under; servicepunktens underskrift saknas." in text

    agreement_sign(
        agreement=draft,
        by=shop_owner,
        side="party",
        name="Per Lindberg",
        title="VD",
        password=TEST_PASSWORD,
    )
    assert HEADING not in page_text(client.get("/"))
    assert HEADING not in page_text(client.get(PORTAL))


def test_the_owners_sign_form_is_where_the_link_leads(
    client, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(shop_owner)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="sign-heading"' in html
    assert "Skriv under för servicepunkten" in html


def test_an_amendment_and_a_renewal_wait_under_their_own_names(
    client, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    agreement_amend(
        agreement=draft, by=official, effective_on=date(2026, 7, 1), reason="Ny tjänst"
    )
    agreement_mark_ready(agreement=draft, by=official)
    renewal = agreement_renew(agreement=draft, by=official, starts_on=date(2029, 1, 1))
    agreement_mark_ready(agreement=renewal, by=official)
    renewal.refresh_from_db()
    draft.refresh_from_db()

    client.force_login(shop_owner)
    text = page_text(client.get(PORTAL))
    assert f"Tillägg 1 till avtal {draft.reference}, Pers Livs." in text
    assert f"Förnyat avtal {renewal.reference}, Pers Livs." in text


def test_nothing_waits_for_another_shops_owner_nor_after_withdrawal(
    client, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    stranger = UserFactory(
        shop_owner=True,
        email="owner@bylivs.example",
        outlets=[OutletFactory(name="Byns Livs")],
    )
    client.force_login(stranger)
    assert HEADING not in page_text(client.get("/"))

    agreement_withdraw(agreement=draft, by=official, reason="Butiken avböjde.")
    client.force_login(shop_owner)
    assert HEADING not in page_text(client.get("/"))
    assert HEADING not in page_text(client.get(PORTAL))
