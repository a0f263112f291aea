"""The customer survey (Swedish: *kundenkät*): the questions a municipality asks the
customers of its service points, and their anonymous answers.

An answer holds no IP address, user agent, cookie or time of day: only the service
point, the date and the answers. There is no free-text question: text written by
the public may name people, and an anonymous survey should hold nothing to guard,
extract or erase.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from outlets.models import Municipality, Outlet

MAX_OPTIONS = 10
# Further than anyone travels to a village shop: a typing error, not a distance.
MAX_DISTANCE_KM = 500
# The steps of the satisfaction scale and their words, on the form and in results.
SATISFACTION_SCALE = [
    (1, _("1 – not at all satisfied")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – very satisfied")),
]


class SurveyQuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def editable_by(self, user):
        """The questions of the administrator's own municipality."""
        if user.is_authenticated and user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()


class SurveyQuestion(models.Model):
    """A question of a municipality's customer survey (Swedish: *enkätfråga*)."""

    class Kind(models.TextChoices):
        CHOICE = "choice", _("One of a list of options")
        SATISFACTION = "satisfaction", _("Satisfaction on a scale of 1 to 5")
        DISTANCE = "distance", _("Distance travelled in kilometres")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="survey_questions",
        verbose_name=_("municipality"),
    )
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind.choices)
    options = ArrayField(
        models.CharField(max_length=100),
        size=MAX_OPTIONS,
        blank=True,
        default=list,
        verbose_name=_("options"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "A question out of use is left off the survey; the answers already "
            "given still count."
        ),
    )

    objects = SurveyQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.UniqueConstraint(
                "municipality",
                Lower("text"),
                name="%(app_label)s_%(class)s_unique_text",
                violation_error_message=_("The survey already has this question."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_given",
                violation_error_message=_("Write the question."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["choice", "satisfaction", "distance"]),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Choose a kind of answer."),
            ),
            # A choice needs something to choose between; the scales have none.
            models.CheckConstraint(
                condition=Q(kind="choice", options__len__gte=2)
                | (~Q(kind="choice") & Q(options__len=0)),
                name="%(app_label)s_%(class)s_options_fit_kind",
                violation_error_message=_(
                    "A question with options needs at least two; the other kinds "
                    "have none."
                ),
            ),
        ]

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    """One customer's anonymous answer to a service point's survey (Swedish:
    *enkätsvar*). `nonce` is the one-time token of the form it came from: the
    database stores a form once, however often it is sent."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("service point"),
    )
    submitted_on = models.DateField(_("answered on"))
    nonce = models.UUIDField(editable=False)

    class Meta:
        ordering = ["submitted_on", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                "nonce",
                name="%(app_label)s_%(class)s_unique_nonce",
                violation_error_message=_("These answers are already stored."),
            ),
        ]
        indexes = [models.Index(fields=["outlet", "submitted_on"])]

    def __str__(self):
        return f"{self.outlet} {self.submitted_on}"


class SurveyAnswer(models.Model):
    """The answer to one question: the option chosen (its words as they were then),
    or a number (satisfaction 1–5, kilometres)."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.CharField(_("option"), max_length=100, blank=True)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)

    class Meta:
        ordering = ["response", "question"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                "response",
                "question",
                name="%(app_label)s_%(class)s_one_per_question",
                violation_error_message=_("The question is already answered."),
            ),
            models.CheckConstraint(
                condition=(Q(choice="") & Q(number__isnull=False))
                | (~Q(choice="") & Q(number__isnull=True)),
                name="%(app_label)s_%(class)s_choice_or_number",
                violation_error_message=_("An answer is an option or a number."),
            ),
            models.CheckConstraint(
                condition=Q(number__lte=MAX_DISTANCE_KM),
                name="%(app_label)s_%(class)s_number_bounded",
                violation_error_message=_("The number is too large."),
            ),
        ]

    def __str__(self):
        return self.choice or str(self.number)
