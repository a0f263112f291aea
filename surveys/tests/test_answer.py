"""The public survey form: stored once, refused in floods, robots thanked and
ignored, only for service points."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from outlets.tests.factories import OutletFactory
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from surveys.services import STANDARD_QUESTIONS
from surveys.tests.factories import service_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlet():
    return service_point(name="Pers Livs")


def form_of(client, outlet, **extra):
    """The survey page's token, and answers to every standard question."""
    response = client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk}), **extra)
    assert response.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    questions = {q.kind: q for q in SurveyQuestion.objects.order_by("position")}
    choice = SurveyQuestion.objects.filter(kind="choice").order_by("position").first()
    return {
        "token": token,
        f"question_{choice.pk}": choice.options[1],
        f"question_{questions['satisfaction'].pk}": "4",
        f"question_{questions['distance'].pk}": "12",
    }


def post(client, outlet, data, address="192.0.2.10"):
    return client.post(
        reverse("surveys:answer", kwargs={"pk": outlet.pk}),
        data,
        REMOTE_ADDR=address,
    )


def test_an_answer_is_stored_with_its_answers_and_nothing_about_the_person(
    client, outlet
):
    data = form_of(client, outlet)

    response = post(client, outlet, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", kwargs={"pk": outlet.pk})
    stored = SurveyResponse.objects.get()
    assert stored.outlet == outlet
    assert stored.submitted_on == timezone.localdate()
    assert sorted(
        (a.question.kind, a.choice, a.number) for a in SurveyAnswer.objects.all()
    ) == [
        ("choice", "Hämta eller lämna paket", None),
        ("distance", "", 12),
        ("satisfaction", "", 4),
    ]
    # No column could hold an address, a browser or a time of day.
    columns = {f.name for f in SurveyResponse._meta.get_fields()}
    assert columns == {"id", "outlet", "submitted_on", "nonce", "answers"}
    thanks = client.get(response["Location"])
    assert "Tack för dina svar" in thanks.text


@pytest.mark.smoke
def test_the_same_form_sent_twice_is_stored_once(client, outlet):
    data = form_of(client, outlet)

    first = post(client, outlet, data)
    second = post(client, outlet, data)

    assert first.status_code == second.status_code == 302
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 3


def test_two_forms_are_two_answers(client, outlet):
    post(client, outlet, form_of(client, outlet))
    post(client, outlet, form_of(client, outlet))

    assert SurveyResponse.objects.count() == 2


def test_the_hundredth_answer_from_one_address_in_a_minute_is_refused_with_a_message(
    client, outlet, settings
):
    other_point = service_point(name="Handlarn Rundvik")
    statuses = []
    for index in range(100):
        # All service points together: the limit is per address, not per form.
        target = outlet if index % 2 else other_point
        statuses.append(post(client, target, form_of(client, target)).status_code)

    limit = settings.SURVEY_ANSWERS_PER_MINUTE
    assert limit < 100
    assert statuses[:limit] == [302] * limit
    assert set(statuses[limit:]) == {429}
    assert SurveyResponse.objects.count() == limit
    refused = post(client, outlet, form_of(client, outlet))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    # The answers stay in the form, to send again.
    assert 'value="12"' in refused.text
    assert "Vänta en minut och skicka dem igen" in refused.text
    assert SurveyResponse.objects.count() == limit
    # Someone else, elsewhere, is not held up by the flood.
    assert (
        post(client, outlet, form_of(client, outlet), "198.51.100.7").status_code == 302
    )
    assert SurveyResponse.objects.count() == limit + 1


def test_the_limit_is_a_setting(client, outlet, settings):
    settings.SURVEY_ANSWERS_PER_MINUTE = 2
    statuses = [
        post(client, outlet, form_of(client, outlet)).status_code for _ in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_behind_the_proxy_the_limit_counts_the_forwarded_client(
    client, outlet, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SURVEY_ANSWERS_PER_MINUTE = 1
    proxied = {"REMOTE_ADDR": "10.0.0.1"}

    def from_client(address):
        return client.post(
            reverse("surveys:answer", kwargs={"pk": outlet.pk}),
            form_of(client, outlet),
            HTTP_X_FORWARDED_FOR=address,
            **proxied,
        ).status_code

    assert [from_client("192.0.2.1"), from_client("192.0.2.2")] == [302, 302]
    assert from_client("192.0.2.1") == 429


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(client, outlet):
    data = form_of(client, outlet) | {"website": "http://spam.example"}

    response = post(client, outlet, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", kwargs={"pk": outlet.pk})
    assert SurveyResponse.objects.count() == 0


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, outlet):
    page = client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk})).text

    wrapper = re.search(
        r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S
    )
    assert wrapper
    assert 'name="website"' in wrapper.group(1)
    assert 'tabindex="-1"' in wrapper.group(1)
    assert 'autocomplete="off"' in wrapper.group(1)


