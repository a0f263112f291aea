import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.models import Agreement
from outlets.models import Municipality, MunicipalitySettings, Outlet

REPORT_DUE_DAYS_MESSAGE = _("Give a number of days from 1 to 365.")


class FollowUpSettings(MunicipalitySettings):
    """A municipality's rules for the yearly follow-up (Swedish: *uppföljning*)."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="followup_settings",
        verbose_name=_("municipality"),
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due (days after the agreement year ends)"),
        default=60,
        validators=[
            MinValueValidator(1, message=REPORT_DUE_DAYS_MESSAGE),
            MaxValueValidator(365, message=REPORT_DUE_DAYS_MESSAGE),
        ],
        help_text=_(
            "The owner's yearly report and the municipality's follow-up of the year "
            "fall due this many days after the agreement year ends, between 1 and "
            "365. Reminders go out 14 days before. Follow-ups created from now on "
            "get the new date; those already created keep theirs."
        ),
    )

    class Meta:
        verbose_name = _("follow-up settings")
        verbose_name_plural = _("follow-up settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(report_due_days__gte=1, report_due_days__lte=365),
                name="%(app_label)s_%(class)s_due_days_in_range",
                violation_error_message=REPORT_DUE_DAYS_MESSAGE,
            ),
        ]


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the municipality, the county's regional viewers, the system owner.

        Shop owners reach their own follow-ups through `recordable_by` instead.
        """
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        return self.filter(user.records_scope("agreement__municipality"))

    def editable_by(self, user):
        """The follow-ups of the municipality the user manages."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope("agreement__municipality"))

    def recordable_by(self, user):
        """The follow-ups whose yearly report the user writes, without editing the
        follow-up: those of the outlets the shop owner runs."""
        if user.is_authenticated and user.is_shop_owner:
            return self.filter(agreement__outlet__owners=user)
        return self.none()

    def complete(self):
        return self.filter(completed_at__isnull=False)

    def open(self):
        return self.filter(completed_at__isnull=True)

    def overdue(self, on=None):
        return self.open().filter(due_on__lt=on or timezone.localdate())

    def due(self, on=None):
        """Open and not yet past the due date."""
        return self.open().filter(due_on__gte=on or timezone.localdate())


@pghistory.track()
class FollowUp(models.Model):
    """The follow-up of one agreement year (Swedish: *uppföljning*): the owner's
    report, the annual dialogue, the site visit and the official's assessment."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("agreement"),
    )
    agreement_year = models.PositiveSmallIntegerField(_("agreement year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due"))
    assessment = models.TextField(_("assessment"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agreement_year"],
                name="%(app_label)s_%(class)s_one_per_agreement_year",
                violation_error_message=_(
                    "The agreement year already has a follow-up."
                ),
            ),
            models.CheckConstraint(
                condition=Q(agreement_year__gte=1),
                name="%(app_label)s_%(class)s_year_positive",
                violation_error_message=_("Agreement years are counted from 1."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start"))
                & Q(due_on__gte=F("period_start")),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message=_(
                    "The period must end, and the report fall due, after it starts."
                ),
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, completed_by__isnull=True)
                | Q(completed_at__isnull=False, completed_by__isnull=False),
                name="%(app_label)s_%(class)s_completed_by_someone",
                violation_error_message=_(
                    "A completed follow-up records who completed it."
                ),
            ),
        ]

    def __str__(self):
        return _("%(agreement)s, agreement year %(year)s") % {
            "agreement": self.agreement,
            "year": self.agreement_year,
        }

    def get_absolute_url(self):
        return reverse("followup:followup_detail", kwargs={"pk": self.pk})

    @property
    def is_complete(self):
        return self.completed_at is not None

    def status_on(self, day=None):
        """Complete, overdue or due."""
        if self.is_complete:
            return "complete"
        if self.due_on < (day or timezone.localdate()):
            return "overdue"
        return "due"


