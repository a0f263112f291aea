"""The choice of a strategic locality's service point: which outlets were
considered, which was chosen and why, and the decision behind it."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outlets.models import Locality, ServicePointChoice
from outlets.services import service_point_choice_save
from outlets.tests.factories import LocalityFactory, OutletFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def rundvik():
    return LocalityFactory(
        name="Rundvik",
        latitude=63.533,
        longitude=19.433,
        classification=Locality.Classification.STRATEGIC,
        classification_motivation="Enda dagligvaruhandeln i kustbyarna.",
    )


@pytest.fixture
def shops(rundvik):
    """Two shops of the village, one in the next village, one in Umeå nearby and
    one in Umeå far away (Umeå's town centre, over 40 km)."""
    return {
        "handlarn": OutletFactory(
            name="Handlarn Rundvik", locality=rundvik, latitude=63.533, longitude=19.433
        ),
        "tempo": OutletFactory(
            name="Tempo Sunnansjö", locality=None, latitude=63.52, longitude=19.49
        ),
        "tallberg": OutletFactory(
            name="Handlar'n Tallberg", locality=None, latitude=63.55, longitude=19.50
        ),
        "hörnefors": OutletFactory(
            name="Coop Hörnefors",
            municipality=municipality("2480"),
            locality=None,
            latitude=63.63,
            longitude=19.90,
        ),
        "umeå": OutletFactory(
            name="ICA Umeå",
            municipality=municipality("2480"),
            locality=None,
            latitude=63.826,
            longitude=20.263,
        ),
    }


def choice_post(shops, *, considered=("handlarn", "tempo"), chosen="handlarn", **more):
    return {
        "considered": [shops[name].pk for name in considered],
        "chosen": shops[chosen].pk,
        "reason": "Längst öppettider och plats för ett ombudsrum.",
        "decision_body": "Kommunstyrelsen",
        "decision_date": "2010-05-12",
        "decision_paragraph": "34",
        "decision_registration_number": "KS 2010/123",
        **more,
    }


def unsaved_choice(locality, shops, *, reason):
    return ServicePointChoice(
        locality=locality,
        chosen=shops["handlarn"],
        reason=reason,
        decision_body="Kommunstyrelsen",
        decision_date=datetime.date(2010, 5, 12),
    )


def create_url(locality):
    return reverse("outlets:service_point_choice_create", args=[locality.pk])


def text(response):
    """The page's text, its tags taken out."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_an_official_records_the_choice_and_the_locality_page_shows_it(
    client, official, rundvik, shops
):
    client.force_login(official)

    response = client.post(
        create_url(rundvik),
        choice_post(shops, considered=("handlarn", "tempo", "hörnefors")),
    )

    assert response.status_code == 302
    choice = ServicePointChoice.objects.get()
    assert choice.chosen == shops["handlarn"]
    assert set(choice.considered.all()) == {
        shops["handlarn"],
        shops["tempo"],
        shops["hörnefors"],
    }
    page = text(client.get(rundvik.get_absolute_url()))
    assert "Val av servicepunkt" in page
    assert "Vald: Handlarn Rundvik" in page
    assert "Tempo Sunnansjö" in page
    assert "Coop Hörnefors (Umeå kommun)" in page
    assert "Längst öppettider och plats för ett ombudsrum." in page
    assert "Kommunstyrelsen 2010-05-12 § 34 (KS 2010/123)" in page


def test_the_chosen_outlet_must_be_among_those_considered(
    client, official, rundvik, shops
):
    client.force_login(official)

    response = client.post(
        create_url(rundvik),
        choice_post(shops, considered=("tempo", "tallberg"), chosen="handlarn"),
    )

    assert response.status_code == 400
    message = "Det valda försäljningsstället måste vara ett av de övervägda."
    assert message in text(response)
    assert not ServicePointChoice.objects.exists()


def test_the_service_refuses_a_chosen_outlet_not_considered(official, rundvik, shops):
    choice = unsaved_choice(rundvik, shops, reason="Närmast")

    with pytest.raises(ValidationError) as raised:
        service_point_choice_save(
            choice=choice, considered=[shops["tempo"], shops["tallberg"]], by=official
        )

    assert [e.code for e in raised.value.error_dict["considered"]] == [
        "chosen_not_considered"
    ]
    assert not ServicePointChoice.objects.exists()


def test_a_shop_across_the_border_may_be_considered_if_near_but_not_chosen(
    client, official, rundvik, shops
):
    client.force_login(official)

    form = client.get(create_url(rundvik)).context["form"]
    far = client.post(
        create_url(rundvik), choice_post(shops, considered=("handlarn", "umeå"))
    )
    chosen_across = client.post(
        create_url(rundvik),
        choice_post(shops, considered=("handlarn", "hörnefors"), chosen="hörnefors"),
    )

    considered = set(form.fields["considered"].queryset)
    assert shops["hörnefors"] in considered and shops["umeå"] not in considered
    assert shops["hörnefors"] not in set(form.fields["chosen"].queryset)
    assert far.status_code == chosen_across.status_code == 400
    assert not ServicePointChoice.objects.exists()


def test_a_choice_needs_several_outlets_and_a_reason(client, official, rundvik, shops):
    client.force_login(official)

    response = client.post(
        create_url(rundvik), choice_post(shops, considered=("handlarn",), reason=" ")
    )

    page = text(response)
    assert response.status_code == 400
    assert "Kryssa i minst två övervägda försäljningsställen" in page
    assert response.context["form"].has_error("reason", code="required")
    assert not ServicePointChoice.objects.exists()


def test_no_choice_is_recorded_for_an_unclassified_locality(client, official, shops):
    village = LocalityFactory(name="Ava")
    client.force_login(official)

    assert client.get(create_url(village)).status_code == 404
    assert client.post(create_url(village), choice_post(shops)).status_code == 404


def test_editing_the_choice_keeps_its_history(client, official, rundvik, shops):
    client.force_login(official)
    client.post(create_url(rundvik), choice_post(shops))
    choice = ServicePointChoice.objects.get()
    edit = reverse("outlets:service_point_choice_update", args=[choice.pk])

    response = client.post(
        edit,
        choice_post(
            shops,
            considered=("handlarn", "tempo", "tallberg"),
            reason="Ny motivering efter kundundersökningen.",
        ),
    )

    assert response.status_code == 302
    choice.refresh_from_db()
    assert choice.reason == "Ny motivering efter kundundersökningen."
    assert choice.considered.count() == 3
    history = text(client.get(edit))
    assert "Val av servicepunkt ändrades" in history
    assert "övervägda försäljningsställen" in history
    assert "Val av servicepunkt skapades" in history


def test_readers_of_the_records_see_the_choice_others_do_not(
    client, official, regional_viewer, umea_official, rundvik, shops
):
    service_point_choice_save(
        choice=unsaved_choice(rundvik, shops, reason="Längst öppettider."),
        considered=[shops["handlarn"], shops["tempo"]],
        by=official,
    )

    client.force_login(regional_viewer)
    regional = text(client.get(rundvik.get_absolute_url()))
    client.force_login(umea_official)
    other = text(client.get(rundvik.get_absolute_url()))

    assert "Vald: Handlarn Rundvik" in regional
    assert "Registrera ett val" not in regional
    assert "Redigera valet" not in regional
    assert "Val av servicepunkt" not in other


def test_only_the_municipalitys_staff_record_a_choice(
    umea_official, regional_viewer, rundvik, shops
):
    for user in (umea_official, regional_viewer):
        with pytest.raises(PermissionDenied):
            service_point_choice_save(
                choice=unsaved_choice(rundvik, shops, reason="Närmast."),
                considered=[shops["handlarn"], shops["tempo"]],
                by=user,
            )
    assert not ServicePointChoice.objects.exists()


def test_the_database_refuses_a_chosen_outlet_not_considered(rundvik, shops):
    from django.db import IntegrityError, connection, transaction

    choice = unsaved_choice(rundvik, shops, reason="Närmast.")
    choice.save()
    choice.considered.set([shops["handlarn"], shops["tempo"]])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the check at commit, now

    for change in (
        lambda: choice.considered.remove(shops["handlarn"]),
        lambda: ServicePointChoice.objects.filter(pk=choice.pk).update(
            chosen=shops["tallberg"]
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
    assert choice.considered.count() == 2
