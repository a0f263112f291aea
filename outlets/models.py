import math

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.triggers import history_append_only
from outlets.geo import (
    SWEDEN_LATITUDE,
    SWEDEN_LONGITUDE,
    is_in_sweden,
    sweref_from_wgs84,
)
from outlets.validators import organisation_number_formatted, phone_number_validator


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


SWEDISH_NAME_EXCEPTIONS = {"Falun": "Falu kommun", "Gotland": "Region Gotland"}


def swedish_municipality_name(name):
    """'Nordmalings kommun', 'Umeå kommun': the genitive s after a consonant."""
    if name in SWEDISH_NAME_EXCEPTIONS:
        return SWEDISH_NAME_EXCEPTIONS[name]
    if name[-1].lower() in "aeiouyåäösxz":
        return f"{name} kommun"
    return f"{name}s kommun"


# Only a change of the organisation number is history: the shipped list of names and
# codes is loaded again and again, and says nothing about who changed what.
@pghistory.track(
    pghistory.UpdateEvent(condition=pghistory.AnyChange("organisation_number")),
    fields=["organisation_number"],
    meta={"triggers": history_append_only()},
)
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
    # The municipality as a party to its agreements; its administrators give it.
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        help_text=_("The municipality's own, as in its agreements: NNNNNN-NNNN."),
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
            models.CheckConstraint(
                condition=Q(organisation_number="")
                | Q(organisation_number__regex=r"^[0-9]{6}-[0-9]{4}$"),
                name="%(app_label)s_%(class)s_organisation_number_formatted",
                violation_error_message=_(
                    "The organisation number is not valid: check the ten digits "
                    "(NNNNNN-NNNN)."
                ),
            ),
        ]

    def __str__(self):
        if (get_language() or "").startswith("sv"):
            return swedish_municipality_name(self.name)
        return _("%(name)s municipality") % {"name": self.name}

    def clean(self):
        if self.organisation_number:
            try:
                self.organisation_number = organisation_number_formatted(
                    self.organisation_number
                )
            except ValidationError as error:
                raise ValidationError({"organisation_number": error}) from None


def register_editable_by(user):
    """A filter for the register entries (outlets, localities, partners) one edits.

    A municipality's administrators and officials keep their own municipality's
    register; the system owner works in the Django admin and with imports.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    return user.managed_scope()


class MunicipalitySettings(models.Model):
    """A municipality's settings for one part of the programme: each subclass holds
    a one-to-one `municipality` and defaults that apply until some are stored."""

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.municipality)

    @classmethod
    def for_municipality(cls, municipality):
        """The stored settings, or the defaults when none are stored yet."""
        found = cls.objects.filter(municipality=municipality).first()
        return found or cls(municipality=municipality)


class LocalityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Localities are base data of the programme: every signed-in user sees them."""
        if not user.is_authenticated:
            return self.none()
        return self

    def editable_by(self, user):
        return self.filter(register_editable_by(user))


