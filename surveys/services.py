"""The survey's actions: the municipality's questions kept by its administrators,
and the public's answers stored once."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max

from outlets.models import Municipality, Outlet
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse


@dataclass(frozen=True)
class StandardQuestion:
    text: str
    kind: str
    options: tuple[str, ...] = ()


# The questions a municipality starts with: what the Nordmaling project asked its
# customers, in the municipality's language (the questions are its own text).
STANDARD_QUESTIONS = [
    StandardQuestion(
        "Vad kom du till servicepunkten för i dag?",
        SurveyQuestion.Kind.CHOICE,
        (
            "Handla mat eller drivmedel",
            "Hämta eller lämna paket",
            "Kommunal information eller hjälp med blanketter",
            "Låna datorn eller ringa videomöte",
            "Träffa andra, fika",
            "Annat",
        ),
    ),
    StandardQuestion(
        "Hur långt har du rest hit (km)?",
        SurveyQuestion.Kind.DISTANCE,
    ),
    StandardQuestion(
        "Hur nöjd är du med servicepunkten?",
        SurveyQuestion.Kind.SATISFACTION,
    ),
    StandardQuestion(
        "Vilken tjänst saknar du mest här?",
        SurveyQuestion.Kind.CHOICE,
        (
            "Kontantuttag",
            "Paketutlämning",
            "Hemsändning av varor",
            "Inköpsresor",
            "Apoteks- eller Systembolagsombud",
            "Ingen, det som finns räcker",
        ),
    ),
]


def survey_questions_seed(*, municipality: Municipality) -> list[SurveyQuestion]:
    """The municipality's questions in use; the standard ones first, if it has
    never had any. Two first visitors at once add them once: the unique question
    text of a municipality lets the second insert do nothing."""
    if not SurveyQuestion.objects.filter(municipality=municipality).exists():
        SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(
                    municipality=municipality,
                    text=question.text,
                    kind=question.kind,
                    options=list(question.options),
                    position=index,
                )
                for index, question in enumerate(STANDARD_QUESTIONS, start=1)
            ],
            ignore_conflicts=True,
        )
    return list(SurveyQuestion.objects.filter(municipality=municipality).active())


@transaction.atomic
def survey_question_add(
    *, municipality: Municipality, by, text: str, kind: str, options: list[str]
) -> SurveyQuestion:
    """A new question at the end of the municipality's survey (after the standard
    ones, if it had none yet)."""
    survey_questions_seed(municipality=municipality)
    last = SurveyQuestion.objects.filter(municipality=municipality).aggregate(
        last=Max("position")
    )["last"]
    question = SurveyQuestion(
        municipality=municipality,
        text=text,
        kind=kind,
        options=options if kind == SurveyQuestion.Kind.CHOICE else [],
        position=(last or 0) + 1,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def survey_question_set_active(
    *, question: SurveyQuestion, by, active: bool
) -> SurveyQuestion:
    """Take a question out of use or back; its answers stay and still count."""
    question.is_active = active
    question.save(update_fields=["is_active"])
    return question


@transaction.atomic
def survey_response_submit(
    *,
    outlet: Outlet,
    nonce: uuid.UUID,
    answers: dict[SurveyQuestion, str | int],
    today: date,
) -> SurveyResponse | None:
    """Store a customer's answers, once per form: the form's one-time `nonce` is
    unique in the database, so a second sending of the same form (a double click,
    a reload) stores nothing and returns None."""
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                outlet=outlet, submitted_on=today, nonce=nonce
            )
    except IntegrityError:
        return None
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            question=question,
            choice=value if isinstance(value, str) else "",
            number=value if isinstance(value, int) else None,
        )
        for question, value in answers.items()
    )
    return response
