from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    """A Swedish county by its SCB code (Swedish: *län*, *länskod*)."""

    code = models.CharField(_("county code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"),
                name="%(app_label)s_%(class)s_code_two_digits",
                violation_error_message=_("A county code is two digits."),
            ),
        ]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """A Swedish municipality by its SCB code (Swedish: *kommun*, *kommunkod*)."""

    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("county"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"),
                name="%(app_label)s_%(class)s_code_four_digits",
                violation_error_message=_("A municipality code is four digits."),
            ),
        ]

    def __str__(self):
        return _("%(name)s municipality") % {"name": self.name}


class LocalityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Localities are base data of the programme: every signed-in user sees them."""
        if not user.is_authenticated:
            return self.none()
        return self


class Locality(models.Model):
    """A village or town that matters for access to service (Swedish: *ort*)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="localities",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=100)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    objects = LocalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_municipality",
                violation_error_message=_(
                    "The municipality already has a locality with this name."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class OutletQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Outlets whose base data the user may read.

        People shop across municipal borders, so staff of every municipality (and the
        region) read every outlet's base data; a shop owner sees only their own.
        """
        if not user.is_authenticated:
            return self.none()
        if user.reads_all_base_data:
            return self
        return self.filter(owners=user)

    def with_records_visible_to(self, user):
        """Outlets whose full records (contacts, agreements, follow-ups) one reads."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.records_scope() | Q(owners=user)).distinct()

    def open(self):
        return self.filter(status=Outlet.Status.OPEN)


class Outlet(models.Model):
    """A shop, petrol station or agent (Swedish: *försäljningsställe*)."""

    class Kind(models.TextChoices):
        GROCERY_FULL = "grocery_full", _("Grocery shop, full range")
        GROCERY = "grocery", _("Grocery shop, limited range")
        FUEL = "fuel", _("Petrol station")
        AGENT = "agent", _("Agent")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="outlets",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="outlets",
        null=True,
        blank=True,
        verbose_name=_("locality"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["grocery_full", "grocery", "fuel", "agent", "other"]
                ),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Choose one of the outlet kinds."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="open", closed_on__isnull=True)
                    | Q(status="closed", closed_on__isnull=False)
                ),
                name="%(app_label)s_%(class)s_closed_has_date",
                violation_error_message=_(
                    "A closed outlet needs the date it closed; an open one has none."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outlets:outlet_detail", kwargs={"pk": self.pk})