@pghistory.track()
class Locality(models.Model):
    """A village or town that matters for access to service (Swedish: *ort*)."""

    class Classification(models.TextChoices):
        SERVICE_TOWN = "service_town", _("Service town (serviceort)")
        SERVICE_NODE = "service_node", _("Service node (servicenod)")
        STRATEGIC = "strategic", _("Strategically important locality")
        NONE = "none", _("None")

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
    classification = models.CharField(
        _("classification in the service plan"),
        max_length=20,
        choices=Classification.choices,
        default=Classification.NONE,
    )
    classification_motivation = models.TextField(_("motivation"), blank=True)

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

    def get_absolute_url(self):
        return reverse("outlets:locality_detail", kwargs={"pk": self.pk})

    @property
    def is_strategic(self) -> bool:
        """Classified in the service plan: a service town or node, or a strategic
        locality. A service point is chosen for these."""
        return self.classification != self.Classification.NONE

    def may_consider(self, outlet) -> bool:
        """Whether the outlet may be weighed for the locality's service point: the
        municipality's own, or another's within CONSIDERED_WITHIN_KM."""
        if outlet.municipality_id == self.municipality_id:
            return True
        if self.latitude is None or outlet.latitude is None:
            return False
        here = sweref_from_wgs84(self.latitude, self.longitude)
        there = sweref_from_wgs84(outlet.latitude, outlet.longitude)
        return math.dist(here, there) <= CONSIDERED_WITHIN_KM * 1000

    def outlets_to_consider(self):
        """The open outlets one may weigh for the locality's service point."""
        nearby = []
        if self.latitude is not None:
            # A box a little larger than the circle, then the exact distance.
            margin = CONSIDERED_WITHIN_KM / 100
            box = Outlet.objects.exclude(municipality_id=self.municipality_id).filter(
                latitude__range=(self.latitude - margin, self.latitude + margin),
                longitude__range=(
                    self.longitude - margin / math.cos(math.radians(self.latitude)),
                    self.longitude + margin / math.cos(math.radians(self.latitude)),
                ),
            )
            nearby = [outlet.pk for outlet in box if self.may_consider(outlet)]
        return (
            Outlet.objects.open()
            .filter(Q(municipality_id=self.municipality_id) | Q(pk__in=nearby))
            .select_related("municipality")
        )

    def clean(self):
        if (
            self.classification != self.Classification.NONE
            and not self.classification_motivation.strip()
        ):
            raise ValidationError(
                {
                    "classification_motivation": _(
                        "Write why the locality has this classification."
                    )
                }
            )


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
        scope = user.records_scope()
        if not scope:
            # An empty Q reads everything, but would vanish from an OR.
            return self
        # The owner's outlets as a subquery: a join through the owners would read
        # every outlet of the country (and need DISTINCT) to find one municipality's.
        return self.filter(scope | Q(pk__in=user.outlets.values("pk")))

    def editable_by(self, user):
        return self.filter(register_editable_by(user))

    def recordable_by(self, user):
        """Outlets whose yearly records (home deliveries, activities) the user logs:
        officials and administrators their municipality's, shop owners their own,
        which they record without editing the register."""
        if not user.is_authenticated:
            return self.none()
        if user.is_shop_owner:
            return self.filter(owners=user)
        return self.filter(user.managed_scope())

    def public_facts_editable_by(self, user):
        """Outlets whose public facts (opening hours, phone) the user keeps: shop
        owners their own, besides those who edit the register."""
        if not user.is_authenticated:
            return self.none()
        if user.is_shop_owner:
            return self.filter(owners=user)
        return self.editable_by(user)

    def open(self):
        return self.filter(status=Outlet.Status.OPEN)


