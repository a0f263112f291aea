import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.numbers import kronor_typed
from outlets.models import Municipality, Outlet
from outlets.selectors import in_programme_q

YEAR_MESSAGE = _("Give a year from 2000 to 2100.")
PERCENT_MESSAGE = _("Give a change from −100 to 1000 percent.")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ProgrammeGoalsQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the municipality, the county's regional viewers, the system
        owner; shop owners see none."""
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        return self.filter(user.records_scope())

    def editable_by(self, user):
        """The municipality's administrators set its goals."""
        if not user.is_authenticated or not user.is_administrator:
            return self.none()
        return self.filter(user.managed_scope())


@pghistory.track()
class ProgrammeGoals(models.Model):
    """A municipality's goals for its service-point programme in one year (Swedish:
    *programmets mål*). A goal left empty is not set for the year."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="programme_goals",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[
            MinValueValidator(FIRST_YEAR, message=YEAR_MESSAGE),
            MaxValueValidator(LAST_YEAR, message=YEAR_MESSAGE),
        ],
    )
    service_points = models.PositiveSmallIntegerField(
        _("service points with an agreement in force"),
        null=True,
        blank=True,
        help_text=_("At least this many outlets with an agreement in force."),
    )
    visitors_change_percent = models.SmallIntegerField(
        _("change in visitors (%)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-100, message=PERCENT_MESSAGE),
            MaxValueValidator(1000, message=PERCENT_MESSAGE),
        ],
        help_text=_(
            "The change in visitors per week from the year before, e.g. 5 for "
            "+5 %. Each service point is compared with it, and so are all of them "
            "together."
        ),
    )
    staff_trained = models.PositiveSmallIntegerField(
        _("staff trained"),
        null=True,
        blank=True,
        help_text=_("Participants in the year's trainings of service-point staff."),
    )
    activities_held = models.PositiveSmallIntegerField(
        _("activities held"),
        null=True,
        blank=True,
        help_text=_("Activities held at the service points in the year."),
    )
    own_goal = models.TextField(
        _("a goal of your own"),
        blank=True,
        help_text=_("In words, e.g. “Every service point can act as a crisis centre”."),
    )
    own_goal_outcome = models.TextField(
        _("outcome of your own goal"),
        blank=True,
        help_text=_("What came of it, in words."),
    )
    own_goal_met = models.BooleanField(
        _("own goal met"),
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ProgrammeGoalsQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "-year"]
        verbose_name = _("programme goals")
        verbose_name_plural = _("programme goals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"],
                name="%(app_label)s_%(class)s_one_set_per_year",
                violation_error_message=_(
                    "The municipality already has goals for this year: change those."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="%(app_label)s_%(class)s_year_valid",
                violation_error_message=YEAR_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(visitors_change_percent__isnull=True)
                | Q(
                    visitors_change_percent__gte=-100,
                    visitors_change_percent__lte=1000,
                ),
                name="%(app_label)s_%(class)s_visitors_change_in_range",
                violation_error_message=PERCENT_MESSAGE,
            ),
            # Whether a goal in words was met is said only of a goal there is.
            models.CheckConstraint(
                condition=~Q(own_goal="") | Q(own_goal_met__isnull=True),
                name="%(app_label)s_%(class)s_met_only_with_own_goal",
                violation_error_message=_(
                    "Write the goal of your own before saying whether it was met."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}"

    GOAL_FIELDS = [
        "service_points",
        "visitors_change_percent",
        "staff_trained",
        "activities_held",
        "own_goal",
    ]

    def clean(self):
        if all(getattr(self, name) in (None, "") for name in self.GOAL_FIELDS):
            raise ValidationError(
                _("Set at least one goal for the year."), code="no_goal"
            )
        if not self.own_goal.strip() and (
            self.own_goal_met is not None or self.own_goal_outcome.strip()
        ):
            raise ValidationError(
                {
                    "own_goal": ValidationError(
                        _(
                            "Write the goal of your own before its outcome and "
                            "whether it was met."
                        ),
                        code="own_goal_missing",
                    )
                }
            )


# How a list names each source of an investment's financing.
SOURCE_LABELS = {
    "regional_grant": _("The region's investment grant"),
    "municipal_funding": _("The municipality"),
    "own_funding": _("The shop itself"),
    "other_aid": _("Other aid"),
}


class InvestmentQuerySet(models.QuerySet):
    def in_programme(self):
        """Those at outlets that have or had an agreement, a draft included: the
        only ones recorded, counted and shown."""
        return self.filter(outlet__in=Outlet.objects.filter(in_programme_q()))

    def visible_to(self, user):
        """Staff of the municipality, the county's regional viewers, the system
        owner, and the outlet's own shop owner."""
        if not user.is_authenticated:
            return self.none()
        if user.is_shop_owner:
            return self.in_programme().filter(outlet__owners=user)
        return self.in_programme().filter(
            user.records_scope(prefix="outlet__municipality")
        )

    def editable_by(self, user):
        """Officials and administrators of the outlet's municipality."""
        if not user.is_authenticated:
            return self.none()
        return self.in_programme().filter(
            user.managed_scope(prefix="outlet__municipality")
        )

    def financing_totals(self):
        """Sums of the cost and of each source, as a dict."""
        return self.aggregate(
            cost=models.Sum("cost", default=0),
            **{
                source: models.Sum(source, default=0)
                for source in Investment.FINANCING_SOURCES
            },
        )


