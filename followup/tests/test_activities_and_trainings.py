"""Activities held at the service points and trainings of their staff."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tests.factories import UserFactory
from followup.models import Activity, Training
from followup.services import activity_save, training_save
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


def test_the_owner_logs_an_activity_for_their_shop_and_sees_it_listed(
    client, shop_owner, own_outlet
):
    client.force_login(shop_owner)
    response = client.post(
        reverse("followup:activity_create"),
        {
            "outlet": own_outlet.pk,
            "held_on": "2026-04-02",
            "title": "Fika och hjälp med BankID",
            "participants": "12",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("followup:activity_list")).content.decode()
    assert "Fika och hjälp med BankID" in page and "Pers Livs" in page


def test_a_forged_activity_for_another_outlet_is_refused_and_nothing_stored(
    client, shop_owner
):
    elsewhere = OutletFactory(name="Handlarn Rundvik")
    client.force_login(shop_owner)
    response = client.post(
        reverse("followup:activity_create"),
        {"outlet": elsewhere.pk, "held_on": "2026-04-02", "title": "Smygad"},
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Activity.objects.exists()


def test_owner_b_finds_owner_as_activity_missing(client, own_outlet):
    activity = Activity.objects.create(
        outlet=own_outlet, held_on=date(2026, 4, 2), title="Byamöte"
    )
    other = UserFactory(shop_owner=True, outlets=[OutletFactory(name="Rundvik")])
    client.force_login(other)
    url = reverse("followup:activity_update", kwargs={"pk": activity.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Ändrad"}).status_code == 404
    assert (
        "Byamöte" not in client.get(reverse("followup:activity_list")).content.decode()
    )
    activity.refresh_from_db()
    assert activity.title == "Byamöte"


def test_an_official_records_a_training_the_owner_sees_it_another_owner_does_not(
    client, official, shop_owner, own_outlet
):
    client.force_login(official)
    response = client.post(
        reverse("followup:training_create"),
        {
            "held_on": "2026-05-05",
            "topic": "crisis",
            "organiser": "Länsstyrelsen Västerbotten",
            "participant_count": "3",
            "participants": "Per Lindberg\nAnna Berg\nOla Ek",
        },
    )
    assert response.status_code == 302, response.content.decode()
    training = Training.objects.get()
    assert training.municipality.code == "2401"
    training.outlets.add(own_outlet)

    client.force_login(shop_owner)
    page = client.get(reverse("followup:training_list")).content.decode()
    assert "Krisberedskap" in page and "Länsstyrelsen Västerbotten" in page
    client.force_login(UserFactory(shop_owner=True, outlets=[OutletFactory()]))
    page = client.get(reverse("followup:training_list")).content.decode()
    assert "Länsstyrelsen Västerbotten" not in page


def test_an_owner_sees_only_their_own_shop_among_a_trainings_participants(
    client, official, shop_owner, own_outlet
):
    training = Training.objects.create(
        municipality=own_outlet.municipality,
        held_on=date(2026, 5, 5),
        topic="crisis",
        organiser="Länsstyrelsen",
        participant_count=2,
    )
    training.outlets.add(own_outlet, OutletFactory(name="Handlarn Rundvik"))

    client.force_login(shop_owner)
    page = client.get(reverse("followup:training_list")).content.decode()
    assert "Pers Livs" in page and "Handlarn Rundvik" not in page
    client.force_login(official)
    page = client.get(reverse("followup:training_list")).content.decode()
    assert "Handlarn Rundvik, Pers Livs" in page


def test_a_training_needs_a_participant_and_a_known_topic(client, official):
    client.force_login(official)
    response = client.post(
        reverse("followup:training_create"),
        {
            "held_on": "2026-05-05",
            "topic": "juggling",
            "organiser": "X",
            "participant_count": "0",
        },
    )
    assert response.status_code == 200
    assert not Training.objects.exists()


def test_another_municipalitys_official_cannot_change_the_training(client, official):
    training = Training.objects.create(
        municipality=municipality("2401"),
        held_on=date(2026, 5, 5),
        topic="forms",
        organiser="Skatteverket",
        participant_count=2,
    )
    umea = UserFactory(email="o@umea.example", municipality=municipality("2480"))
    client.force_login(umea)
    url = reverse("followup:training_update", kwargs={"pk": training.pk})
    assert client.get(url).status_code == 404
    assert (
        "Skatteverket"
        not in client.get(reverse("followup:training_list")).content.decode()
    )


def test_the_activity_list_runs_a_fixed_number_of_queries(
    client, official, own_outlet, django_assert_max_num_queries
):
    for day in range(1, 21):
        Activity.objects.create(
            outlet=own_outlet, held_on=date(2026, 3, day), title=f"Träff {day}"
        )
    client.force_login(official)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("followup:activity_list")).status_code == 200


def test_the_services_refuse_those_who_only_read_activities_and_trainings(
    regional_viewer, shop_owner, own_outlet
):
    """The views answer 403 or 404 first; called directly, the services refuse as
    the last line of defence."""
    activity = Activity.objects.create(
        outlet=own_outlet, held_on=date(2026, 4, 2), title="Byamöte"
    )
    assert Activity.objects.visible_to(regional_viewer).filter(pk=activity.pk).exists()
    activity.title = "Ändrad"
    with pytest.raises(PermissionDenied):
        activity_save(activity=activity, by=regional_viewer)
    with pytest.raises(PermissionDenied):
        training_save(
            training=Training(
                municipality=own_outlet.municipality,
                held_on=date(2026, 5, 5),
                topic=Training.Topic.CRISIS,
                organiser="Länsstyrelsen",
                participant_count=3,
            ),
            outlets=[own_outlet],
            by=shop_owner,
        )
    activity.refresh_from_db()
    assert activity.title == "Byamöte"
    assert not Training.objects.exists()
