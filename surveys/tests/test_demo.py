"""The demo's survey answers: at every service point in force, added once."""

from agreements.models import Agreement
from outlets.models import Municipality
from surveys.demo import seed_survey_answers
from surveys.models import SurveyResponse


def test_every_demo_service_point_has_answers_and_seeding_again_adds_none(demo):
    nordmaling = Municipality.objects.get(code="2401")
    in_force = Agreement.objects.in_force().filter(municipality=nordmaling)
    answered = set(SurveyResponse.objects.values_list("outlet", flat=True))
    count = SurveyResponse.objects.count()

    seed_survey_answers(nordmaling)

    assert answered == set(in_force.values_list("outlet", flat=True))
    assert SurveyResponse.objects.count() == count
