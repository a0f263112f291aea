"""The municipality's administrators set its survey's questions; nobody else
finds the page."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from outlets.tests.factories import municipality
from surveys.models import SurveyQuestion
from surveys.services import STANDARD_QUESTIONS, survey_questions_seed
from surveys.tests.factories import service_point

pytestmark = pytest.mark.django_db


def test_an_administrator_starts_with_the_standard_questions(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("surveys:questions")).text

    for question in STANDARD_QUESTIONS:
        assert question.text in page


def test_an_administrator_adds_a_question_with_options_that_the_survey_then_asks(
    client, administrator
):
    outlet = service_point(name="Pers Livs")
    client.force_login(administrator)

    response = client.post(
        reverse("surveys:questions"),
        {
            "text": "Hur ofta handlar du här?",
            "kind": "choice",
            "options": "Varje dag\n\nVarje vecka\nMer sällan\n",
        },
        follow=True,
    )

    assert "”Hur ofta handlar du här?” har lagts till i enkäten." in response.text
    question = SurveyQuestion.objects.get(text="Hur ofta handlar du här?")
    assert question.options == ["Varje dag", "Varje vecka", "Mer sällan"]
    assert question.position == len(STANDARD_QUESTIONS) + 1
    survey = client.get(reverse("surveys:answer", kwargs={"pk": outlet.pk})).text
    assert '<legend><span lang="sv">Hur ofta handlar du här?</span></legend>' in survey


@pytest.mark.parametrize(
    "data,message",
    [
        ({"text": "Hur ofta?", "kind": "choice", "options": "Ofta"}, "Ange minst två"),
        ({"text": "", "kind": "distance"}, "Detta fält måste fyllas i."),
        (
            {"text": "Hur nöjd är du med servicepunkten?", "kind": "satisfaction"},
            "Enkäten har redan den här frågan.",
        ),
        (
            {"text": "Hur ofta?", "kind": "choice", "options": "Ofta\nofta"},
            "Ange varje alternativ bara en gång.",
        ),
    ],
)
def test_a_bad_question_is_refused_with_a_message_and_nothing_is_stored(
    client, administrator, data, message
):
    client.force_login(administrator)
    client.get(reverse("surveys:questions"))
    before = SurveyQuestion.objects.count()

    response = client.post(reverse("surveys:questions"), data)

    assert response.status_code == 400
    assert message in response.text
    assert SurveyQuestion.objects.count() == before


def test_a_question_out_of_use_leaves_the_survey_and_comes_back(client, administrator):
    outlet = service_point(name="Pers Livs")
    question = survey_questions_seed(municipality=outlet.municipality)[0]
    client.force_login(administrator)
    answer_url = reverse("surveys:answer", kwargs={"pk": outlet.pk})

    client.post(
        reverse("surveys:question_retire", kwargs={"pk": question.pk}), follow=True
    )

    assert question.text not in client.get(answer_url).text
    client.post(
        reverse("surveys:question_restore", kwargs={"pk": question.pk}), follow=True
    )
    assert question.text in client.get(answer_url).text


def test_another_municipalitys_administrator_finds_no_question_of_ours(client):
    question = survey_questions_seed(municipality=municipality("2401"))[0]
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    client.force_login(umea_admin)

    response = client.post(
        reverse("surveys:question_retire", kwargs={"pk": question.pk})
    )

    assert response.status_code == 404
    question.refresh_from_db()
    assert question.is_active
    # Their own page lists their own municipality's questions only.
    assert client.get(reverse("surveys:questions")).status_code == 200
    assert SurveyQuestion.objects.filter(municipality__code="2480").count() == len(
        STANDARD_QUESTIONS
    )


@pytest.mark.parametrize(
    "role", ["official", "shop_owner", "regional_viewer", "system_owner"]
)
def test_only_administrators_find_the_question_page(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("surveys:questions")).status_code == 404
