import datetime

import pghistory
import pytest
from django.contrib.messages import SUCCESS
from django.urls import reverse

from outlets.geo import sweref_from_wgs84
from outlets.models import Locality, Outlet, OutletContact, Partner
from outlets.tests.factories import (
    LocalityFactory,
    OutletContactFactory,
    OutletFactory,
    PartnerFactory,
    municipality,
)

pytestmark = pytest.mark.django_db

LIST = reverse("outlets:outlet_list")
CREATE = reverse("outlets:outlet_create")


def names(response):
    return [outlet.name for outlet in response.context["object_list"]]


def only_success_message(response):
    messages = list(response.context["messages"])
    return len(messages) == 1 and messages[0].level == SUCCESS


def outlet_post(**changes):
    """A complete outlet form with no contact persons, changed as told."""
    data = {
        "name": "Handlarn Nyåker",
        "kind": Outlet.Kind.GROCERY,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


# The outlet list: scope, search, filters, sorting, pagination, buttons.


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
    one = client.get(reverse("outlets:outlet_list"), {"municipality": "2403"})
    detail = client.get(neighbour.get_absolute_url())

    assert "Ingo Balsjö" in everything.content.decode()
    assert names(one) == ["Ingo Balsjö"]
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


@pytest.mark.smoke
def test_search_finds_outlets_by_name_or_locality_whatever_the_case(client, official):
    gräsmyr = LocalityFactory(name="Gräsmyr")
    OutletFactory(name="ICA Lundins", locality=gräsmyr)
    OutletFactory(name="Pers Livs")
    OutletFactory(name="Handlarn Rundvik")
    client.force_login(official)

    assert names(client.get(LIST, {"q": "pers livs"})) == ["Pers Livs"]
    assert names(client.get(LIST, {"q": "  HANDLARN "})) == ["Handlarn Rundvik"]
    assert names(client.get(LIST, {"q": "gräsMYR"})) == ["ICA Lundins"]
    assert names(client.get(LIST, {"q": "finns inte"})) == []


def test_search_by_organisation_number_works_with_or_without_the_hyphen(
    client, official
):
    OutletFactory(name="ICA Lundins", organisation_number="556012-5790")
    OutletFactory(name="Pers Livs", organisation_number="556036-0793")
    client.force_login(official)

    assert names(client.get(LIST, {"q": "556012-5790"})) == ["ICA Lundins"]
    assert names(client.get(LIST, {"q": "5560125790"})) == ["ICA Lundins"]
    assert names(client.get(LIST, {"q": "556036"})) == ["Pers Livs"]


def test_search_by_organisation_number_finds_nothing_outside_ones_own_records(
    client, umea_official
):
    """A sole trader's number is a personal identity number: it must not be probed."""
    OutletFactory(name="Pers Livs", organisation_number="556036-0793")
    client.force_login(umea_official)

    found = client.get(LIST, {"q": "556036-0793", "municipality": "all"})
    by_name = client.get(LIST, {"q": "Pers", "municipality": "all"})

    assert names(found) == []
    assert names(by_name) == ["Pers Livs"]


def test_filters_by_kind_status_and_locality_keep_closed_outlets_for_history(
    client, official
):
    brattfors = LocalityFactory(name="Brattfors")
    OutletFactory(name="Pers Livs", locality=brattfors)
    OutletFactory(name="Preem Brattfors", kind=Outlet.Kind.FUEL, locality=brattfors)
    OutletFactory(
        name="Gamla handeln",
        status=Outlet.Status.CLOSED,
        closed_on=datetime.date(2024, 3, 31),
    )
    client.force_login(official)

    assert names(client.get(LIST)) == ["Gamla handeln", "Pers Livs", "Preem Brattfors"]
    assert names(client.get(LIST, {"kind": "fuel"})) == ["Preem Brattfors"]
    assert names(client.get(LIST, {"status": "closed"})) == ["Gamla handeln"]
    assert names(client.get(LIST, {"status": "open", "locality": brattfors.pk})) == [
        "Pers Livs",
        "Preem Brattfors",
    ]


def test_sorting_by_column_in_both_directions(client, official):
    OutletFactory(name="Alfa", locality=LocalityFactory(name="Öby"))
    OutletFactory(name="Beta", locality=LocalityFactory(name="Aby"))
    OutletFactory(
        name="Gamma",
        locality=None,
        status=Outlet.Status.CLOSED,
        closed_on=datetime.date(2024, 1, 1),
    )
    client.force_login(official)

    assert names(client.get(LIST, {"sort": "-name"})) == ["Gamma", "Beta", "Alfa"]
    # Outlets without a locality come last either way.
    assert names(client.get(LIST, {"sort": "locality"})) == ["Beta", "Alfa", "Gamma"]
    assert names(client.get(LIST, {"sort": "-locality"})) == ["Alfa", "Beta", "Gamma"]
    assert names(client.get(LIST, {"sort": "-status"}))[0] == "Alfa"  # Öppet
    assert names(client.get(LIST, {"sort": "status"}))[0] == "Gamma"  # Nedlagt


def test_sort_links_toggle_the_direction_and_keep_the_search(client, official):
    OutletFactory(name="Pers Livs")
    client.force_login(official)

    page = client.get(LIST, {"q": "pers", "sort": "name"}).content.decode()

    assert 'aria-sort="ascending"' in page
    assert 'href="?q=pers&amp;sort=-name"' in page
    assert 'href="?q=pers&amp;sort=kind"' in page


def test_pages_of_fifty_keep_the_filters_in_their_links(client, official):
    OutletFactory.create_batch(51, kind=Outlet.Kind.FUEL)
    OutletFactory(kind=Outlet.Kind.AGENT)
    client.force_login(official)

    first = client.get(LIST, {"kind": "fuel"})
    second = client.get(LIST, {"kind": "fuel", "page": "2"})

    assert len(first.context["object_list"]) == 50
    assert 'href="?kind=fuel&amp;page=2"' in first.content.decode()
    assert len(second.context["object_list"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "shop'; drop table"},
        {"status": "gone"},
        {"locality": "abc"},
        {"locality": "-3"},
        {"sort": "password"},
        {"municipality": "x" * 300},
        {"municipality": "9999"},
        {"q": "x" * 500},
    ],
)
def test_forged_list_parameters_are_ignored_and_never_an_error(
    client, official, params
):
    OutletFactory(name="Pers Livs")
    client.force_login(official)
    assert client.get(LIST, params).status_code == 200


