"""Shop owners keep their outlet's public facts (issue 16, point 2): the opening
hours and the shop's phone, from their own pages; the change is in the outlet's
history, where the official sees who changed what."""

import pytest
from django.urls import reverse

from outlets.models import Outlet
from outlets.tests.factories import OutletFactory
from outlets.tests.history import history_rows, recorded_an_hour_ago

pytestmark = pytest.mark.django_db


def facts_url(outlet):
    return reverse("outlets:outlet_public_facts", args=[outlet.pk])


def test_a_shop_owner_changes_opening_hours_and_phone_and_the_official_sees_who(
    client, shop_owner, own_outlet, official
):
    recorded_an_hour_ago()
    client.force_login(shop_owner)
    page = client.get(own_outlet.get_absolute_url()).content.decode()
    assert facts_url(own_outlet) in page

    response = client.post(
        facts_url(own_outlet),
        {"opening_hours": "Mån–fre 9–19\nLör 10–14", "phone": "0930-123 45"},
    )

    assert response["Location"] == own_outlet.get_absolute_url()
    own_outlet.refresh_from_db()
    assert (own_outlet.opening_hours, own_outlet.phone) == (
        "Mån–fre 9–19\nLör 10–14",
        "0930-123 45",
    )
    client.force_login(official)
    page = client.get(own_outlet.get_absolute_url())
    assert "0930-123 45" in page.content.decode()
    assert history_rows(page)[0][1:] == (
        shop_owner.full_name,
        "Försäljningsställe ändrades: butikens telefon, öppettider",
    )


def test_a_phone_number_with_letters_is_refused_with_a_message_and_nothing_changes(
    client, shop_owner, own_outlet
):
    client.force_login(shop_owner)

    response = client.post(
        facts_url(own_outlet), {"opening_hours": "Alltid", "phone": "ring Per"}
    )

    assert response.status_code == 200
    assert "Ange ett telefonnummer med bara siffror" in response.content.decode()
    own_outlet.refresh_from_db()
    assert (own_outlet.opening_hours, own_outlet.phone) == ("", "")


def test_a_shop_owner_keeps_no_other_outlets_facts_nor_the_rest_of_their_own(
    client, shop_owner, own_outlet
):
    other = OutletFactory(name="Handlarn Rundvik")
    kind = own_outlet.kind
    client.force_login(shop_owner)

    refused = client.post(facts_url(other), {"opening_hours": "Stängt", "phone": ""})
    client.post(
        facts_url(own_outlet),
        {"opening_hours": "9–18", "phone": "", "name": "Nytt namn", "kind": "other"},
    )

    assert refused.status_code == 404
    assert Outlet.objects.get(pk=other.pk).opening_hours == ""
    own_outlet.refresh_from_db()
    assert (own_outlet.name, own_outlet.kind, own_outlet.opening_hours) == (
        "Pers Livs",
        kind,
        "9–18",
    )


def test_the_official_keeps_the_shop_phone_in_the_outlets_form(client, official):
    outlet = OutletFactory()
    client.force_login(official)

    page = client.get(reverse("outlets:outlet_update", args=[outlet.pk]))

    assert 'name="phone"' in page.content.decode()