@pghistory.track()
class Investment(models.Model):
    """An investment at a service point (Swedish: *investering*), e.g. a cash
    machine or a meeting corner, and how it was financed: the region's investment
    grant (*investeringsbidrag*), the municipality, the shop itself, other aid."""

    FINANCING_SOURCES = [
        "regional_grant",
        "municipal_funding",
        "own_funding",
        "other_aid",
    ]

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="investments",
        verbose_name=_("service point"),
    )
    description = models.CharField(_("what"), max_length=200)
    made_on = models.DateField(
        _("when"), help_text=_("The day the investment was made or decided.")
    )
    cost = models.PositiveIntegerField(_("cost (kr)"))
    regional_grant = models.PositiveIntegerField(
        _("the region's investment grant (kr)"), default=0
    )
    municipal_funding = models.PositiveIntegerField(
        _("the municipality (kr)"), default=0
    )
    own_funding = models.PositiveIntegerField(_("the shop itself (kr)"), default=0)
    other_aid = models.PositiveIntegerField(_("other aid (kr)"), default=0)
    other_aid_from = models.CharField(
        _("other aid from"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Leader, the Swedish Board of Agriculture."),
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=100,
        help_text=_("The registration number of the decision, e.g. KS 2024/118."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InvestmentQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-pk"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gt=0),
                name="%(app_label)s_%(class)s_cost_positive",
                violation_error_message=_("The cost must be more than 0 kr."),
            ),
            models.CheckConstraint(
                condition=Q(
                    cost=F("regional_grant")
                    + F("municipal_funding")
                    + F("own_funding")
                    + F("other_aid")
                ),
                name="%(app_label)s_%(class)s_financing_adds_up",
                violation_error_message=_(
                    "The amounts from each source must add up to the cost."
                ),
            ),
            models.CheckConstraint(
                condition=Q(other_aid=0) | ~Q(other_aid_from=""),
                name="%(app_label)s_%(class)s_other_aid_named",
                violation_error_message=_("Say where the other aid comes from."),
            ),
        ]
        indexes = [models.Index(fields=["outlet", "made_on"])]

    def __str__(self):
        return f"{self.made_on} {self.description}"

    def clean(self):
        errors = {}
        sources = [getattr(self, source) for source in self.FINANCING_SOURCES]
        if self.cost and None not in sources and sum(sources) != self.cost:
            errors["cost"] = ValidationError(
                _(
                    "The amounts from each source add up to %(sum)s kr, not to the "
                    "cost: make them add up."
                ),
                code="financing_does_not_add_up",
                params={"sum": kronor_typed(sum(sources))},
            )
        if self.other_aid and not self.other_aid_from.strip():
            errors["other_aid_from"] = ValidationError(
                _("Say where the other aid comes from."), code="other_aid_unnamed"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def sources(self):
        """(label, amount) of each source that paid a part."""
        return [
            (label, getattr(self, source))
            for source, label in SOURCE_LABELS.items()
            if getattr(self, source)
        ]