@pytest.mark.parametrize(
    "actor,buttons",
    [
        ("official", {"new", "export"}),
        ("administrator", {"new", "export", "import"}),
        ("regional_viewer", {"export"}),
        ("system_owner", {"export", "import"}),
        ("shop_owner", set()),
    ],
)
def test_list_shows_the_buttons_the_role_may_use(client, request, actor, buttons):
    client.force_login(request.getfixturevalue(actor))
    page = client.get(LIST, {"kind": "fuel"}).content.decode()

    links = {
        "new": f'href="{CREATE}"',
        "export": f'href="{reverse("outlets:outlet_export")}?kind=fuel&amp;format=csv"',
        "import": f'href="{reverse("outlets:outlet_import")}"',
    }
    assert {button for button, link in links.items() if link in page} == buttons
    if "export" in buttons:
        assert "?kind=fuel&amp;format=xlsx" in page


def test_list_search_form_has_a_label_for_every_field(client, official):
    client.force_login(official)
    page = client.get(LIST).content.decode()
    for field in ("q", "municipality", "kind", "status", "locality"):
        assert f'<label for="id_{field}">' in page


# The outlet detail.


def test_detail_shows_the_position_in_wgs84_and_sweref_99_tm(client, official):
    outlet = OutletFactory(latitude=63.7, longitude=19.35)
    client.force_login(official)

    page = client.get(outlet.get_absolute_url()).content.decode()

    northing, easting = outlet.sweref
    assert "63,70000, 19,35000 (WGS84)" in page
    assert f"N {northing:.0f}, E {easting:.0f} (SWEREF 99 TM)" in page
    assert 'data-map-source="map-data"' in page


def test_detail_and_export_give_the_register_id_the_analysis_names_outlets_by(
    client, official
):
    outlet = OutletFactory(name="Pers Livs")
    client.force_login(official)

    page = client.get(outlet.get_absolute_url()).content.decode()
    export = client.get(reverse("outlets:outlet_export"), {"format": "csv"})

    assert f"<dt>Id i registret</dt><dd>{outlet.pk}</dd>" in page
    header, row = export.content.decode("utf-8-sig").splitlines()[:2]
    assert header.endswith(";Registrets id")
    assert row.startswith("Pers Livs;") and row.endswith(f";{outlet.pk}")


