"""The municipality's follow-up settings and site-visit checklist, kept by its
administrators in the app."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from followup.models import ChecklistCriterion, FollowUpSettings
from followup.services import (
    DEFAULT_CHECKLIST,
    CheckedCriterion,
    checklist_seed,
    followups_create_for,
    site_visit_save,
)
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("followup:settings")
CHECKLIST_URL = reverse("followup:checklist")


@pytest.fixture
def followup(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get()


@pytest.fixture
def checklist(nordmaling):
    return checklist_seed(municipality=nordmaling)


def texts(response):
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def in_use(municipality_):
    return list(
        ChecklistCriterion.objects.filter(municipality=municipality_)
        .active()
        .values_list("text", flat=True)
    )


def site_visit_form_labels(client, followup):
    form = client.get(followup.get_absolute_url()).context["visit_form"]
    return [field.label for field, _remark in form.checklist()]


def test_the_administrator_sets_the_due_date_and_new_follow_ups_fall_due_by_it(
    client, administrator, agreement, nordmaling
):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    first = agreement.followups.get()
    client.force_login(administrator)

    response = client.post(
        SETTINGS_URL,
        {"report_due_days": "30"},
        follow=True,
    )

    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    assert messages_of(response) == [
        "Inställningarna är sparade.",
        "Uppföljningar som redan finns behåller sina datum; nya får det nya "
        "antalet dagar.",
    ]
    stored = FollowUpSettings.objects.get(municipality=nordmaling)
    assert stored.report_due_days == 30
    # The year already followed up keeps its date; the next one gets 30 days.
    followups_create_for(agreement=agreement, today=date(2026, 6, 1))
    first.refresh_from_db()
    second = agreement.followups.get(agreement_year=2)
    assert first.due_on == first.period_end + timedelta(days=60)
    assert second.due_on == second.period_end + timedelta(days=30)
    page = texts(client.get(SETTINGS_URL))
    assert 'value="30"' in page
    assert "vara uppföljt senast" in page


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"report_due_days": "0"},
            "Ange ett antal dagar från 1 till 365.",
        ),
        (
            {"report_due_days": "400"},
            "Ange ett antal dagar från 1 till 365.",
        ),
        (
            {"report_due_days": "två månader"},
            "Skriv ett helt antal dagar, t.ex. 60.",
        ),
        (
            {"report_due_days": ""},
            "Ange antalet dagar.",
        ),
    ],
)
def test_settings_out_of_range_are_refused_with_a_message_and_nothing_changes(
    client, administrator, nordmaling, data, message
):
    FollowUpSettings.objects.create(municipality=nordmaling, report_due_days=45)
    client.force_login(administrator)

    response = client.post(SETTINGS_URL, data)

    assert response.status_code == 400
    assert message in texts(response)
    assert "Rätta felen nedan." in texts(response)
    stored = FollowUpSettings.objects.get(municipality=nordmaling)
    assert stored.report_due_days == 45


def test_officials_find_the_settings_and_the_checklist_missing(
    client, official, checklist
):
    client.force_login(official)

    for url in (
        SETTINGS_URL,
        CHECKLIST_URL,
        reverse("followup:criterion_update", args=[checklist[0].pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(CHECKLIST_URL, {"text": "Hjärtstartare"})

    assert response.status_code == 404
    assert "Hjärtstartare" not in in_use(checklist[0].municipality)


def test_the_follow_up_list_and_the_programme_settings_lead_administrators_here(
    client, administrator, official
):
    client.force_login(administrator)

    for page in (
        texts(client.get(reverse("followup:followup_list"))),
        texts(client.get(reverse("agreements:programme_settings"))),
        texts(client.get(CHECKLIST_URL)),
    ):
        assert f'href="{SETTINGS_URL}"' in page
        assert f'href="{CHECKLIST_URL}"' in page
    client.force_login(official)
    assert f'href="{SETTINGS_URL}"' not in texts(
        client.get(reverse("followup:followup_list"))
    )


def test_the_checklist_lists_the_criteria_in_order(client, administrator, checklist):
    client.force_login(administrator)

    page = texts(client.get(CHECKLIST_URL))

    positions = [page.index(text) for text in DEFAULT_CHECKLIST]
    assert positions == sorted(positions)


def test_an_added_criterion_comes_last_and_is_on_the_next_site_visit_form(
    client, administrator, official, followup
):
    client.force_login(administrator)

    response = client.post(
        CHECKLIST_URL, {"text": "  Hjärtstartare   finns på plats "}, follow=True
    )

    assert messages_of(response) == [
        "”Hjärtstartare finns på plats” är tillagd i checklistan."
    ]
    assert in_use(followup.agreement.municipality)[-1] == "Hjärtstartare finns på plats"
    client.force_login(official)
    assert site_visit_form_labels(client, followup)[-1] == (
        "Hjärtstartare finns på plats"
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "Skriv kontrollpunkten."),
        ("   ", "Skriv kontrollpunkten."),
        ("skylt  UTANFÖR", "Checklistan har redan den här kontrollpunkten."),
        ("x" * 201, "Kontrollpunkten får vara högst 200 tecken."),
    ],
)
def test_an_empty_or_duplicate_criterion_is_refused_and_nothing_is_added(
    client, administrator, checklist, text, message
):
    client.force_login(administrator)

    response = client.post(CHECKLIST_URL, {"text": text})

    assert response.status_code == 400
    assert message in texts(response)
    assert in_use(checklist[0].municipality) == DEFAULT_CHECKLIST


def test_the_text_of_a_criterion_out_of_use_is_refused_with_a_way_back(
    client, administrator, checklist
):
    sign = checklist[0]
    client.force_login(administrator)
    client.post(reverse("followup:criterion_retire", args=[sign.pk]))

    response = client.post(CHECKLIST_URL, {"text": sign.text})

    assert response.status_code == 400
    assert "ta den i bruk igen i stället" in texts(response)
    assert ChecklistCriterion.objects.filter(text__iexact=sign.text).count() == 1


def move(client, criterion, direction):
    return client.post(
        reverse("followup:criterion_move", args=[criterion.pk]),
        {"direction": direction},
        follow=True,
    )


def test_moving_criteria_up_and_down_reorders_the_site_visit_form(
    client, administrator, official, followup, checklist
):
    client.force_login(administrator)

    move(client, checklist[8], "up")
    move(client, checklist[0], "down")

    expected = DEFAULT_CHECKLIST[:]
    expected[7], expected[8] = expected[8], expected[7]
    expected[0], expected[1] = expected[1], expected[0]
    assert in_use(followup.agreement.municipality) == expected
    client.force_login(official)
    assert site_visit_form_labels(client, followup) == expected


@pytest.mark.parametrize(
    "index,direction,message",
    [
        (0, "up", "Kontrollpunkten står redan först."),
        (8, "down", "Kontrollpunkten står redan sist."),
        (3, "sideways", "Välj att flytta upp eller ned."),
        (3, "", "Välj att flytta upp eller ned."),
    ],
)
def test_a_move_past_the_ends_or_a_forged_one_changes_nothing(
    client, administrator, checklist, index, direction, message
):
    client.force_login(administrator)

    response = move(client, checklist[index], direction)

    assert messages_of(response) == [message]
    assert in_use(checklist[0].municipality) == DEFAULT_CHECKLIST


def test_a_criterion_out_of_use_leaves_new_visits_and_keeps_its_recorded_results(
    client, administrator, official, followup, checklist
):
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=date(2025, 11, 3),
        visitors="Johan Berg",
        results=[CheckedCriterion(criterion, "ok") for criterion in checklist],
    )
    later = signed_agreement(OutletFactory(name="Handlarn Nyåker"))
    followups_create_for(agreement=later, today=date(2025, 6, 1))
    later_followup = later.followups.get()
    sign = checklist[0]
    client.force_login(administrator)

    response = client.post(
        reverse("followup:criterion_retire", args=[sign.pk]), follow=True
    )

    assert messages_of(response) == [
        "”Skylt utanför” är tagen ur bruk. Platsbesök som bedömt den visar den "
        "fortfarande."
    ]
    page = texts(response)
    assert "Tagna ur bruk (1)" in page
    assert "Bedömd vid 1 platsbesök" in page
    client.force_login(official)
    assert "Skylt utanför" not in site_visit_form_labels(client, later_followup)
    recorded = client.get(followup.get_absolute_url()).context["results"]
    assert [result.criterion.text for result in recorded][0] == "Skylt utanför"
    assert followup.site_visit.results.count() == 9

    client.force_login(administrator)
    again = client.post(
        reverse("followup:criterion_retire", args=[sign.pk]), follow=True
    )
    assert messages_of(again) == ["Kontrollpunkten är redan tagen ur bruk."]
    back = client.post(
        reverse("followup:criterion_restore", args=[sign.pk]), follow=True
    )
    assert messages_of(back) == ["”Skylt utanför” är i bruk igen."]
    # It comes back to its old place, first.
    assert in_use(sign.municipality) == DEFAULT_CHECKLIST


def test_moves_step_over_criteria_out_of_use_and_keep_their_places(
    client, administrator, checklist
):
    client.force_login(administrator)
    client.post(reverse("followup:criterion_retire", args=[checklist[1].pk]))

    move(client, checklist[2], "up")

    order = list(
        ChecklistCriterion.objects.filter(
            municipality=checklist[0].municipality
        ).values_list("text", flat=True)
    )
    assert order[:3] == [
        "Publik dator fungerar och är placerad för anonym användning",
        "Informationsställ uppdaterat",
        "Skylt utanför",
    ]


def test_rewording_a_criterion_used_on_visits_warns_that_they_show_the_new_text(
    client, administrator, official, followup, checklist
):
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=date(2025, 11, 3),
        visitors="Johan Berg",
        results=[CheckedCriterion(criterion, "ok") for criterion in checklist],
    )
    url = reverse("followup:criterion_update", args=[checklist[0].pk])
    client.force_login(administrator)

    assert "Kontrollpunkten är bedömd vid 1 platsbesök" in texts(client.get(url))
    refused = client.post(url, {"text": "Anslagstavla"})
    assert refused.status_code == 400
    assert "Checklistan har redan den här kontrollpunkten." in texts(refused)
    saved = client.post(url, {"text": "Skylt utanför, synlig från vägen"}, follow=True)

    assert messages_of(saved) == ["Kontrollpunkten är sparad."]
    assert in_use(followup.agreement.municipality)[0] == (
        "Skylt utanför, synlig från vägen"
    )


def test_another_municipalitys_criteria_are_never_shown_or_changed(client, checklist):
    umea_administrator = UserFactory(
        administrator=True,
        email="admin@umea.example",
        municipality=municipality("2480"),
    )
    ChecklistCriterion.objects.create(
        municipality=checklist[0].municipality, text="Fiberuttag fungerar", position=10
    )
    checklist_seed(municipality=umea_administrator.municipality)
    client.force_login(umea_administrator)
    sign = checklist[0]

    page = texts(client.get(CHECKLIST_URL))
    assert "Skylt utanför" in page  # Umeå's own copy of the common criteria
    assert "Fiberuttag fungerar" not in page
    for name, data in (
        ("criterion_update", {"text": "Intrång"}),
        ("criterion_move", {"direction": "down"}),
        ("criterion_retire", {}),
    ):
        url = reverse(f"followup:{name}", args=[sign.pk])
        assert client.post(url, data).status_code == 404
    edit = reverse("followup:criterion_update", args=[sign.pk])
    assert client.get(edit).status_code == 404
    assert in_use(sign.municipality) == [*DEFAULT_CHECKLIST, "Fiberuttag fungerar"]


def test_an_empty_checklist_offers_the_common_criteria(client, administrator):
    client.force_login(administrator)

    page = texts(client.get(CHECKLIST_URL))
    assert "Lägg in de vanliga kontrollpunkterna" in page
    response = client.post(CHECKLIST_URL, {"common": "1"}, follow=True)

    assert messages_of(response) == ["De vanliga kontrollpunkterna är tillagda."]
    assert in_use(administrator.municipality) == DEFAULT_CHECKLIST


def test_the_common_criteria_are_not_added_to_a_checklist_that_has_criteria(
    client, administrator, checklist
):
    client.force_login(administrator)
    for criterion in checklist:
        client.post(reverse("followup:criterion_retire", args=[criterion.pk]))

    response = client.post(CHECKLIST_URL, {"common": "1"}, follow=True)

    assert messages_of(response)[-1] == (
        "Checklistan har redan kontrollpunkter; lägg till dem en i taget."
    )
    assert (
        ChecklistCriterion.objects.filter(
            municipality=checklist[0].municipality
        ).count()
        == 9
    )