@pghistory.track()
class OwnerReport(models.Model):
    """The shop owner's yearly report (Swedish: *årsrapport*): annual dialogue notes
    and the year's figures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Sent back")
        ACCEPTED = "accepted", _("Accepted")

    class Counting(models.TextChoices):
        COUNTED = "counted", _("Counted")
        ESTIMATED = "estimated", _("Estimated")

    followup = models.OneToOneField(
        FollowUp,
        on_delete=models.PROTECT,
        related_name="report",
        verbose_name=_("follow-up"),
    )
    worked_well = models.TextField(_("What worked well"), blank=True)
    problems = models.TextField(_("Problems"), blank=True)
    needs_and_wishes = models.TextField(_("Needs and wishes"), blank=True)
    suggestions = models.TextField(_("Suggestions"), blank=True)
    planned_activities = models.TextField(_("Activities planned"), blank=True)
    visitors_per_week = models.PositiveIntegerField(
        _("Visitors per week"), null=True, blank=True
    )
    visitors_counting = models.CharField(
        _("Visitors counted or estimated"),
        max_length=10,
        choices=Counting.choices,
        blank=True,
    )
    computer_sessions = models.PositiveIntegerField(
        _("Sessions on the public computer"), null=True, blank=True
    )
    parcels_handled = models.PositiveIntegerField(
        _("Parcels handled"), null=True, blank=True
    )
    home_deliveries = models.PositiveIntegerField(
        _("Home deliveries"), null=True, blank=True
    )
    activities_held = models.PositiveIntegerField(
        _("Activities held"), null=True, blank=True
    )
    meeting_place_uses = models.PositiveIntegerField(
        _("Times the meeting place was used"), null=True, blank=True
    )
    cash_withdrawals = models.PositiveIntegerField(
        _("Cash withdrawals"), null=True, blank=True
    )
    customer_wishes = models.TextField(_("What customers ask for most"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_comment = models.TextField(_("comment from the municipality"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "accepted"]),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Choose one of the report statuses."),
            ),
            models.CheckConstraint(
                condition=Q(visitors_counting__in=["", "counted", "estimated"]),
                name="%(app_label)s_%(class)s_counting_valid",
                violation_error_message=_("Say whether visitors were counted."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(
                    submitted_at__isnull=False,
                    visitors_per_week__isnull=False,
                )
                & ~Q(visitors_counting=""),
                name="%(app_label)s_%(class)s_submitted_complete",
                violation_error_message=_(
                    "A submitted report has its visitors per week and how they "
                    "were counted."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_comment=""),
                name="%(app_label)s_%(class)s_returned_with_comment",
                violation_error_message=_(
                    "A report sent back carries a comment saying why."
                ),
            ),
        ]

    def __str__(self):
        return str(self.followup)

    # The owner's answers, in the order the form asks them.
    ANSWERS = [
        "worked_well",
        "problems",
        "needs_and_wishes",
        "suggestions",
        "planned_activities",
        "visitors_per_week",
        "visitors_counting",
        "computer_sessions",
        "parcels_handled",
        "home_deliveries",
        "activities_held",
        "meeting_place_uses",
        "cash_withdrawals",
        "customer_wishes",
    ]

    def answers(self):
        """(question, answer, is_figure) for showing the report read-only; a
        figure is shown grouped in thousands, a text as written."""
        rows = []
        for name in self.ANSWERS:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if field.choices:
                value = getattr(self, f"get_{name}_display")()
            rows.append(
                (field.verbose_name, value, isinstance(field, models.IntegerField))
            )
        return rows

    @property
    def is_locked(self):
        """Submitted or accepted: the owner cannot change it."""
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)


@pghistory.track()
class DialogueMeeting(models.Model):
    """The annual dialogue with the service point (Swedish: *årlig dialog*)."""

    followup = models.OneToOneField(
        FollowUp,
        on_delete=models.PROTECT,
        related_name="meeting",
        verbose_name=_("follow-up"),
    )
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"))
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("annual dialogue")
        verbose_name_plural = _("annual dialogues")

    def __str__(self):
        return str(self.followup)


class AgreedActionQuerySet(models.QuerySet):
    """Agreed actions are scoped through their follow-up."""

    def visible_to(self, user):
        """Staff as their follow-ups; shop owners those of their own outlets."""
        if user.is_authenticated and user.is_shop_owner:
            return self.filter(
                meeting__followup__in=FollowUp.objects.recordable_by(user)
            )
        return self.filter(meeting__followup__in=FollowUp.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(meeting__followup__in=FollowUp.objects.editable_by(user))

    def owned_by(self, user):
        """The shop's actions at the outlets the shop owner runs (none for others)."""
        return self.filter(
            party=AgreedAction.Party.SHOP,
            meeting__followup__in=FollowUp.objects.recordable_by(user),
        )

    def markable_done_by(self, user):
        """The actions the user may mark done: staff those of the follow-ups they
        manage; a shop owner the shop's own actions at their outlets."""
        if user.is_authenticated and user.is_shop_owner:
            return self.owned_by(user)
        return self.editable_by(user)

    def open(self):
        return self.filter(status=AgreedAction.Status.OPEN)

    def overdue(self, on=None):
        """Open and past the due date."""
        return self.open().filter(due_on__lt=on or timezone.localdate())


