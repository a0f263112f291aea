"""The erasure pages: who may erase whom, what they are told (issue 15)."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from outlets.models import OutletContact
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db


def erase_url(user):
    return reverse("erasure:user_erase", kwargs={"pk": user.pk})


def test_an_administrator_follows_the_users_page_to_erase_a_colleague(
    client, administrator, official
):
    client.force_login(administrator)
    users = client.get(reverse("accounts:user_list")).content.decode()
    assert f'href="{erase_url(official)}"' in users
    assert f'href="{erase_url(administrator)}"' not in users

    page = client.get(erase_url(official)).content.decode()
    assert "Borttaget" in page and "Behålls" in page
    assert official.email in page

    response = client.post(erase_url(official), {"reason": "Slutat på kommunen"})
    assert response["Location"] == reverse("accounts:user_list")
    official.refresh_from_db()
    assert official.email == f"raderad-{official.pk}@invalid"
    assert not official.is_active
    messages = client.get(reverse("accounts:user_list")).content.decode()
    assert "Kontot är raderat." in messages
    assert "nämner fortfarande" not in messages


def test_erasure_without_a_reason_says_so_and_changes_nothing(
    client, administrator, official
):
    client.force_login(administrator)
    response = client.post(erase_url(official), {"reason": ""})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    assert User.objects.get(pk=official.pk).is_active


def test_the_page_says_why_a_shop_owner_with_an_agreement_in_force_cannot_be_erased(
    client, administrator, shop_owner, signed
):
    client.force_login(administrator)
    page = client.get(erase_url(shop_owner)).content.decode()
    assert signed.reference in page
    assert "<form" not in page[page.index("<main") :]
    response = client.post(erase_url(shop_owner), {"reason": "Slutat"})
    assert response.status_code == 200
    assert signed.reference in response.content.decode()
    assert User.objects.get(pk=shop_owner.pk).email == "owner@perslivs.example"


@pytest.mark.parametrize(
    "actor,status",
    [("official", 403), ("shop_owner", 403), ("regional_viewer", 403)],
)
def test_only_administrators_and_the_system_owner_reach_the_erasure_page(
    client, request, actor, status, administrator
):
    client.force_login(request.getfixturevalue(actor))
    colleague = UserFactory()
    assert client.get(erase_url(colleague)).status_code == status
    assert client.post(erase_url(colleague), {"reason": "x"}).status_code == status
    assert User.objects.get(pk=colleague.pk).is_active


@pytest.fixture
def regional_viewer():
    return UserFactory(regional_viewer=True)


def test_an_administrator_cannot_erase_another_municipalitys_user(
    client, administrator
):
    other = UserFactory(municipality=municipality("2480"))
    client.force_login(administrator)
    assert client.get(erase_url(other)).status_code == 404
    assert client.post(erase_url(other), {"reason": "x"}).status_code == 404
    assert User.objects.get(pk=other.pk).is_active


def test_the_system_owner_erases_from_the_users_page_in_the_admin(client, system_owner):
    other = UserFactory(municipality=municipality("2480"))
    client.force_login(system_owner)
    admin_page = client.get(
        reverse("admin:accounts_user_change", args=[other.pk])
    ).content.decode()
    assert f'href="{erase_url(other)}"' in admin_page
    response = client.post(erase_url(other), {"reason": "Begäran från personen"})
    assert response["Location"] == reverse("admin:accounts_user_changelist")
    assert not User.objects.get(pk=other.pk).is_active


def test_an_official_erases_a_contact_person_from_the_outlets_page(
    client, official, own_outlet
):
    contact = OutletContact.objects.create(
        outlet=own_outlet, name="Anna Ek", email="anna@ek.example", phone="070-1"
    )
    url = reverse("erasure:contact_erase", kwargs={"pk": contact.pk})
    client.force_login(official)
    outlet_page = client.get(own_outlet.get_absolute_url()).content.decode()
    assert f'href="{url}"' in outlet_page
    assert "Anna Ek" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Bad om det"})
    assert response["Location"] == own_outlet.get_absolute_url()
    page = client.get(own_outlet.get_absolute_url()).content.decode()
    assert not re.search("Anna Ek|anna@ek.example", page)


def test_a_shop_owner_finds_no_contact_erasure_page(client, shop_owner, own_outlet):
    contact = OutletContact.objects.create(outlet=own_outlet, name="Anna Ek")
    url = reverse("erasure:contact_erase", kwargs={"pk": contact.pk})
    client.force_login(shop_owner)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert OutletContact.objects.filter(pk=contact.pk).exists()