@pytest.mark.parametrize("status", ["none", "ended", "future"])
def test_an_outlet_that_is_no_service_point_has_no_survey(client, status):
    import datetime

    outlet = OutletFactory()
    if status == "ended":
        service_point(outlet, starts_on=datetime.date(2020, 1, 1))
        outlet.agreements.update(ends_on=datetime.date(2021, 12, 31))
    elif status == "future":
        service_point(
            outlet, starts_on=timezone.localdate() + datetime.timedelta(days=30)
        )

    for name in ("surveys:answer", "surveys:thanks"):
        url = reverse(name, kwargs={"pk": outlet.pk})
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("surveys:answer", kwargs={"pk": outlet.pk})).status_code
        == 404
    )
    assert SurveyResponse.objects.count() == 0


def test_nothing_answered_is_refused_with_a_message(client, outlet):
    data = {"token": form_of(client, outlet)["token"]}

    response = post(client, outlet, data)

    assert response.status_code == 400
    assert "Svara på minst en fråga." in response.text
    assert SurveyResponse.objects.count() == 0


def test_a_bad_answer_is_linked_to_its_question_and_nothing_is_stored(client, outlet):
    data = form_of(client, outlet)
    distance = SurveyQuestion.objects.get(kind="distance")
    data[f"question_{distance.pk}"] = "9999"

    response = post(client, outlet, data)

    assert response.status_code == 400
    field_id = f"id_question_{distance.pk}"
    assert f'aria-describedby="{field_id}_helptext {field_id}_error"' in response.text
    assert "Skriv ett avstånd på högst 500 km." in response.text
    assert f'href="#{field_id}"' in response.text
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize("token", ["another point's", "bad", ""])
def test_a_stale_or_forged_token_keeps_the_answers_and_gives_a_fresh_one(
    client, outlet, token
):
    other = service_point(name="Handlarn Nyåker")
    data = form_of(client, other)
    if token != "another point's":
        data["token"] = token

    response = post(client, outlet, data)

    assert response.status_code == 400
    # A plain message: nothing for the person to correct, no field's name.
    assert (
        "Formuläret hade gått ut. Dina svar finns kvar – skicka dem igen."
        in response.text
    )
    assert "Rätta felen nedan" not in response.text
    assert "Token" not in response.text
    assert 'value="12"' in response.text
    assert SurveyResponse.objects.count() == 0
    fresh = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    assert fresh != data["token"]
    # Sent again with the fresh token, the answers are stored.
    assert post(client, outlet, data | {"token": fresh}).status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_a_stale_token_and_a_bad_answer_show_only_the_answer_to_correct(client, outlet):
    data = form_of(client, outlet)
    distance = SurveyQuestion.objects.get(kind="distance")
    data |= {"token": "bad", f"question_{distance.pk}": "9999"}

    response = post(client, outlet, data)

    assert response.status_code == 400
    assert "Skriv ett avstånd på högst 500 km." in response.text
    assert "Formuläret hade gått ut" not in response.text
    assert 'name="token" value="bad"' not in response.text


def test_the_page_sets_the_csrf_cookie_and_a_real_browser_post_needs_it(outlet):
    from accounts.tests.two_factor import Client

    phone = Client(enforce_csrf_checks=True)
    page = phone.get(reverse("surveys:answer", kwargs={"pk": outlet.pk}))
    # No cache keeps the page, whose form token is its own.
    assert "no-store" in page["Cache-Control"]
    # Like every page but the embeds, it refuses to be framed.
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    data = form_of(phone, outlet)
    assert "csrftoken" in phone.cookies
    data["csrfmiddlewaretoken"] = phone.cookies["csrftoken"].value

    assert post(phone, outlet, data).status_code == 302
    assert SurveyResponse.objects.count() == 1
    without_cookie = Client(enforce_csrf_checks=True)
    assert post(without_cookie, outlet, data).status_code == 403


def test_the_survey_reads_in_english(client, outlet):
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("surveys:answer", kwargs={"pk": outlet.pk}), HTTP_ACCEPT_LANGUAGE="en"
    ).text

    assert "What do you think of the service point?" in page
    # The municipality's questions and options are Swedish, and marked so.
    assert '<legend><span lang="sv">Hur nöjd är du med servicepunkten?</span>' in page
    assert '<span lang="sv">Hur långt har du rest hit (km)?</span></label>' in page
    assert '<span lang="sv">Hämta eller lämna paket</span></label>' in page
    # The scale's words are the interface's, in English.
    assert "5 – very satisfied</label>" in page


def test_a_municipality_without_questions_gets_the_standard_ones_once(client, outlet):
    client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk}))
    client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk}))

    assert list(
        SurveyQuestion.objects.filter(municipality=outlet.municipality).values_list(
            "text", flat=True
        )
    ) == [q.text for q in STANDARD_QUESTIONS]


def test_each_radio_group_is_a_fieldset_with_its_question_as_legend(client, outlet):
    page = client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk})).text

    assert page.count("<fieldset") == 3
    assert (
        '<legend><span lang="sv">Hur nöjd är du med servicepunkten?</span></legend>'
        in page
    )
    assert '<label for="id_question_' in page


def test_a_survey_without_questions_in_use_says_so_and_has_no_form(client, outlet):
    client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk}))
    SurveyQuestion.objects.update(is_active=False)

    page = client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk})).text

    assert "Kommunen har inga enkätfrågor just nu." in page
    assert "Skicka svaren" not in page