@pghistory.track()
class AgreedAction(models.Model):
    """An action agreed in the annual dialogue (Swedish: *åtgärd*): the shop's or
    the municipality's to do, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("agreed action", "Open")
        DONE = "done", pgettext_lazy("agreed action", "Done")

    class Party(models.TextChoices):
        SHOP = "shop", pgettext_lazy("responsible for an action", "The shop")
        MUNICIPALITY = (
            "municipality",
            pgettext_lazy("responsible for an action", "The municipality"),
        )

    meeting = models.ForeignKey(
        DialogueMeeting,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("annual dialogue"),
    )
    text = models.TextField(_("action"))
    party = models.CharField(
        _("responsible"),
        max_length=20,
        choices=Party.choices,
        default=Party.MUNICIPALITY,
        help_text=_(
            "The shop's actions are shown to the shop owner, who marks them done; "
            "reminders go to the one responsible once the action is overdue."
        ),
    )
    responsible = models.CharField(_("who"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # The official who recorded the action: the municipality's actions remind them.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Actions marked done before December 2026 have no date or person.
    done_at = models.DateTimeField(_("marked done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked done by"),
    )
    done_comment = models.TextField(_("comment"), blank=True)

    objects = AgreedActionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done"]),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("An action is open or done."),
            ),
            models.CheckConstraint(
                condition=Q(party__in=["shop", "municipality"]),
                name="%(app_label)s_%(class)s_party_valid",
                violation_error_message=_(
                    "Say whether the shop or the municipality is responsible."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    status="open",
                    done_at__isnull=True,
                    done_by__isnull=True,
                    done_comment="",
                )
                | Q(status="done")
                & (Q(done_by__isnull=True) | Q(done_at__isnull=False)),
                name="%(app_label)s_%(class)s_done_recorded",
                violation_error_message=_(
                    "Only an action marked done says when, by whom and how."
                ),
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def responsible_display(self):
        """The party, with the name the dialogue gave when it says more."""
        party = str(self.get_party_display())
        if self.responsible and self.responsible.casefold() != party.casefold():
            return f"{party} ({self.responsible})"
        return party

    def is_overdue(self, day=None):
        return (
            self.status == self.Status.OPEN
            and self.due_on is not None
            and self.due_on < (day or timezone.localdate())
        )


@pghistory.track()
class SiteVisit(models.Model):
    """The yearly visit on site (Swedish: *platsbesök*)."""

    followup = models.OneToOneField(
        FollowUp,
        on_delete=models.PROTECT,
        related_name="site_visit",
        verbose_name=_("follow-up"),
    )
    visited_on = models.DateField(_("date of the visit"))
    visitors = models.CharField(_("visited by"), max_length=300)
    assessment = models.TextField(_("impression"), blank=True)

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self):
        return str(self.followup)


class ChecklistCriterionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """The checklists of the municipalities whose follow-ups the user reads."""
        if not user.is_authenticated or user.is_shop_owner:
            return self.none()
        return self.filter(user.records_scope())

    def editable_by(self, user):
        """The checklist of the administrator's own municipality."""
        if user.is_authenticated and user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()


class SitePhotoQuerySet(models.QuerySet):
    """Site-visit photos are scoped through their follow-up."""

    def visible_to(self, user):
        return self.filter(site_visit__followup__in=FollowUp.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(site_visit__followup__in=FollowUp.objects.editable_by(user))


@pghistory.track()
class SitePhoto(models.Model):
    """A photo taken on a site visit (Swedish: *foto*), re-encoded without its
    metadata, with a thumbnail; served only to those who read the follow-up."""

    site_visit = models.ForeignKey(
        SiteVisit,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("site visit"),
    )
    image = models.FileField(_("photo"), upload_to="site_visits/", editable=False)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to="site_visits/", editable=False
    )
    thumbnail_width = models.PositiveSmallIntegerField(editable=False)
    thumbnail_height = models.PositiveSmallIntegerField(editable=False)
    caption = models.CharField(
        _("what the photo shows"),
        max_length=300,
        help_text=_("Shown with the photo and read out to those who cannot see it."),
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )

    objects = SitePhotoQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("site-visit photo")
        verbose_name_plural = _("site-visit photos")
        constraints = [
            models.CheckConstraint(
                condition=~Q(caption=""),
                name="%(app_label)s_%(class)s_has_caption",
                violation_error_message=_("Say what the photo shows."),
            ),
        ]

    def __str__(self):
        return self.caption


