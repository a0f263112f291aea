"""Service analysis: population grids, settings, road networks, scenarios, results."""

from datetime import timedelta
from functools import reduce
from operator import add

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import Municipality, MunicipalitySettings, Outlet

# Five-year classes as SCB publishes them, the last open-ended.
AGE_COLUMNS = [f"age_{low}_{low + 4}" for low in range(0, 90, 5)] + ["age_90_plus"]

# SWEREF 99 TM extent of Sweden with a margin (metres).
SWEDEN_EASTING = (180_000, 1_000_000)
SWEDEN_NORTHING = (6_100_000, 7_700_000)

# The kinds of outlet an analysis measures the distance to (grocery first: the
# default), as pages and the service_analysis command name them.
KIND_LABELS = {
    "grocery": _("Grocery shop (any)"),
    "grocery_full": _("Grocery shop, full range"),
    "fuel": _("Petrol station"),
    "agent": _("Agent"),
    "service_point": _("Service point"),
}


class PopulationImport(models.Model):
    """One imported population grid of a municipality (Swedish: *befolkningsunderlag*).

    Every import is kept as history; the squares belong to the latest one.
    """

    class Format(models.TextChoices):
        TEMPLATE = "template", _("CSV template")
        SCB = "scb", _("SCB grid statistics (CSV)")
        PIPOS = "pipos", _("Pipos squares (CSV)")
        GEOPACKAGE = "geopackage", _("GeoPackage")
        SYNTHETIC = "synthetic", _("Synthetic (generated)")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="population_imports",
        verbose_name=_("municipality"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated for demonstrations and benchmarks, not real people."),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    square_count = models.PositiveIntegerField(_("squares"))
    population = models.PositiveIntegerField(_("people"))
    has_ages = models.BooleanField(_("with age groups"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        get_latest_by = ["imported_at", "pk"]
        verbose_name = _("population import")
        verbose_name_plural = _("population imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(synthetic=False) | Q(format="synthetic"),
                name="%(app_label)s_%(class)s_synthetic_has_format",
                violation_error_message=_("Synthetic population has its own format."),
            ),
        ]

    def __str__(self):
        return self.file_name


class PopulationSquare(models.Model):
    """A populated grid square (Swedish: *befolkningsruta*), SWEREF 99 TM metres."""

    population_import = models.ForeignKey(
        PopulationImport,
        on_delete=models.CASCADE,
        related_name="squares",
        verbose_name=_("population import"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="population_squares",
        verbose_name=_("municipality"),
    )
    easting = models.IntegerField(_("easting of the south-west corner"))
    northing = models.IntegerField(_("northing of the south-west corner"))
    size_m = models.PositiveIntegerField(_("side (m)"))
    population = models.PositiveIntegerField(_("population"))
    age_0_4 = models.PositiveIntegerField(null=True, blank=True)
    age_5_9 = models.PositiveIntegerField(null=True, blank=True)
    age_10_14 = models.PositiveIntegerField(null=True, blank=True)
    age_15_19 = models.PositiveIntegerField(null=True, blank=True)
    age_20_24 = models.PositiveIntegerField(null=True, blank=True)
    age_25_29 = models.PositiveIntegerField(null=True, blank=True)
    age_30_34 = models.PositiveIntegerField(null=True, blank=True)
    age_35_39 = models.PositiveIntegerField(null=True, blank=True)
    age_40_44 = models.PositiveIntegerField(null=True, blank=True)
    age_45_49 = models.PositiveIntegerField(null=True, blank=True)
    age_50_54 = models.PositiveIntegerField(null=True, blank=True)
    age_55_59 = models.PositiveIntegerField(null=True, blank=True)
    age_60_64 = models.PositiveIntegerField(null=True, blank=True)
    age_65_69 = models.PositiveIntegerField(null=True, blank=True)
    age_70_74 = models.PositiveIntegerField(null=True, blank=True)
    age_75_79 = models.PositiveIntegerField(null=True, blank=True)
    age_80_84 = models.PositiveIntegerField(null=True, blank=True)
    age_85_89 = models.PositiveIntegerField(null=True, blank=True)
    age_90_plus = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["northing", "easting"]
        verbose_name = _("population square")
        verbose_name_plural = _("population squares")
        constraints = [
            models.UniqueConstraint(
                fields=["population_import", "easting", "northing", "size_m"],
                name="%(app_label)s_%(class)s_unique_square",
                violation_error_message=_("The square occurs twice."),
            ),
            models.CheckConstraint(
                condition=Q(size_m__gt=0),
                name="%(app_label)s_%(class)s_size_positive",
                violation_error_message=_("A square's side is positive."),
            ),
            models.CheckConstraint(
                condition=Q(
                    Exact(Mod(F("easting"), F("size_m")), 0),
                    Exact(Mod(F("northing"), F("size_m")), 0),
                ),
                name="%(app_label)s_%(class)s_on_grid",
                violation_error_message=_(
                    "A square's corner lies on the grid of its size."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    easting__range=SWEDEN_EASTING, northing__range=SWEDEN_NORTHING
                ),
                name="%(app_label)s_%(class)s_in_sweden",
                violation_error_message=_("The square is not in Sweden."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(**{f"{column}__isnull": True for column in AGE_COLUMNS})
                    | Q(
                        Exact(
                            reduce(add, (F(c) for c in AGE_COLUMNS)), F("population")
                        ),
                        **{f"{column}__isnull": False for column in AGE_COLUMNS},
                    )
                ),
                name="%(app_label)s_%(class)s_ages_sum_to_population",
                violation_error_message=_(
                    "The age groups add up to the population, or are all empty."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.easting} {self.northing} ({self.size_m} m)"


class AnalysisSettings(MunicipalitySettings):
    """A municipality's settings for the service analysis."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="analysis_settings",
        verbose_name=_("municipality"),
    )
    detour_factor = models.FloatField(
        _("detour factor"),
        default=1.3,
        help_text=_(
            "Straight-line distances are multiplied by this when no road network "
            "has been imported."
        ),
    )
    distance_bands_km = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("distance bands (km)"),
        default=list,
        blank=True,
        help_text=_("The upper edges of the bands, e.g. 5, 10, 20, 30."),
    )
    strategic_threshold = models.PositiveIntegerField(
        _("people for a strategic locality"),
        default=200,
        help_text=_(
            "A locality is a candidate when one outlet is the only one within 10 km "
            "for at least this many people."
        ),
    )

    class Meta:
        verbose_name = _("analysis settings")
        verbose_name_plural = _("analysis settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(detour_factor__gte=1, detour_factor__lte=5),
                name="%(app_label)s_%(class)s_detour_factor_range",
                violation_error_message=_("The detour factor is between 1 and 5."),
            ),
            models.CheckConstraint(
                condition=Q(strategic_threshold__gt=0),
                name="%(app_label)s_%(class)s_threshold_positive",
                violation_error_message=_("The threshold is at least one person."),
            ),
        ]

    @property
    def bands(self):
        return list(self.distance_bands_km or DEFAULT_BANDS_KM)

    def clean(self):
        bands = list(self.distance_bands_km or [])
        if bands and (
            bands[0] <= 0 or any(b <= a for a, b in zip(bands, bands[1:], strict=False))
        ):
            raise ValidationError(
                {
                    "distance_bands_km": _(
                        "Give the band edges as increasing positive kilometres."
                    )
                }
            )


DEFAULT_BANDS_KM = [5, 10, 20, 30]


class RoadNetwork(models.Model):
    """An imported road network for distances along roads (Swedish: *vägnät*).

    A municipality's own network is used for its analysis; a shared one (no
    municipality, loaded by the system owner) for every municipality without one.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="road_networks",
        verbose_name=_("municipality"),
        help_text=_("Empty for a network shared by every municipality."),
    )
    name = models.CharField(_("name"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    node_count = models.PositiveIntegerField(_("nodes"))
    edge_count = models.PositiveIntegerField(_("edges"))
    data = models.BinaryField(_("network"))

    class Meta:
        ordering = ["-imported_at", "-pk"]
        get_latest_by = ["imported_at", "pk"]
        verbose_name = _("road network")
        verbose_name_plural = _("road networks")
        constraints = [
            models.CheckConstraint(
                condition=Q(edge_count__gt=0),
                name="%(app_label)s_%(class)s_has_edges",
                violation_error_message=_("A road network has at least one road."),
            ),
        ]

    def __str__(self):
        return self.name


class ScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Saved scenarios of the municipalities whose records the user reads."""
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        return self.filter(user.records_scope())

    def editable_by(self, user):
        """The scenarios the user may delete: those they saved for the municipality
        they manage, and (its administrators, who tidy up) all of its scenarios."""
        if not user.is_authenticated:
            return self.none()
        scenarios = self.filter(user.managed_scope())
        if user.is_administrator:
            return scenarios
        return scenarios.filter(created_by=user)


@pghistory.track()
class Scenario(models.Model):
    """A saved what-if: outlets closed, added or moved, the register untouched."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="analysis_scenarios",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_outlets = models.ManyToManyField(
        Outlet, related_name="+", blank=True, verbose_name=_("closed outlets")
    )

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "The municipality already has a scenario with this name."
                ),
            ),
        ]

    def __str__(self):
        return self.name


def _position_constraints():
    return [
        models.CheckConstraint(
            condition=Q(easting__range=SWEDEN_EASTING, northing__range=SWEDEN_NORTHING),
            name="%(app_label)s_%(class)s_in_sweden",
            violation_error_message=_("The position is not in Sweden."),
        )
    ]


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
)
class ScenarioAddedOutlet(models.Model):
    """An outlet that exists only in a scenario (a new shop, say)."""

    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.CASCADE,
        related_name="added_outlets",
        verbose_name=_("scenario"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Outlet.Kind.choices)
    is_agent = models.BooleanField(_("agent"), default=False)
    is_service_point = models.BooleanField(_("service point"), default=False)
    easting = models.IntegerField(_("easting (SWEREF 99 TM)"))
    northing = models.IntegerField(_("northing (SWEREF 99 TM)"))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("added outlet")
        verbose_name_plural = _("added outlets")
        constraints = _position_constraints()

    def __str__(self):
        return self.name


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
)
class ScenarioMovedOutlet(models.Model):
    """A register outlet at another position in a scenario."""

    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.CASCADE,
        related_name="moved_outlets",
        verbose_name=_("scenario"),
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.CASCADE, related_name="+", verbose_name=_("outlet")
    )
    easting = models.IntegerField(_("easting (SWEREF 99 TM)"))
    northing = models.IntegerField(_("northing (SWEREF 99 TM)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("moved outlet")
        verbose_name_plural = _("moved outlets")
        constraints = [
            *_position_constraints(),
            models.UniqueConstraint(
                fields=["scenario", "outlet"],
                name="%(app_label)s_%(class)s_once_per_scenario",
                violation_error_message=_("The outlet is already moved."),
            ),
        ]

    def __str__(self):
        return str(self.outlet)


# Closing an outlet in a scenario or opening it again is a change of the scenario.
# The trigger sits on a proxy of the through table, as pgtrigger's migrations need.
@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class ScenarioClosedOutlets(Scenario.closed_outlets.through):
    class Meta:
        proxy = True


class AnalysisResult(models.Model):
    """A computed analysis, kept until one of its inputs changes.

    The fingerprint hashes every input (outlets' positions, kinds and open state, the
    agreements in force, the population import, the settings, the road network, the
    localities and the scenario), so a changed input simply misses the cache.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="analysis_results",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("kind"), max_length=20)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    # The hash of the inputs shared by every kind, band and scenario: outlets,
    # population, settings, road network, localities. Results of other inputs are
    # stale and pruned.
    inputs = models.CharField(_("inputs"), max_length=64, blank=True, db_index=True)
    bands_km = ArrayField(
        models.FloatField(), verbose_name=_("distance bands (km)"), default=list
    )
    is_scenario = models.BooleanField(_("scenario"), default=False)
    method = models.CharField(_("method"), max_length=20)
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)
    used_at = models.DateTimeField(_("last used"), default=timezone.now)
    seconds = models.FloatField(_("computing time (s)"))
    result = models.JSONField(_("result"))
    # The versions of the inputs it was computed from (AnalysisInputVersion): the
    # register's per municipality (its own and those whose outlets serve it), the
    # population's and the settings'.
    input_versions = models.JSONField(_("input versions"), default=dict, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [
            models.Index(
                fields=["municipality", "is_scenario", "-used_at"],
                name="analysis_result_recent",
            )
        ]
        verbose_name = _("analysis result")
        verbose_name_plural = _("analysis results")

    def __str__(self):
        return f"{self.municipality} {self.kind}"


class AnalysisInputVersion(models.Model):
    """How often one input of a municipality's analysis has changed, and when last.

    Counted by database triggers on the inputs' tables (migration
    0005_input_versions), so every path counts: forms, imports' bulk writes, the
    admin, raw SQL. A stored result keeps the versions it was computed from; a
    version moved on since means the result is older than its input.
    """

    class Input(models.TextChoices):
        REGISTER = "register", _("the register")
        POPULATION = "population", _("the population data")
        SETTINGS = "settings", _("the analysis settings")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    input = models.CharField(_("input"), max_length=20, choices=Input.choices)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("analysis input version")
        verbose_name_plural = _("analysis input versions")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "input"],
                name="%(app_label)s_%(class)s_one_per_input",
                violation_error_message=_("The input is counted once."),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.input} {self.version}"


class DataLoadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The loads a user follows on the load pages: the municipality's
        administrators its loads, the system owner the road networks (and every
        load in the Django admin); nobody else any."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self.filter(kind=DataLoad.Kind.ROAD_NETWORK)
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()

    def unfinished(self):
        return self.filter(status__in=[DataLoad.Status.QUEUED, DataLoad.Status.RUNNING])


class DataLoad(models.Model):
    """A population or road-network file loaded from the web app (Swedish:
    *inläsning*): uploaded and previewed, confirmed, then stored by a background
    job. Every load is kept as history, a refused or cancelled one too."""

    class Kind(models.TextChoices):
        POPULATION = "population", _("Population grid")
        ROAD_NETWORK = "road_network", _("Road network")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Awaiting confirmation")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Step(models.TextChoices):
        READING = "reading", _("Reading the file")
        STORING = "storing", _("Storing the data")
        RECOMPUTING = "recomputing", _("Recomputing the service analysis")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_loads",
        verbose_name=_("municipality"),
        help_text=_("Empty for a road network shared by every municipality."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWED
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The uploaded file in the default storage while it waits for the job; emptied
    # once the job (or a cancel) is done with it.
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The preview's totals: squares, people and age groups of a population grid,
    # features and length of a road network, and the area either covers.
    square_count = models.PositiveIntegerField(_("squares"), null=True, blank=True)
    population = models.PositiveBigIntegerField(_("people"), null=True, blank=True)
    has_ages = models.BooleanField(_("with age groups"), default=False)
    feature_count = models.PositiveIntegerField(_("road lines"), null=True, blank=True)
    length_km = models.FloatField(_("length (km)"), null=True, blank=True)
    area_km2 = models.FloatField(_("area covered (km²)"))
    note = models.TextField(_("note"), blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    population_import = models.ForeignKey(
        PopulationImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("population import"),
    )
    road_network = models.ForeignKey(
        RoadNetwork,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("road network"),
    )

    objects = DataLoadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("data load")
        verbose_name_plural = _("data loads")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="road_network") | Q(municipality__isnull=False),
                name="%(app_label)s_%(class)s_population_has_municipality",
                violation_error_message=_("A population grid is a municipality's."),
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="%(app_label)s_%(class)s_failure_says_why",
                violation_error_message=_("A failed load says why."),
            ),
        ]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("analysis:load_detail", kwargs={"pk": self.pk})

    @property
    def is_unfinished(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def waits_long(self):
        """Queued for minutes: no worker may be running."""
        return (
            self.status == self.Status.QUEUED
            and self.confirmed_at is not None
            and timezone.now() - self.confirmed_at > timedelta(minutes=2)
        )

    @property
    def step_number(self):
        return list(self.Step.values).index(self.step) + 1 if self.step else 0

    @property
    def step_count(self):
        return len(self.Step.values)


class AnalysisJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The computations of the analyses a user may read (as on its pages)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_regional_viewer:
            return self.filter(municipality__county_id=user.county_id)
        if user.is_municipal_staff:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()


class AnalysisJob(models.Model):
    """A computation of one analysis in the background (Swedish: *beräkning*),
    one per fingerprint of its inputs; the result itself goes to `AnalysisResult`
    under the same fingerprint."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being computed")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("kind"), max_length=20)
    bands_km = models.JSONField(_("distance bands (km)"))
    # ScenarioSpec.as_json(); empty lists for today's register.
    scenario = models.JSONField(_("scenario"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("why it failed"), blank=True)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = AnalysisJobQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("analysis computation")
        verbose_name_plural = _("analysis computations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="%(app_label)s_%(class)s_failure_says_why",
                violation_error_message=_("A failed computation says why."),
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id} {self.kind} {self.fingerprint[:12]}"

    @property
    def is_unfinished(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def waits_long(self):
        """Queued for minutes: no worker may be running."""
        return (
            self.status == self.Status.QUEUED
            and timezone.now() - self.queued_at > timedelta(minutes=2)
        )