def test_detail_shows_records_to_own_municipality_and_hides_them_from_others(
    client, official, umea_official
):
    outlet = OutletFactory(
        organisation_number="556012-5790",
        crisis_contact="Lena, 070-111 22 33",
        agent_roles=[Outlet.AgentRole.SYSTEMBOLAGET, Outlet.AgentRole.POSTNORD],
    )
    OutletContactFactory(outlet=outlet, name="Lena Lundin", email="lena@ica.example")

    client.force_login(official)
    own = client.get(outlet.get_absolute_url()).content.decode()
    client.force_login(umea_official)
    neighbour = client.get(outlet.get_absolute_url()).content.decode()

    for record in ("556012-5790", "Lena Lundin", "lena@ica.example", "070-111 22 33"):
        assert record in own
        assert record not in neighbour
    assert "Systembolaget, PostNord" in own
    assert "Systembolaget, PostNord" in neighbour


@pytest.mark.parametrize(
    "actor,can_edit",
    [
        ("official", True),
        ("administrator", True),
        ("umea_official", False),
        ("regional_viewer", False),
        ("system_owner", False),
        ("shop_owner", False),
    ],
)
def test_edit_and_close_buttons_only_for_those_who_may_edit(
    client, request, own_outlet, actor, can_edit
):
    client.force_login(request.getfixturevalue(actor))
    page = client.get(own_outlet.get_absolute_url()).content.decode()
    edit = reverse("outlets:outlet_update", kwargs={"pk": own_outlet.pk})
    close = reverse("outlets:outlet_close", kwargs={"pk": own_outlet.pk})
    assert (edit in page) is can_edit
    assert (close in page) is can_edit


# Creating, editing and closing an outlet.


def test_official_adds_an_outlet_with_contacts_and_agent_roles(client, official):
    nyåker = LocalityFactory(name="Nyåker")
    client.force_login(official)

    response = client.post(
        CREATE,
        outlet_post(
            organisation_number="5560125790",
            locality=nyåker.pk,
            latitude="63,8",
            longitude="19.33",
            agent_roles=["postnord", "svenska_spel"],
            backup_power="true",
            backup_power_kva="12,5",
            **{
                "contacts-TOTAL_FORMS": "1",
                "contacts-0-name": "Per Lindberg",
                "contacts-0-email": "per@nyaker.example",
            },
        ),
        follow=True,
    )

    outlet = Outlet.objects.get(name="Handlarn Nyåker")
    assert response.redirect_chain[-1][0] == outlet.get_absolute_url()
    assert only_success_message(response)
    assert outlet.municipality == official.municipality
    assert outlet.locality == nyåker
    assert outlet.organisation_number == "556012-5790"
    assert (outlet.latitude, outlet.longitude) == (63.8, 19.33)
    assert outlet.agent_roles == ["postnord", "svenska_spel"]
    assert outlet.backup_power is True
    assert [contact.name for contact in outlet.contacts.all()] == ["Per Lindberg"]


def test_position_given_in_sweref_99_tm_is_stored_in_wgs84(client, official):
    client.force_login(official)
    response = client.post(
        CREATE, outlet_post(sweref_northing="7 063 000", sweref_easting="717000")
    )
    assert response.status_code == 302
    outlet = Outlet.objects.get()
    assert 63.5 < outlet.latitude < 63.7 and 19.3 < outlet.longitude < 19.5
    northing, easting = outlet.sweref
    assert (round(northing), round(easting)) == (7063000, 717000)


@pytest.mark.parametrize(
    "position,field,code",
    [
        (
            {"latitude": "63.7", "longitude": "19.3", "sweref_northing": "7063000"},
            "__all__",
            "position_twice",
        ),
        ({"sweref_northing": "7063000"}, "sweref_easting", "position_half"),
        ({"sweref_easting": "717000"}, "sweref_northing", "position_half"),
        (
            {"sweref_northing": "5000000", "sweref_easting": "717000"},
            "sweref_northing",
            "outside_sweden",
        ),
        ({"latitude": "63.7"}, "longitude", None),
        ({"latitude": "48.85", "longitude": "2.35"}, "latitude", None),
        ({"latitude": "norr"}, "latitude", "invalid"),
    ],
)
def test_a_position_given_twice_by_halves_or_outside_sweden_is_refused(
    client, official, position, field, code
):
    client.force_login(official)
    response = client.post(CREATE, outlet_post(**position))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not Outlet.objects.exists()


