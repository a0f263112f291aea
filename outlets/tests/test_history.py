"""Each register record's page tells who changed what and when, in words."""

import pytest
from django.urls import reverse

from outlets.models import (
    LocalityEvent,
    Outlet,
    OutletContactEvent,
    OutletEvent,
    PartnerEvent,
)
from outlets.tests.factories import (
    LocalityFactory,
    OutletContactFactory,
    OutletFactory,
    PartnerFactory,
)
from outlets.tests.history import history_rows, recorded_an_hour_ago, when

pytestmark = pytest.mark.django_db


def outlet_form(outlet, contacts=(), **changes):
    """The outlet's edit form as posted unchanged, with its contact persons, changed
    as told."""
    data = {
        "name": outlet.name,
        "kind": outlet.kind,
        "locality": outlet.locality_id or "",
        "latitude": outlet.latitude or "",
        "longitude": outlet.longitude or "",
        "opening_hours": outlet.opening_hours,
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": str(len(contacts)),
    }
    for index, contact in enumerate(contacts):
        for field in ("id", "name", "role", "email", "phone"):
            data[f"contacts-{index}-{field}"] = getattr(contact, field)
    data.update(changes)
    return data


def test_an_outlets_page_tells_who_changed_its_kind_and_opening_hours_and_when(
    client, official
):
    outlet = OutletFactory(kind=Outlet.Kind.GROCERY, opening_hours="Mån–fre 9–18")
    recorded_an_hour_ago()
    client.force_login(official)

    response = client.post(
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}),
        outlet_form(
            outlet, kind=Outlet.Kind.GROCERY_FULL, opening_hours="Alla dagar 8–21"
        ),
    )
    page = client.get(outlet.get_absolute_url())

    assert response.status_code == 302
    change = OutletEvent.objects.get(pgh_label="update")
    creation = OutletEvent.objects.get(pgh_label="insert")
    assert history_rows(page) == [
        (
            when(change),
            official.full_name,
            "Försäljningsställe ändrades: typ Dagligvarubutik, begränsat sortiment "
            "→ Dagligvarubutik, fullsortiment, öppettider",
        ),
        (when(creation), "Systemet", "Försäljningsställe skapades"),
    ]


def test_a_contact_persons_changed_phone_and_removal_show_to_those_who_read_records(
    client, official, umea_official
):
    outlet = OutletFactory()
    kept = OutletContactFactory(outlet=outlet, phone="0930-100 00")
    removed = OutletContactFactory(outlet=outlet)
    recorded_an_hour_ago()
    client.force_login(official)

    client.post(
        reverse("outlets:outlet_update", kwargs={"pk": outlet.pk}),
        outlet_form(
            outlet,
            [kept, removed],
            **{"contacts-0-phone": "070-555 12 34", "contacts-1-DELETE": "on"},
        ),
    )
    seen_by_official = history_rows(client.get(outlet.get_absolute_url()))
    client.force_login(umea_official)
    seen_by_umea = history_rows(client.get(outlet.get_absolute_url()))

    change = OutletContactEvent.objects.get(pgh_label="update")
    assert seen_by_official[:2] == [
        (when(change), official.full_name, "Kontaktperson ändrades: telefon"),
        (when(change), official.full_name, "Kontaktperson togs bort"),
    ]
    # Contact persons are records: another municipality's staff see base data only.
    assert [what for _, _, what in seen_by_umea] == ["Försäljningsställe skapades"]


def test_a_localitys_page_tells_who_renamed_it_and_when(client, official):
    locality = LocalityFactory(name="Nyåker")
    recorded_an_hour_ago()
    client.force_login(official)

    client.post(
        reverse("outlets:locality_update", kwargs={"pk": locality.pk}),
        {
            "name": "Nyåker by",
            "classification": "none",
            "sweref_northing": "7079000",
            "sweref_easting": "697000",
        },
    )

    change = LocalityEvent.objects.get(pgh_label="update")
    assert history_rows(client.get(locality.get_absolute_url()))[0] == (
        when(change),
        official.full_name,
        "Ort ändrades: latitud, longitud, namn",
    )