@pghistory.track(
    meta={
        "triggers": history_append_only(
            erasable=("name", "organisation_number", "crisis_contact", "phone")
        )
    }
)
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

    class AgentRole(models.TextChoices):
        SYSTEMBOLAGET = "systembolaget", "Systembolaget"
        APOTEKET = "apoteket", _("Pharmacy (Apoteket)")
        POSTNORD = "postnord", "PostNord"
        DHL = "dhl", "DHL"
        SCHENKER = "schenker", "DB Schenker"
        BRING = "bring", "Bring"
        SVENSKA_SPEL = "svenska_spel", "Svenska Spel"
        ATG = "atg", "ATG"
        CASH_WITHDRAWAL = "cash_withdrawal", _("Cash withdrawal")
        PAYMENT_SERVICE = "payment_service", _("Bill payment")

    class CrisisRole(models.TextChoices):
        """What the municipality's crisis management counts on the outlet for."""

        READINESS_POINT = (
            "readiness_point",
            _("Crisis-readiness point (information and meeting place)"),
        )
        SUPPLY = "supply", _("Keeps food and essentials available")
        FUEL = "fuel", _("Keeps fuel available")
        OTHER = "other", _("Other role (see the crisis contact)")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="outlets",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    chain = models.CharField(_("chain"), max_length=100, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The outlet's id in a national service register, if any."),
    )
    # Not unique: a chain runs many stations under one number. A sole trader's number
    # is a personal identity number, so it is personal data and shown to staff only.
    organisation_number = models.CharField(
        _("organisation number"), max_length=11, blank=True
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
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
    # Public like the opening hours; kept by the shop owner too.
    phone = models.CharField(
        _("shop phone"),
        max_length=40,
        blank=True,
        validators=[phone_number_validator],
        help_text=_("The number customers call the shop on."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    agent_roles = ArrayField(
        models.CharField(max_length=20, choices=AgentRole.choices),
        verbose_name=_("agent for"),
        default=list,
        blank=True,
    )
    backup_power = models.BooleanField(_("backup power"), null=True, blank=True)
    backup_power_kva = models.DecimalField(
        _("backup power capacity (kVA)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    backup_power_tested_on = models.DateField(
        _("backup power last tested"), null=True, blank=True
    )
    crisis_contact = models.CharField(
        _("crisis contact"),
        max_length=200,
        blank=True,
        help_text=_("Who the municipality calls in a crisis, with a phone number."),
    )
    crisis_role = models.CharField(
        _("crisis role"),
        max_length=20,
        choices=CrisisRole.choices,
        blank=True,
        default="",
        # Rows written in bulk outside the ORM (bench/import_outlets.py) get it too.
        db_default="",
        help_text=_("The outlet's role in the municipality's crisis preparedness."),
    )

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        # The register's lists and the admin's read outlets in this order, a page
        # at a time: by index, not by sorting the whole country for each page.
        indexes = [models.Index(fields=["name", "id"], name="outlets_outlet_by_name")]
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
            models.CheckConstraint(
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True)
                    | Q(
                        latitude__range=SWEDEN_LATITUDE,
                        longitude__range=SWEDEN_LONGITUDE,
                    )
                ),
                name="%(app_label)s_%(class)s_position_in_sweden",
                violation_error_message=_("The position is not in Sweden."),
            ),
            models.CheckConstraint(
                condition=Q(
                    crisis_role__in=["", "readiness_point", "supply", "fuel", "other"]
                ),
                name="%(app_label)s_%(class)s_crisis_role_valid",
                violation_error_message=_("Choose one of the crisis roles."),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
                violation_error_message=_(
                    "Another outlet already has this external id."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outlets:outlet_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.organisation_number:
            try:
                self.organisation_number = organisation_number_formatted(
                    self.organisation_number
                )
            except ValidationError as error:
                errors["organisation_number"] = error
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        elif self.latitude is not None and not is_in_sweden(
            self.latitude, self.longitude
        ):
            errors["latitude"] = _("The position is not in Sweden.")
        if self.status == self.Status.CLOSED and self.closed_on is None:
            errors["closed_on"] = _("Give the date the outlet closed.")
        if self.status == self.Status.OPEN:
            self.closed_on = None
        if self.locality_id and self.locality.municipality_id != self.municipality_id:
            errors["locality"] = _("The locality is in another municipality.")
        if errors:
            raise ValidationError(errors)

    @property
    def sweref(self):
        """(northing, easting) in SWEREF 99 TM, or None."""
        if self.latitude is None:
            return None
        return sweref_from_wgs84(self.latitude, self.longitude)

    def get_agent_roles_display(self):
        labels = dict(self.AgentRole.choices)
        return [labels.get(role, role) for role in self.agent_roles]


# A removed contact person stays in the outlet's history.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only(erasable=("name", "email", "phone"))},
)
class OutletContact(models.Model):
    """A person to contact at an outlet: part of the outlet's records."""

    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("outlet"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self):
        return self.name


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.reads_all_base_data:
            return self.none()
        return self

    def with_records_visible_to(self, user):
        """Partners whose contact person (personal data) the user reads: those of
        the own municipality and region, as with an outlet's records."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.records_scope())

    def editable_by(self, user):
        return self.filter(register_editable_by(user))


@pghistory.track(
    meta={
        "triggers": history_append_only(erasable=("contact_person", "email", "phone"))
    }
)
class Partner(models.Model):
    """A local development group or the region's contact for commercial service."""

    class Kind(models.TextChoices):
        VILLAGE_ASSOCIATION = "village_association", _("Village association (byalag)")
        COMMUNITY_HALL = (
            "community_hall",
            _("Community hall association (bygdegårdsförening)"),
        )
        BUSINESS_ASSOCIATION = (
            "business_association",
            _("Business association (företagsförening)"),
        )
        REGIONAL_CONTACT = (
            "regional_contact",
            _("The region's contact for commercial service"),
        )
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    localities = models.ManyToManyField(
        Locality, related_name="partners", blank=True, verbose_name=_("localities")
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outlets:partner_detail", kwargs={"pk": self.pk})


# Linking a partner to a locality or unlinking it is a change of the partner. The
# trigger sits on a proxy of the through table, as pgtrigger's migrations need.
@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class PartnerLocalities(Partner.localities.through):
    class Meta:
        proxy = True


class OutletImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The system owner reads every import; a municipality's administrators
        their municipality's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()


class OutletImport(models.Model):
    """One confirmed import of an outlet file: the import history."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="outlet_imports",
        null=True,
        blank=True,
        verbose_name=_("municipality"),
        help_text=_("Empty when the file covered several municipalities."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    new_count = models.PositiveIntegerField(_("new"))
    changed_count = models.PositiveIntegerField(_("changed"))
    unchanged_count = models.PositiveIntegerField(_("unchanged"))

    objects = OutletImportQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("outlet import")
        verbose_name_plural = _("outlet imports")

    def __str__(self):
        return self.file_name


class OutletImportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the import history: the system owner every run; a municipality's
        administrators their municipality's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()


class OutletImportRun(models.Model):
    """One upload of an outlet file followed through background jobs (Swedish:
    *import*): checked and previewed, then confirmed and stored, or refused,
    cancelled or expired. The row holds the whole state, so any server shows it."""

    class Status(models.TextChoices):
        CHECK_QUEUED = "check_queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking the file")
        PREVIEWED = "previewed", _("Awaiting confirmation")
        QUEUED = "queued", _("Waiting to be stored")
        STORING = "storing", _("Storing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="outlet_import_runs",
        null=True,
        blank=True,
        verbose_name=_("municipality"),
        help_text=_(
            "The uploader's municipality, or the one the system owner chose; empty "
            "when the file names each row's municipality."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.CHECK_QUEUED,
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The file in the default storage while a job needs it; emptied once done,
    # failed, cancelled or expired.
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    # What the preview page shows: counts, the first errors, changes and new outlets.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outlet_import = models.OneToOneField(
        OutletImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="run",
        verbose_name=_("import"),
    )

    objects = OutletImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("outlet import run")
        verbose_name_plural = _("outlet import runs")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="%(app_label)s_%(class)s_failure_says_why",
                violation_error_message=_("A failed import says why."),
            ),
        ]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("outlets:outlet_import_run", kwargs={"pk": self.pk})

    @property
    def is_working(self):
        """A job has this run to do: the page follows it."""
        return self.status in (
            self.Status.CHECK_QUEUED,
            self.Status.CHECKING,
            self.Status.QUEUED,
            self.Status.STORING,
        )

    @property
    def percent_done(self):
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


# A shop across the municipal border may be weighed too: people shop where it is
# nearest. So far from the locality (straight line) it may lie.
CONSIDERED_WITHIN_KM = 30


class ServicePointChoiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The choices of the municipalities whose records the user reads: its
        staff, the county's regional viewers, the system owner."""
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        return self.filter(user.records_scope("locality__municipality"))

    def editable_by(self, user):
        """Administrators and officials record their own municipality's choices."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope("locality__municipality"))


@pghistory.track()
class ServicePointChoice(models.Model):
    """Why one outlet of a strategic locality was chosen as its service point
    (Swedish: *val av servicepunkt*): the outlets considered, the one chosen, the
    reason and the municipal decision behind it."""

    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="service_point_choices",
        verbose_name=_("locality"),
    )
    considered = models.ManyToManyField(
        Outlet,
        related_name="+",
        verbose_name=_("outlets considered"),
    )
    chosen = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="service_point_choices",
        verbose_name=_("outlet chosen"),
    )
    reason = models.TextField(
        _("reason for the choice"),
        help_text=_(
            "Why the municipality chose this outlet over the others: what tipped "
            "the balance."
        ),
    )
    decision_date = models.DateField(_("decision date"))
    decision_body = models.CharField(
        _("deciding body"),
        max_length=200,
        help_text=_("E.g. Kommunstyrelsen."),
    )
    decision_paragraph = models.CharField(_("paragraph (§)"), max_length=20, blank=True)
    decision_registration_number = models.CharField(
        _("registration number (diarienummer)"), max_length=50, blank=True
    )

    objects = ServicePointChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-pk"]
        verbose_name = _("choice of service point")
        verbose_name_plural = _("choices of service point")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="%(app_label)s_%(class)s_has_reason",
                violation_error_message=_("Write why this outlet was chosen."),
            ),
        ]

    def __str__(self):
        return _("Choice of service point in %(locality)s") % {
            "locality": self.locality
        }

    def clean(self):
        errors = {}
        if self.reason is not None and not self.reason.strip():
            errors["reason"] = ValidationError(
                _("Write why this outlet was chosen."), code="required"
            )
        if self.locality_id and not self.locality.is_strategic:
            errors["locality"] = ValidationError(
                _(
                    "A service point is chosen for a locality the service plan "
                    "classifies; classify the locality first."
                ),
                code="not_classified",
            )
        if (
            self.locality_id
            and self.chosen_id
            and self.chosen.municipality_id != self.locality.municipality_id
        ):
            errors["chosen"] = ValidationError(
                _(
                    "The municipality makes a service point of one of its own "
                    "outlets; an outlet across the border can only be considered."
                ),
                code="other_municipality",
            )
        if errors:
            raise ValidationError(errors)

    def clean_considered(self, considered):
        """The considered outlets (not yet stored) against the choice: the chosen
        one among them, each of the municipality or near the locality."""
        considered = list(considered)
        errors = []
        if self.chosen_id and self.chosen_id not in {o.pk for o in considered}:
            errors.append(
                ValidationError(
                    _("The outlet chosen must be among the outlets considered."),
                    code="chosen_not_considered",
                )
            )
        if len(considered) < 2:
            errors.append(
                ValidationError(
                    _(
                        "Tick at least two outlets considered: a choice is made "
                        "between several."
                    ),
                    code="too_few_considered",
                )
            )
        far = [o.name for o in considered if not self.locality.may_consider(o)]
        if far:
            errors.append(
                ValidationError(
                    _(
                        "%(outlets)s: neither in the municipality nor within "
                        "%(km)s km of the locality."
                    )
                    % {"outlets": ", ".join(far), "km": CONSIDERED_WITHIN_KM},
                    code="too_far",
                )
            )
        if errors:
            raise ValidationError({"considered": errors})

    @property
    def decision_display(self) -> str:
        """ "Kommunstyrelsen 2010-05-12 § 34 (KS 2010/123)"."""
        paragraph = self.decision_paragraph.strip().lstrip("§").strip()
        text = f"{self.decision_body} {self.decision_date:%Y-%m-%d}"
        if paragraph:
            text += f" § {paragraph}"
        if self.decision_registration_number:
            text += f" ({self.decision_registration_number})"
        return text


# Adding or removing an outlet considered is a change of the choice. The trigger
# sits on a proxy of the through table, as pgtrigger's migrations need.
@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class ServicePointChoiceConsidered(ServicePointChoice.considered.through):
    class Meta:
        proxy = True