def test_invalid_organisation_number_is_refused_and_nothing_stored(client, official):
    client.force_login(official)
    response = client.post(CREATE, outlet_post(organisation_number="556012-5791"))
    assert response.context["form"].has_error("organisation_number")
    assert "NNNNNN-NNNN" in response.content.decode()
    assert not Outlet.objects.exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"kind": "casino"},
        {"locality": "other municipality"},
        {"locality": "999999"},
        {"agent_roles": ["bank"]},
        {"contacts-TOTAL_FORMS": "x"},
        {"contacts-TOTAL_FORMS": "1", "contacts-0-id": "999999"},
        {"backup_power_kva": "-5"},
        {"municipality": "2480"},
    ],
)
def test_forged_outlet_posts_change_nothing_and_never_fail(client, official, forged):
    umeå_locality = LocalityFactory(municipality=municipality("2480"))
    if forged.get("locality") == "other municipality":
        forged["locality"] = umeå_locality.pk
    client.force_login(official)

    response = client.post(CREATE, outlet_post(**forged))

    if forged == {"municipality": "2480"}:
        # Not a field: the outlet is the official's own municipality's.
        assert Outlet.objects.get().municipality == official.municipality
    else:
        assert response.status_code == 200
        assert not Outlet.objects.exists()


def test_official_edits_an_outlet_and_its_contacts(client, official):
    outlet = OutletFactory(name="Handlarn", kind=Outlet.Kind.GROCERY)
    kept = OutletContactFactory(outlet=outlet, name="Kvar Kvist")
    removed = OutletContactFactory(outlet=outlet, name="Borta Bengtsson")
    client.force_login(official)
    url = reverse("outlets:outlet_update", kwargs={"pk": outlet.pk})

    form = client.get(url).content.decode()
    response = client.post(
        url,
        outlet_post(
            name="Handlarn Rundvik",
            locality=outlet.locality_id,
            latitude="63.533",
            longitude="19.433",
            **{
                "contacts-TOTAL_FORMS": "3",
                "contacts-INITIAL_FORMS": "2",
                "contacts-0-id": kept.pk,
                "contacts-0-name": "Kvar Kvist",
                "contacts-0-phone": "0930-100 00",
                "contacts-1-id": removed.pk,
                "contacts-1-name": "Borta Bengtsson",
                "contacts-1-DELETE": "on",
                "contacts-2-name": "Ny Nilsson",
            },
        ),
    )

    assert 'value="Handlarn"' in form
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.name == "Handlarn Rundvik"
    assert sorted(contact.name for contact in outlet.contacts.all()) == [
        "Kvar Kvist",
        "Ny Nilsson",
    ]
    assert outlet.contacts.get(name="Kvar Kvist").phone == "0930-100 00"


def test_forged_contact_of_another_outlet_is_left_alone(client, official):
    outlet = OutletFactory()
    others = OutletContactFactory(name="Annans Kontakt")
    client.force_login(official)

    client.post(
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}),
        outlet_post(
            **{
                "contacts-TOTAL_FORMS": "1",
                "contacts-INITIAL_FORMS": "1",
                "contacts-0-id": others.pk,
                "contacts-0-name": "Kapad",
                "contacts-0-DELETE": "on",
            }
        ),
    )

    others.refresh_from_db()
    assert others.name == "Annans Kontakt"
    assert others.outlet_id != outlet.pk


def test_another_municipalitys_outlet_cannot_be_edited_or_closed(
    client, umea_official, own_outlet
):
    client.force_login(umea_official)
    for name in ("outlets:outlet_update", "outlets:outlet_close"):
        url = reverse(name, kwargs={"pk": own_outlet.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"closed_on": "2025-01-01"}).status_code == 404
    own_outlet.refresh_from_db()
    assert own_outlet.status == Outlet.Status.OPEN


def test_closing_an_outlet_keeps_it_listed_as_closed(client, official):
    outlet = OutletFactory(name="Gamla handeln")
    client.force_login(official)

    response = client.post(
        reverse("outlets:outlet_close", kwargs={"pk": outlet.pk}),
        {"closed_on": "2025-06-30"},
        follow=True,
    )

    outlet.refresh_from_db()
    assert outlet.status == Outlet.Status.CLOSED
    assert outlet.closed_on == datetime.date(2025, 6, 30)
    assert response.redirect_chain[-1][0] == outlet.get_absolute_url()
    assert only_success_message(response)
    assert names(client.get(LIST, {"status": "closed"})) == ["Gamla handeln"]


