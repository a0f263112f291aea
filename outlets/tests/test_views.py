import pytest
from django.urls import reverse

from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


def test_official_of_another_municipality_sees_nothing_of_nordmalings_records(
    client, umea_official, shop_owner, own_outlet
):
    client.force_login(umea_official)

    start = client.get("/").content.decode()
    own_list = client.get(reverse("outlets:outlet_list")).content.decode()
    detail = client.get(own_outlet.get_absolute_url()).content.decode()

    assert own_outlet.name not in start
    assert own_outlet.name not in own_list
    assert shop_owner.full_name not in detail
    assert shop_owner.email not in detail
    assert "Du ser bara dess grunduppgifter" in detail


def test_official_sees_the_shop_owner_of_an_outlet_in_their_own_municipality(
    client, official, shop_owner, own_outlet
):
    client.force_login(official)
    detail = client.get(own_outlet.get_absolute_url()).content.decode()
    assert shop_owner.full_name in detail
    assert shop_owner.email in detail


def test_staff_see_the_base_data_of_neighbouring_outlets_when_they_ask_for_all(
    client, official
):
    neighbour = OutletFactory(name="Ingo Balsjö", municipality=municipality("2403"))
    client.force_login(official)

    everything = client.get(reverse("outlets:outlet_list"), {"municipality": "all"})
    detail = client.get(neighbour.get_absolute_url())

    assert "Ingo Balsjö" in everything.content.decode()
    assert detail.status_code == 200


def test_regional_viewer_sees_the_outlets_of_the_county_but_not_of_others(
    client, regional_viewer
):
    OutletFactory(name="Lanthandeln i Umeå", municipality=municipality("2480"))
    OutletFactory(name="Butiken i Norrtälje", municipality=municipality("0188"))
    client.force_login(regional_viewer)

    page = client.get(reverse("outlets:outlet_list")).content.decode()

    assert "Lanthandeln i Umeå" in page
    assert "Butiken i Norrtälje" not in page


def test_shop_owner_sees_only_their_own_outlet_and_gets_404_on_another(
    client, shop_owner, own_outlet
):
    other = OutletFactory(name="Handlarn Rundvik")
    client.force_login(shop_owner)

    page = client.get(reverse("outlets:outlet_list")).content.decode()

    assert own_outlet.name in page
    assert other.name not in page
    assert client.get(other.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("count", [3, 300])
def test_outlet_pages_run_a_constant_number_of_queries(
    client, official, count, django_assert_max_num_queries
):
    OutletFactory.create_batch(count)
    client.force_login(official)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("outlets:outlet_list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200
