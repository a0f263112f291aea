"""The annual dialogue is shared (issue 17, point 1): the shop owner reads the year's
dialogue, agreed actions and site visit, and marks the shop's own actions done with
a comment, which the official then sees."""

import importlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from followup.models import AgreedAction
from followup.services import (
    CheckedCriterion,
    action_add,
    action_mark_done,
    checklist_seed,
    followups_create_for,
    meeting_save,
    site_visit_save,
)
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def dialogue_held(followup, official):
    """The year's dialogue with one action each, and the site visit."""
    meeting_save(
        followup=followup,
        by=official,
        held_on=date(2025, 10, 1),
        participants="Per Lindberg, Johan Berg",
        minutes="Gick igenom årets siffror. Butiken vill ha bättre skyltning.",
    )
    shop = action_add(
        followup=followup,
        by=official,
        text="Sätt upp en anslagstavla",
        party=AgreedAction.Party.SHOP,
        responsible="Per",
        due_on=date(2025, 12, 1),
    )
    municipality = action_add(
        followup=followup,
        by=official,
        text="Ny skylt vid vägen",
        party=AgreedAction.Party.MUNICIPALITY,
        responsible="Kommunen",
        due_on=date(2025, 12, 1),
    )
    criteria = checklist_seed(municipality=followup.agreement.municipality)
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=date(2025, 10, 1),
        visitors="Johan Berg",
        assessment="Välskött butik.",
        results=[
            CheckedCriterion(criterion, "not_ok", "Skylten är blekt.")
            if index == 0
            else CheckedCriterion(criterion, "ok")
            for index, criterion in enumerate(criteria)
        ],
    )
    return shop, municipality


