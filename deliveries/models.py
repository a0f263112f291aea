import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliveries.validators import (
    HOUSEHOLD_REFERENCE_PATTERN,
    household_reference_normalised,
)
from outlets.models import Outlet


class DeliveryRecordQuerySet(models.QuerySet):
    """Home-delivery records are scoped through their outlet's municipality."""

    def visible_to(self, user):
        """Own municipality staff, the county's regional viewers, the outlet's owner."""
        if not user.is_authenticated:
            return self.none()
        scope = user.records_scope(prefix="outlet__municipality")
        if not scope:
            return self
        if user.is_shop_owner:
            return self.filter(outlet__owners=user)
        return self.filter(scope)

    def editable_by(self, user):
        """Officials and administrators of the municipality; owners of the outlet:
        those who log the outlet's records (`Outlet.recordable_by`)."""
        return self.filter(outlet__in=Outlet.objects.recordable_by(user))


def money_constraints():
    return [
        models.CheckConstraint(
            condition=Q(cost__gt=0),
            name="%(app_label)s_%(class)s_cost_positive",
            violation_error_message=_("The cost must be more than 0 kr."),
        ),
        models.CheckConstraint(
            condition=Q(household_fees__gte=0) & Q(household_fees__lte=F("cost")),
            name="%(app_label)s_%(class)s_fees_within_cost",
            violation_error_message=_(
                "The households' fees cannot be more than the cost."
            ),
        ),
    ]


class DeliveryRecord(models.Model):
    """What single deliveries and monthly totals share: money and a note."""

    cost = models.PositiveIntegerField(_("cost (kr)"))
    household_fees = models.PositiveIntegerField(
        _("paid by the household (kr)"),
        default=0,
        help_text=_("Fees the households paid for the delivery; 0 if none."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DeliveryRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def net_cost(self):
        return self.cost - self.household_fees


@pghistory.track()
class Delivery(DeliveryRecord):
    """One home delivery of groceries to a household (Swedish: *hemsändning*)."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("outlet"),
    )
    delivered_on = models.DateField(_("delivery date"))
    household_reference = models.CharField(
        _("household code"),
        max_length=20,
        help_text=_(
            "A code such as H-017, never a name or a personal identity number."
        ),
    )

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("home delivery")
        verbose_name_plural = _("home deliveries")
        constraints = [
            *money_constraints(),
            models.CheckConstraint(
                condition=Q(household_reference__regex=HOUSEHOLD_REFERENCE_PATTERN),
                name="%(app_label)s_%(class)s_household_is_a_code",
                violation_error_message=_(
                    "The household is identified by a code such as H-017."
                ),
            ),
        ]
        indexes = [models.Index(fields=["outlet", "delivered_on"])]

    def __str__(self):
        return f"{self.delivered_on} {self.household_reference}"

    def clean(self):
        try:
            self.household_reference = household_reference_normalised(
                self.household_reference
            )
        except ValidationError as error:
            raise ValidationError({"household_reference": error}) from None
        if self.delivered_on and self.delivered_on > timezone.localdate():
            raise ValidationError(
                {"delivered_on": _("A delivery is logged once it has been made.")}
            )


@pghistory.track()
class MonthlyDeliveryTotal(DeliveryRecord):
    """An outlet's home deliveries of a month in one sum (*hemsändning per månad*),
    for municipalities that report totals instead of single deliveries."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="delivery_totals",
        verbose_name=_("outlet"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    delivery_count = models.PositiveIntegerField(_("number of deliveries"))
    cost = models.PositiveIntegerField(_("total cost (kr)"))
    household_fees = models.PositiveIntegerField(
        _("paid by the households (kr)"),
        default=0,
        help_text=_("Fees the households paid in the month; 0 if none."),
    )

    class Meta:
        ordering = ["-year", "-month", "outlet__name"]
        verbose_name = _("monthly home-delivery total")
        verbose_name_plural = _("monthly home-delivery totals")
        constraints = [
            *money_constraints(),
            models.CheckConstraint(
                condition=Q(delivery_count__gt=0),
                name="%(app_label)s_%(class)s_count_positive",
                violation_error_message=_("The number of deliveries must be over 0."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_valid",
                violation_error_message=_("The month is a number from 1 to 12."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_valid",
                violation_error_message=_("Give a year from 2000 to 2100."),
            ),
            models.UniqueConstraint(
                fields=["outlet", "year", "month"],
                name="%(app_label)s_%(class)s_one_per_month",
                violation_error_message=_(
                    "The outlet already has a total for this month: change that one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.outlet} {self.year}-{self.month:02d}"

    def clean(self):
        today = timezone.localdate()
        if (
            self.year
            and self.month
            and (self.year, self.month)
            > (
                today.year,
                today.month,
            )
        ):
            raise ValidationError(
                {"month": _("A month's total is reported once the month has begun.")}
            )
