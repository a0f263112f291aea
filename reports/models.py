from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import Municipality


class AnnualReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reports of the municipalities whose key figures the user reads: staff
        their own, regional viewers their county's, the system owner every one;
        shop owners none."""
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_regional_viewer:
            return self.filter(municipality__county_id=user.county_id)
        if user.is_municipal_staff:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()

    def unfinished(self):
        return self.filter(
            status__in=[AnnualReport.Status.QUEUED, AnnualReport.Status.RUNNING]
        )


class AnnualReport(models.Model):
    """A rendering of a municipality's annual report (Swedish: *årsrapport*) as
    PDF, made by a background job and kept in the default storage. Only the latest
    of a municipality's year is kept once a newer one is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="annual_reports",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The day the report's figures are counted on (what is overdue, whether the
    # year is preliminary): the day the job rendered it.
    dated_on = models.DateField(_("dated"), null=True, blank=True)
    # The PDF's name in the default storage once the job has stored it.
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            # A second click while one is being prepared follows that one.
            models.UniqueConstraint(
                fields=["municipality", "year"],
                condition=Q(status__in=["queued", "running"]),
                name="%(app_label)s_%(class)s_one_unfinished_per_year",
                violation_error_message=_(
                    "The municipality's annual report of the year is already being "
                    "prepared."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="%(app_label)s_%(class)s_failure_says_why",
                violation_error_message=_("A failed annual report says why."),
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | (~Q(stored_file="") & ~Q(sha256="") & Q(dated_on__isnull=False)),
                name="%(app_label)s_%(class)s_done_has_file",
                violation_error_message=_("A ready annual report has its file."),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}"

    def get_absolute_url(self):
        return (
            reverse("reports:annual_report")
            + f"?year={self.year}&municipality={self.municipality.code}"
        )

    @property
    def is_unfinished(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_current(self):
        """Ready and dated today: its figures are counted on the day they are read.
        (Changes made later the same day are not in it; the page says when it was
        made and offers to prepare it again.)"""
        return self.status == self.Status.DONE and self.dated_on == timezone.localdate()

    @property
    def waits_long(self):
        """Queued for minutes: no worker may be running."""
        return (
            self.status == self.Status.QUEUED
            and timezone.now() - self.requested_at > timedelta(minutes=2)
        )

    @property
    def file_name(self):
        return f"arsrapport-{self.municipality.code}-{self.year}.pdf"