@pytest.mark.parametrize(
    "closed_on,code", [("", "required"), ("2999-01-01", "in_future"), ("igår", None)]
)
def test_closing_date_must_be_given_and_not_in_the_future(
    client, official, closed_on, code
):
    outlet = OutletFactory()
    client.force_login(official)

    response = client.post(
        reverse("outlets:outlet_close", kwargs={"pk": outlet.pk}),
        {"closed_on": closed_on},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("closed_on", code)
    outlet.refresh_from_db()
    assert outlet.status == Outlet.Status.OPEN


def test_closing_a_closed_outlet_again_sends_back_to_it(client, official):
    outlet = OutletFactory(
        status=Outlet.Status.CLOSED, closed_on=datetime.date(2024, 1, 31)
    )
    client.force_login(official)
    response = client.post(
        reverse("outlets:outlet_close", kwargs={"pk": outlet.pk}),
        {"closed_on": "2025-01-01"},
    )
    assert response["Location"] == outlet.get_absolute_url()
    outlet.refresh_from_db()
    assert outlet.closed_on == datetime.date(2024, 1, 31)


# Localities.


def test_locality_list_starts_in_own_municipality_and_widens_to_all(client, official):
    LocalityFactory(name="Brattfors")
    LocalityFactory(name="Hörnefors", municipality=municipality("2480"))
    client.force_login(official)
    url = reverse("outlets:locality_list")

    own = client.get(url)
    everything = client.get(url, {"municipality": "all"})
    searched = client.get(url, {"municipality": "all", "q": "HÖRNE"})

    assert [locality.name for locality in own.context["object_list"]] == ["Brattfors"]
    assert len(everything.context["object_list"]) == 2
    assert [locality.name for locality in searched.context["object_list"]] == [
        "Hörnefors"
    ]


def test_locality_detail_shows_classification_outlets_and_partners(
    client, regional_viewer
):
    norrfors = LocalityFactory(
        name="Norrfors",
        population=120,
        classification=Locality.Classification.STRATEGIC,
        classification_motivation="Enda mötesplatsen i övre Öreälvdalen.",
    )
    OutletFactory(name="Norrfors Bageri", locality=norrfors)
    PartnerFactory(name="Norrfors byaförening", localities=[norrfors])
    client.force_login(regional_viewer)

    page = client.get(norrfors.get_absolute_url()).content.decode()

    assert "Enda mötesplatsen i övre Öreälvdalen." in page
    assert "Norrfors Bageri" in page
    assert "Norrfors byaförening" in page
    assert 'data-map-source="map-data"' in page


def test_official_adds_a_locality_and_a_classification_needs_a_motivation(
    client, official
):
    client.force_login(official)
    url = reverse("outlets:locality_create")
    data = {"name": "Brattfors", "classification": "service_node"}

    refused = client.post(url, data)
    accepted = client.post(
        url,
        {**data, "classification_motivation": "Butik och skola", "population": "85"},
        follow=True,
    )

    assert refused.context["form"].has_error("classification_motivation")
    locality = Locality.objects.get()
    assert accepted.redirect_chain[-1][0] == locality.get_absolute_url()
    assert only_success_message(accepted)
    assert (locality.municipality, locality.population) == (official.municipality, 85)


def test_a_second_locality_with_the_same_name_is_refused_without_error(
    client, official
):
    LocalityFactory(name="Rundvik")
    client.force_login(official)
    response = client.post(
        reverse("outlets:locality_create"),
        {"name": "Rundvik", "classification": "none"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Locality.objects.count() == 1


def test_official_edits_a_locality_with_a_sweref_position(client, official):
    locality = LocalityFactory(name="Nyåker", latitude=None, longitude=None)
    client.force_login(official)
    response = client.post(
        reverse("outlets:locality_update", kwargs={"pk": locality.pk}),
        {
            "name": "Nyåker",
            "classification": "none",
            "sweref_northing": "7079000",
            "sweref_easting": "697000",
        },
    )
    assert response.status_code == 302
    locality.refresh_from_db()
    assert [
        round(metres)
        for metres in sweref_from_wgs84(locality.latitude, locality.longitude)
    ] == [7079000, 697000]


# Partners.


def test_partner_contact_details_are_for_its_own_municipality_and_region(
    client, official, regional_viewer, umea_official
):
    partner = PartnerFactory(contact_person="Anna Byström")
    seen = {}
    for user in (official, regional_viewer, umea_official):
        client.force_login(user)
        seen[user.email] = "Anna Byström" in (
            client.get(partner.get_absolute_url()).content.decode()
        )
    assert seen == {
        official.email: True,
        regional_viewer.email: True,
        umea_official.email: False,
    }


def test_official_adds_a_partner_active_in_two_localities(client, official):
    brattfors, nyåker = (
        LocalityFactory(name="Brattfors"),
        LocalityFactory(name="Nyåker"),
    )
    client.force_login(official)
    response = client.post(
        reverse("outlets:partner_create"),
        {
            "name": "Byalaget Brattfors",
            "kind": Partner.Kind.VILLAGE_ASSOCIATION,
            "localities": [brattfors.pk, nyåker.pk],
        },
        follow=True,
    )
    partner = Partner.objects.get()
    assert only_success_message(response)
    assert set(partner.localities.all()) == {brattfors, nyåker}
    assert partner.municipality == official.municipality


def test_partner_cannot_be_tied_to_another_municipalitys_locality(client, official):
    umeå = LocalityFactory(municipality=municipality("2480"))
    partner = PartnerFactory()
    client.force_login(official)
    response = client.post(
        reverse("outlets:partner_update", kwargs={"pk": partner.pk}),
        {"name": "X", "kind": "other", "localities": [umeå.pk]},
    )
    assert response.context["form"].has_error("localities", "invalid_choice")
    partner.refresh_from_db()
    assert list(partner.localities.all()) == []


def test_partner_list_filters_by_kind(client, official):
    PartnerFactory(name="Byalaget")
    PartnerFactory(name="Företagarna", kind=Partner.Kind.BUSINESS_ASSOCIATION)
    client.force_login(official)
    response = client.get(
        reverse("outlets:partner_list"), {"kind": "business_association"}
    )
    assert [p.name for p in response.context["object_list"]] == ["Företagarna"]


# The map.


def map_markers(response):
    return {
        (marker["category"], marker["name"])
        for marker in response.context["map_data"]["markers"]
    }


def test_map_shows_outlets_and_localities_of_the_scope_with_links(client, official):
    brattfors = LocalityFactory(name="Brattfors")
    pers = OutletFactory(name="Pers Livs", locality=brattfors)
    OutletFactory(name="Utan position", latitude=None, longitude=None)
    OutletFactory(name="Ingo Balsjö", municipality=municipality("2403"), locality=None)
    client.force_login(official)
    url = reverse("outlets:map")

    own = client.get(url)
    everything = client.get(url, {"municipality": "all", "kind": "grocery"})

    assert ("grocery", "Pers Livs") in map_markers(own)
    assert ("locality", "Brattfors") in map_markers(own)
    assert "Ingo Balsjö" not in {name for _, name in map_markers(own)}
    assert "Utan position" not in {name for _, name in map_markers(own)}
    assert ("grocery", "Ingo Balsjö") in map_markers(everything)
    assert pers.get_absolute_url() in own.content.decode()
    assert '<script id="map-data" type="application/json">' in own.content.decode()


def test_map_uses_the_configured_tile_server_or_none(client, official, settings):
    client.force_login(official)
    assert client.get(reverse("outlets:map")).context["map_data"]["tiles"]["url"] == ""
    settings.MAP_TILE_URL = "https://tiles.example.se/{z}/{x}/{y}.png"
    tiles = client.get(reverse("outlets:map")).context["map_data"]["tiles"]
    assert tiles["url"] == "https://tiles.example.se/{z}/{x}/{y}.png"


def test_register_pages_have_no_inline_script_or_style(client, official):
    outlet = OutletFactory()
    partner = PartnerFactory(localities=[outlet.locality])
    client.force_login(official)
    urls = [
        LIST,
        CREATE,
        outlet.get_absolute_url(),
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}),
        reverse("outlets:outlet_close", kwargs={"pk": outlet.pk}),
        reverse("outlets:map"),
        reverse("outlets:locality_list"),
        outlet.locality.get_absolute_url(),
        reverse("outlets:locality_create"),
        reverse("outlets:partner_list"),
        partner.get_absolute_url(),
        reverse("outlets:partner_create"),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        scripts = html.count("<script")
        assert scripts == html.count("<script src=") + html.count(
            '<script id="map-data" type="application/json">'
        ), url
        assert "style=" not in html, url
        assert not any(f" on{event}=" in html for event in ("click", "load", "submit"))


# Navigation.


@pytest.mark.parametrize(
    "actor,has_register",
    [
        ("system_owner", True),
        ("administrator", True),
        ("official", True),
        ("regional_viewer", True),
        ("shop_owner", False),
    ],
)
def test_staff_have_map_localities_and_partners_in_the_menu(
    client, request, actor, has_register
):
    client.force_login(request.getfixturevalue(actor))
    urls = {
        item["url"]
        for item in client.get("/").context["navigation"]
        if item["url"].startswith("/outlets/")
    }
    register = {
        reverse("outlets:locality_list"),
        reverse("outlets:partner_list"),
        reverse("outlets:map"),
    }
    assert (register <= urls) is has_register
    assert LIST in urls


def test_only_the_closest_menu_item_is_marked_current(client, official):
    client.force_login(official)
    navigation = client.get(reverse("outlets:map")).context["navigation"]
    assert [item["url"] for item in navigation if item["current"]] == [
        reverse("outlets:map")
    ]


# Constant query counts.


def many(count):
    """`count` outlets with contacts in one locality, partners, localities."""
    locality = LocalityFactory(name="Storbyn")
    outlets = OutletFactory.create_batch(count, locality=locality)
    OutletContact.objects.bulk_create(
        OutletContact(outlet=outlet, name=f"Kontakt {outlet.pk}") for outlet in outlets
    )
    localities = LocalityFactory.create_batch(count)
    for partner in PartnerFactory.create_batch(min(count, 60)):
        partner.localities.set(localities[:5])
    return outlets[0], locality, Partner.objects.first()


@pytest.mark.parametrize("count", [3, 300])
def test_outlet_pages_run_a_constant_number_of_queries(
    client, official, count, django_assert_max_num_queries
):
    OutletFactory.create_batch(count)
    client.force_login(official)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("outlets:outlet_list")).status_code == 200
    # The start page also reads the budget and the coming deadlines, and the
    # amendments and renewals under work: beside the year's figures, and all of them.
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("count", [3, 300])
def test_register_pages_run_a_constant_number_of_queries(
    client, official, count, django_assert_max_num_queries
):
    # Made by the official: the pages' histories name who changed what.
    with pghistory.context(user=official.pk):
        outlet, locality, partner = many(count)
    client.force_login(official)
    pages = {
        LIST + "?municipality=all&q=a&sort=-locality": 7,
        # Two more on each record's page for its history: the changes (one union
        # over the event tables) and the users who made them. Six more on the
        # outlet's for its place in the programme: whether it is a service point,
        # and the panels of the agreements (1), follow-up (2) and deliveries (2);
        # one for the window sign's (whether it is a service point, for the public).
        outlet.get_absolute_url(): 8 + 2 + 6 + 1,
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}): 7,
        reverse("outlets:map") + "?municipality=all": 7,
        reverse("outlets:locality_list"): 6,
        # Two more for the stored service analysis: its settings and its result;
        # two for the choice of service point: whether one reads the municipality's
        # records, and the choices; one for a computation of it under way.
        locality.get_absolute_url(): 9 + 2 + 2 + 1,
        reverse("outlets:partner_list"): 7,
        partner.get_absolute_url(): 7 + 2,
    }
    for url, most in pages.items():
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "management",
    [
        {"contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "5"},
        {"contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "1"},
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": "abc",
            "contacts-0-name": "X",
        },
        {"contacts-TOTAL_FORMS": "-1", "contacts-INITIAL_FORMS": "-1"},
        {"contacts-TOTAL_FORMS": "3000"},
    ],
)
def test_forged_contact_forms_on_an_edit_never_fail(client, official, management):
    outlet = OutletFactory(name="Handlarn")
    OutletContactFactory(outlet=outlet, name="Kvar Kvist")
    client.force_login(official)
    response = client.post(
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}),
        outlet_post(name="Handlarn", **management),
    )
    assert response.status_code in (200, 302)
    assert list(outlet.contacts.values_list("name", flat=True)) == ["Kvar Kvist"]


def test_system_owner_sees_the_records_of_every_municipality(
    client, system_owner, shop_owner, own_outlet
):
    client.force_login(system_owner)
    detail = client.get(own_outlet.get_absolute_url()).content.decode()
    assert shop_owner.full_name in detail
    assert "Du ser bara dess grunduppgifter" not in detail