@pghistory.track()
class ChecklistCriterion(models.Model):
    """A point a municipality checks on every site visit (Swedish: *kontrollpunkt*)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="checklist_criteria",
        verbose_name=_("municipality"),
    )
    text = models.CharField(_("criterion"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_(
            "A criterion out of use is left off new site visits; the visits that "
            "checked it still show it."
        ),
    )

    objects = ChecklistCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist criterion")
        verbose_name_plural = _("checklist criteria")
        constraints = [
            # "Skylt utanför" and "skylt utanför" are the same point to check.
            models.UniqueConstraint(
                "municipality",
                Lower("text"),
                name="%(app_label)s_%(class)s_unique_text",
                violation_error_message=_("The checklist already has this criterion."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_given",
                violation_error_message=_("Write the criterion."),
            ),
        ]

    def __str__(self):
        return self.text


@pghistory.track()
class ChecklistResult(models.Model):
    """How a site visit found one criterion: ok, not ok, or not applicable."""

    class Result(models.TextChoices):
        OK = "ok", _("OK")
        NOT_OK = "not_ok", _("Not OK")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    site_visit = models.ForeignKey(
        SiteVisit,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("site visit"),
    )
    criterion = models.ForeignKey(
        ChecklistCriterion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion"),
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        constraints = [
            models.UniqueConstraint(
                fields=["site_visit", "criterion"],
                name="%(app_label)s_%(class)s_one_per_criterion",
                violation_error_message=_("The criterion is already checked."),
            ),
            models.CheckConstraint(
                condition=Q(result__in=["ok", "not_ok", "not_applicable"]),
                name="%(app_label)s_%(class)s_result_valid",
                violation_error_message=_("Choose OK, not OK or not applicable."),
            ),
            models.CheckConstraint(
                condition=~Q(result="not_ok") | ~Q(remark=""),
                name="%(app_label)s_%(class)s_not_ok_has_remark",
                violation_error_message=_("Write what is not OK."),
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.get_result_display()}"


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the municipality, the county's regional viewers, the owner."""
        if not user.is_authenticated:
            return self.none()
        if user.is_shop_owner:
            return self.filter(outlet__owners=user)
        return self.filter(user.records_scope("outlet__municipality"))

    def editable_by(self, user):
        """Activities are kept by those who log them: see `Outlet.recordable_by`."""
        return self.filter(outlet__in=Outlet.objects.recordable_by(user))


@pghistory.track()
class Activity(models.Model):
    """An activity held at a service point (Swedish: *aktivitet*), e.g. a coffee
    morning in the meeting corner or an evening on digital services."""

    outlet = models.ForeignKey(
        "outlets.Outlet",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("outlet"),
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(
        _("participants (about)"), null=True, blank=True
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title


class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff of the municipality, the county's regional viewers; shop owners
        the trainings their outlets took part in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_shop_owner:
            return self.filter(outlets__owners=user).distinct()
        return self.filter(user.records_scope())

    def editable_by(self, user):
        """The trainings of the municipality the user manages."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())


@pghistory.track()
class Training(models.Model):
    """A training of service-point staff (Swedish: *utbildning*)."""

    class Topic(models.TextChoices):
        HOSPITALITY = "hospitality", _("Hospitality")
        FORMS = "forms", _("The forms they handle")
        MARKETING = "marketing", _("Marketing")
        CRISIS = "crisis", _("Crisis preparedness")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="trainings",
        verbose_name=_("municipality"),
    )
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organiser = models.CharField(_("organiser"), max_length=200)
    outlets = models.ManyToManyField(
        "outlets.Outlet",
        blank=True,
        related_name="trainings",
        verbose_name=_("service points taking part"),
    )
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Names, one per line.")
    )
    participant_count = models.PositiveSmallIntegerField(
        _("number of participants"), validators=[MinValueValidator(1)]
    )

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(participant_count__gte=1),
                name="%(app_label)s_%(class)s_has_participants",
                violation_error_message=_("A training has at least one participant."),
            ),
            models.CheckConstraint(
                condition=Q(
                    topic__in=["hospitality", "forms", "marketing", "crisis", "other"]
                ),
                name="%(app_label)s_%(class)s_topic_valid",
                violation_error_message=_("Choose one of the topics."),
            ),
        ]

    def __str__(self):
        return self.title or self.get_topic_display()


class DailyRun(models.Model):
    """One day's run of the daily work (`run_daily`): who ran it, when, and how it
    ended; the unique day makes the work run once a day however many workers and
    cron lines there are (Swedish: *daglig körning*)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        JOB = "job", _("background job")
        COMMAND = "command", _("command")

    day = models.DateField(_("day"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    process = models.CharField(
        _("process"), max_length=200, help_text=_("Host and process id.")
    )
    job_id = models.BigIntegerField(_("job"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "done", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status of a daily run."),
            ),
        ]

    def __str__(self):
        return f"{self.day} ({self.get_status_display()})"
