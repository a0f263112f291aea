"""The survey's results: per service point and period, and per municipality and
year, in a constant number of queries."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Aggregate, Avg, Count, FloatField, Q
from django.utils.translation import gettext_lazy as _

from outlets.models import Outlet
from surveys.models import (
    SATISFACTION_SCALE,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

# Distances travelled, in bands a reader takes in at a glance: (label, from, to) km.
DISTANCE_BANDS = [
    ("0–1 km", 0, 1),
    ("2–5 km", 2, 5),
    ("6–10 km", 6, 10),
    ("11–20 km", 11, 20),
    (_("More than 20 km"), 21, None),
]


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class OptionCount:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    """How one question was answered: counts per option (or per step of the scale,
    or per band of distance), and for the numbers their mean and median."""

    question: SurveyQuestion
    answered: int = 0
    counts: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None


@dataclass
class SurveyResults:
    responses: int
    questions: list[QuestionResult]


def _percent(count, total):
    return round(100 * count / total) if total else 0


def survey_results(*, responses) -> SurveyResults:
    """The results of the responses given (a queryset): every question answered
    there, in the survey's order."""
    answers = SurveyAnswer.objects.filter(response__in=responses)
    total = responses.count()
    by_choice = {}
    for question_id, choice, count in (
        answers.exclude(choice="")
        .values_list("question", "choice")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        by_choice.setdefault(question_id, {})[choice] = count
    band_counts = {
        f"band_{index}": Count(
            "pk",
            filter=Q(number__gte=low) & (Q(number__lte=high) if high else Q()),
        )
        for index, (_label, low, high) in enumerate(DISTANCE_BANDS)
    }
    step_counts = {
        f"step_{step}": Count("pk", filter=Q(number=step))
        for step, _label in SATISFACTION_SCALE
    }
    numbers = {
        row["question"]: row
        for row in answers.filter(number__isnull=False)
        .values("question")
        .annotate(
            answered=Count("pk"),
            mean=Avg("number"),
            median=Median("number"),
            **band_counts,
            **step_counts,
        )
        .order_by()
    }
    questions = SurveyQuestion.objects.filter(pk__in=set(by_choice) | set(numbers))
    results = []
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == SurveyQuestion.Kind.CHOICE:
            chosen = by_choice.get(question.pk, {})
            result.answered = sum(chosen.values())
            # The options as they are now, then any answered under older words.
            labels = list(question.options) + [
                label for label in chosen if label not in question.options
            ]
            result.counts = [
                OptionCount(label, chosen.get(label, 0), 0) for label in labels
            ]
        else:
            row = numbers.get(question.pk, {})
            result.answered = row.get("answered", 0)
            result.mean = row.get("mean")
            result.median = row.get("median")
            if question.kind == SurveyQuestion.Kind.SATISFACTION:
                result.counts = [
                    OptionCount(str(label), row.get(f"step_{step}", 0), 0)
                    for step, label in SATISFACTION_SCALE
                ]
            else:
                result.counts = [
                    OptionCount(label, row.get(f"band_{index}", 0), 0)
                    for index, (label, _low, _high) in enumerate(DISTANCE_BANDS)
                ]
        for count in result.counts:
            count.percent = _percent(count.count, result.answered)
        results.append(result)
    return SurveyResults(responses=total, questions=results)


def outlet_survey_results(*, outlet, start: date, end: date) -> SurveyResults:
    """A service point's results between two days (a follow-up's period)."""
    return survey_results(
        responses=SurveyResponse.objects.filter(
            outlet=outlet, submitted_on__range=(start, end)
        )
    )


@dataclass(frozen=True)
class OutletSurveyRow:
    outlet_name: str
    responses: int
    satisfaction_mean: float | None
    distance_median: float | None


@dataclass(frozen=True)
class MunicipalitySurvey:
    """A municipality's survey in a calendar year: each service point's count,
    satisfaction and distance, and every question's results over them all."""

    year: int
    outlets: list[OutletSurveyRow]
    results: SurveyResults


def municipality_survey_results(*, municipality, year: int) -> MunicipalitySurvey:
    responses = SurveyResponse.objects.filter(
        outlet__municipality=municipality, submitted_on__year=year
    )
    counts = dict(
        responses.values_list("outlet").annotate(count=Count("pk")).order_by()
    )
    numbers = {
        row["response__outlet"]: row
        for row in SurveyAnswer.objects.filter(response__in=responses)
        .values("response__outlet")
        .annotate(
            satisfaction=Avg(
                "number", filter=Q(question__kind=SurveyQuestion.Kind.SATISFACTION)
            ),
            distance=Median(
                "number", filter=Q(question__kind=SurveyQuestion.Kind.DISTANCE)
            ),
        )
        .order_by()
    }
    rows = [
        OutletSurveyRow(
            outlet_name=outlet.name,
            responses=counts[outlet.pk],
            satisfaction_mean=numbers.get(outlet.pk, {}).get("satisfaction"),
            distance_median=numbers.get(outlet.pk, {}).get("distance"),
        )
        for outlet in Outlet.objects.filter(pk__in=counts).order_by("name", "pk")
    ]
    return MunicipalitySurvey(
        year=year, outlets=rows, results=survey_results(responses=responses)
    )