@pytest.fixture
def followup(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get()


@pytest.fixture
def actions(followup, official):
    return dialogue_held(followup, official)


@pytest.fixture
def other_owners_actions(official):
    """Another shop's dialogue in the same municipality."""
    outlet = OutletFactory(name="Handlarn Rundvik")
    UserFactory(shop_owner=True, outlets=[outlet])
    agreement = signed_agreement(outlet)
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return dialogue_held(agreement.followups.get(), official)


def page_url(followup):
    return reverse("followup:portal_followup", kwargs={"pk": followup.pk})


def done_url(action):
    return reverse("followup:portal_action_done", kwargs={"pk": action.pk})


def comment_field(action):
    return f"done-{action.pk}-comment"


def text_of(response):
    return response.content.decode()


def test_the_owner_reads_the_dialogue_its_actions_and_the_site_visit(
    client, shop_owner, followup, actions
):
    client.force_login(shop_owner)

    portal = text_of(client.get(reverse("followup:portal")))
    page = text_of(client.get(page_url(followup)))

    assert page_url(followup) in portal
    assert "1 överenskommen åtgärd för butiken att göra." in portal
    assert "Gick igenom årets siffror. Butiken vill ha bättre skyltning." in page
    assert "Sätt upp en anslagstavla" in page and "Butiken (Per)" in page
    assert "Ny skylt vid vägen" in page and "Vems: Kommunen<" in page
    assert "Välskött butik." in page
    assert "Skylt utanför" in page and "Skylten är blekt." in page
    # Only the shop's own action can be marked done here.
    assert done_url(actions[0]) in page
    assert done_url(actions[1]) not in page


def test_the_owner_marks_the_shops_action_done_and_the_official_sees_it(
    client, shop_owner, official, followup, actions
):
    shop_action, _ = actions
    client.force_login(shop_owner)

    response = client.post(
        done_url(shop_action),
        {comment_field(shop_action): "Tavlan sitter vid kassan."},
        follow=True,
    )

    assert "Tack! Åtgärden är markerad som klar." in text_of(response)
    shop_action.refresh_from_db()
    assert shop_action.status == AgreedAction.Status.DONE
    assert shop_action.done_by == shop_owner
    assert timezone.localdate(shop_action.done_at) == timezone.localdate()
    assert shop_action.done_comment == "Tavlan sitter vid kassan."
    client.force_login(official)
    page = text_of(client.get(followup.get_absolute_url()))
    today = timezone.localdate().isoformat()
    assert f"Markerad klar {today} av {shop_owner.full_name}." in page
    assert "Kommentar: Tavlan sitter vid kassan." in page


def test_the_owner_cannot_mark_the_municipalitys_action_done(
    client, shop_owner, actions
):
    _, municipality_action = actions
    client.force_login(shop_owner)

    response = client.post(done_url(municipality_action), {"status": "done"})

    assert response.status_code == 404
    municipality_action.refresh_from_db()
    assert municipality_action.status == AgreedAction.Status.OPEN
    with pytest.raises(PermissionDenied):
        action_mark_done(action=municipality_action, by=shop_owner)


def test_another_outlets_dialogue_and_actions_are_not_found(
    client, shop_owner, actions, other_owners_actions
):
    client.force_login(shop_owner)
    other_shop_action = other_owners_actions[0]

    page = client.get(page_url(other_shop_action.meeting.followup))
    post = client.post(done_url(other_shop_action), {"status": "done"})

    assert page.status_code == 404 and post.status_code == 404
    other_shop_action.refresh_from_db()
    assert other_shop_action.status == AgreedAction.Status.OPEN
    assert "Handlarn Rundvik" not in text_of(client.get(reverse("followup:portal")))


def test_a_forged_post_changes_nothing(client, shop_owner, actions):
    shop_action, municipality_action = actions
    client.force_login(shop_owner)

    # The staff's form, which also reopens and marks any action done.
    for action in actions:
        url = reverse("followup:action_status", kwargs={"pk": action.pk})
        assert client.post(url, {"status": "done"}).status_code == 404
    # Fields the form does not have are ignored; the owner cannot reopen.
    client.post(
        done_url(shop_action),
        {comment_field(shop_action): "Klart.", "done_by": "1"},
    )
    client.post(done_url(shop_action), {"status": "open"})

    shop_action.refresh_from_db()
    municipality_action.refresh_from_db()
    assert (shop_action.status, shop_action.done_by) == ("done", shop_owner)
    assert shop_action.done_comment == "Klart."
    assert municipality_action.status == AgreedAction.Status.OPEN


def test_an_action_already_done_keeps_who_marked_it(
    client, shop_owner, official, actions
):
    shop_action, _ = actions
    action_mark_done(action=shop_action, by=official, comment="Klar vid besöket.")
    client.force_login(shop_owner)

    response = client.post(done_url(shop_action), {}, follow=True)

    assert "Åtgärden är redan markerad som klar." in text_of(response)
    shop_action.refresh_from_db()
    assert shop_action.done_by == official
    assert shop_action.done_comment == "Klar vid besöket."


def test_a_comment_too_long_is_refused_with_a_message(client, shop_owner, actions):
    shop_action, _ = actions
    client.force_login(shop_owner)

    response = client.post(
        done_url(shop_action), {comment_field(shop_action): "x" * 2001}
    )

    assert response.status_code == 400
    assert "som mest 2000 tecken (den har 2001)" in text_of(response)
    shop_action.refresh_from_db()
    assert shop_action.status == AgreedAction.Status.OPEN


def test_the_official_marks_done_with_a_comment_and_reopens(
    client, official, followup, actions
):
    _, municipality_action = actions
    client.force_login(official)
    url = reverse("followup:action_status", kwargs={"pk": municipality_action.pk})

    client.post(url, {f"done-{municipality_action.pk}-comment": "Skylten är uppe."})
    municipality_action.refresh_from_db()
    assert municipality_action.done_by == official
    assert municipality_action.done_comment == "Skylten är uppe."

    client.post(url, {"status": "open"})
    municipality_action.refresh_from_db()
    assert municipality_action.status == AgreedAction.Status.OPEN
    assert municipality_action.done_by is None and municipality_action.done_at is None


def test_the_official_says_whose_action_it_is(client, official, followup, actions):
    client.force_login(official)
    url = reverse("followup:action_add", kwargs={"pk": followup.pk})

    missing = client.post(url, {"action-text": "Kaffekväll", "action-responsible": ""})
    client.post(url, {"action-text": "Kaffekväll", "action-party": "shop"})

    assert missing.status_code == 400
    assert "Detta fält måste fyllas i." in text_of(missing)
    added = AgreedAction.objects.get(text="Kaffekväll")
    assert (added.party, added.responsible, added.added_by) == ("shop", "", official)


def test_the_database_keeps_an_open_action_free_of_done_marks(actions, official):
    shop_action, _ = actions
    with pytest.raises(IntegrityError):
        AgreedAction.objects.filter(pk=shop_action.pk).update(
            done_at=timezone.now(), done_by=official
        )


def test_a_service_refuses_to_mark_done_twice(actions, official):
    shop_action, _ = actions
    action_mark_done(action=shop_action, by=official)
    with pytest.raises(ValidationError) as error:
        action_mark_done(action=shop_action, by=official)
    assert error.value.code == "already_done"


@pytest.mark.parametrize(
    ("name", "party"),
    [
        ("Kommunen", "municipality"),
        ("Nordmalings kommun", "municipality"),
        ("Johan, handläggare", "municipality"),
        ("Butiken", "shop"),
        ("Per", "shop"),
        ("Pers Livs", "shop"),
        ("Okänd", "municipality"),
    ],
)
def test_actions_recorded_before_the_party_get_one_from_their_name(
    actions, name, party
):
    migration = importlib.import_module(
        "followup.migrations.0007_agreed_action_party_from_name"
    )
    action = actions[0]
    action.party, action.responsible = "", name
    # The shop's signatory (and owner) is Per Lindberg, the outlet Pers Livs.
    party_of = migration.party_of
    agreement = action.meeting.followup.agreement
    agreement.party.signatory_name = "Per Lindberg"
    agreement.party.save()

    assert party_of(action) == party