def test_a_partners_page_tells_who_changed_its_phone_and_localities_and_when(
    client, official
):
    first, second = LocalityFactory.create_batch(2)
    partner = PartnerFactory(localities=[first])
    recorded_an_hour_ago()
    client.force_login(official)

    response = client.post(
        reverse("outlets:partner_update", kwargs={"pk": partner.pk}),
        {
            "name": partner.name,
            "kind": partner.kind,
            "contact_person": partner.contact_person,
            "email": partner.email,
            "phone": "070-999 88 77",
            "localities": [second.pk],
        },
    )

    assert response.status_code == 302
    change = PartnerEvent.objects.get(pgh_label="update")
    assert history_rows(client.get(partner.get_absolute_url()))[0] == (
        when(change),
        official.full_name,
        "Samverkanspart ändrades: orter, telefon",
    )


def test_linking_a_partner_to_a_locality_alone_is_a_change_of_the_partner(
    client, official
):
    partner = PartnerFactory()
    recorded_an_hour_ago()
    client.force_login(official)

    client.post(
        reverse("outlets:partner_update", kwargs={"pk": partner.pk}),
        {
            "name": partner.name,
            "kind": partner.kind,
            "contact_person": partner.contact_person,
            "email": partner.email,
            "phone": partner.phone,
            "localities": [LocalityFactory().pk],
        },
    )

    rows = history_rows(client.get(partner.get_absolute_url()))
    assert [(who, what) for _, who, what in rows] == [
        (official.full_name, "Samverkanspart ändrades: orter"),
        ("Systemet", "Samverkanspart skapades"),
    ]


def test_another_municipalitys_staff_see_no_change_of_an_outlets_records(
    client, official, umea_official
):
    outlet = OutletFactory(opening_hours="Mån–fre 9–18")
    recorded_an_hour_ago()
    outlet.crisis_role = Outlet.CrisisRole.READINESS_POINT
    outlet.backup_power = True
    outlet.opening_hours = "Alla dagar 8–21"
    outlet.save()
    outlet.organisation_number = "556677-8899"
    outlet.crisis_contact = "Kalle, 070-111 22 33"
    outlet.save()

    client.force_login(official)
    seen_by_official = [
        what for _, _, what in history_rows(client.get(outlet.get_absolute_url()))
    ]
    client.force_login(umea_official)
    page = client.get(outlet.get_absolute_url())
    seen_by_umea = [what for _, _, what in history_rows(page)]

    assert any("krisroll" in what for what in seen_by_official)
    assert any("organisationsnummer" in what for what in seen_by_official)
    # Base data only: the opening hours' change, not the crisis readiness beside
    # it, and no line at all for a change of records only.
    assert sorted(seen_by_umea) == [
        "Försäljningsställe skapades",
        "Försäljningsställe ändrades: öppettider",
    ]
    text = page.content.decode()
    for hidden in ("krisroll", "reservkraft", "organisationsnummer", "Trygghetspunkt"):
        assert hidden not in text.lower()


def test_another_municipalitys_staff_see_no_change_of_a_partners_contact_person(
    client, official, umea_official
):
    partner = PartnerFactory()
    recorded_an_hour_ago()
    client.force_login(official)
    client.post(
        reverse("outlets:partner_update", kwargs={"pk": partner.pk}),
        {
            "name": partner.name,
            "kind": partner.kind,
            "contact_person": "Greta Nilsson",
            "email": partner.email,
            "phone": "070-999 88 77",
            "localities": [LocalityFactory().pk],
        },
    )
    client.force_login(umea_official)
    page = client.get(partner.get_absolute_url())

    assert page.status_code == 200
    assert [what for _, _, what in history_rows(page)] == [
        "Samverkanspart ändrades: orter",
        "Samverkanspart skapades",
    ]
