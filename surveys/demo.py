"""Demo answers to the customer survey of Nordmaling's service points: a dozen or
so per service point and year since its agreement began. Invented, and drawn the
same way on every run (a fixed seed and a nonce per answer), so that running the
demo again adds nothing."""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from agreements.models import Agreement
from surveys.models import SurveyQuestion
from surveys.services import survey_questions_seed, survey_response_submit

DEMO_NAMESPACE = uuid.UUID("6f1c2a9e-4b7d-4e0a-9a53-2f3c8d1e5b70")
ANSWERS_PER_YEAR = 14
# The customer survey of 2010 asked most for these: cash, parcels, purchase trips.
WISHED_WEIGHTS = [5, 4, 1, 3, 1, 1]
CAME_FOR_WEIGHTS = [8, 4, 2, 1, 2, 1]


def _answer(question, rng):
    if question.kind == SurveyQuestion.Kind.SATISFACTION:
        return rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]
    if question.kind == SurveyQuestion.Kind.DISTANCE:
        return rng.choice([0, 1, 2, 3, 5, 8, 12, 15, 25, 40])
    weights = WISHED_WEIGHTS if "saknar" in question.text else CAME_FOR_WEIGHTS
    if len(weights) != len(question.options):
        weights = None
    return rng.choices(question.options, weights=weights)[0]


def seed_survey_answers(nordmaling) -> None:
    """Answers at each service point with an agreement in force, spread over the
    last two years (not before its agreement began)."""
    questions = survey_questions_seed(municipality=nordmaling)
    today = timezone.localdate()
    for agreement in Agreement.objects.in_force(on=today).filter(
        municipality=nordmaling
    ):
        outlet = agreement.outlet
        rng = random.Random(outlet.name)
        for index in range(2 * ANSWERS_PER_YEAR):
            answered_on = today - timedelta(days=rng.randrange(0, 700))
            answers = {
                question: _answer(question, rng)
                for question in questions
                if rng.random() < 0.9
            }
            if answered_on < agreement.starts_on or not answers:
                continue
            survey_response_submit(
                outlet=outlet,
                nonce=uuid.uuid5(DEMO_NAMESPACE, f"{outlet.name}/{index}"),
                answers=answers,
                today=answered_on,
            )
