from datetime import timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import F, Func, OuterRef, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agreements.payouts import agreement_year_dates
from agreements.terms import Term
from agreements.validators import validate_bankgiro, validate_plusgiro
from core.triggers import AllOf, AnyOf, Refuse, history_append_only
from outlets.models import Municipality, MunicipalitySettings, Outlet
from outlets.validators import organisation_number_formatted


class ProgrammeSettings(MunicipalitySettings):
    """A municipality's settings for its service-point programme."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="programme_settings",
        verbose_name=_("municipality"),
    )
    compensation_min = models.PositiveIntegerField(
        _("recommended lowest compensation (kr/year)"), default=30_000
    )
    compensation_max = models.PositiveIntegerField(
        _("recommended highest compensation (kr/year)"), default=50_000
    )
    minimum_services = models.PositiveSmallIntegerField(
        _("minimum number of services"), default=0
    )
    vat_rate_percent = models.PositiveSmallIntegerField(
        _("VAT rate (%)"), default=25, validators=[MaxValueValidator(100)]
    )
    accounting_code = models.CharField(
        _("accounting code (kontering)"), max_length=100, blank=True
    )

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_min__lte=F("compensation_max")),
                name="%(app_label)s_%(class)s_range_in_order",
                violation_error_message=_(
                    "The lowest compensation cannot exceed the highest."
                ),
            ),
        ]


class ProgrammeBudget(models.Model):
    """The programme's budget for a calendar year, set by administrators."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="programme_budgets",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.PositiveIntegerField(_("budget (kr)"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("programme budget")
        verbose_name_plural = _("programme budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"],
                name="%(app_label)s_%(class)s_one_per_year",
                violation_error_message=_("The year already has a budget."),
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}"


class DelegationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The municipality's delegation order, for the staff who work under it."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())

    def editable_by(self, user):
        """A municipality's administrators keep its delegation order."""
        if not user.is_authenticated or not user.is_administrator:
            return self.none()
        return self.filter(user.managed_scope())


@pghistory.track()
class Delegation(models.Model):
    """Who may sign agreements for the municipality, up to which compensation a
    year (Swedish: *delegationsordning*).

    Staff without a delegation of their own may sign within the recommended range;
    anything above their delegation, or outside the range, needs an administrator's
    approval before the agreement is made ready.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("municipality"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegation",
        verbose_name=_("user"),
    )
    max_annual_compensation = models.PositiveIntegerField(
        _("signs agreements up to (kr/year)")
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self):
        return f"{self.user} ≤ {self.max_annual_compensation} kr"


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The catalogue of the municipality whose agreements the user handles."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())

    def editable_by(self, user):
        """A municipality's administrators keep its catalogue."""
        if not user.is_authenticated or not user.is_administrator:
            return self.none()
        return self.filter(user.managed_scope())


class Service(models.Model):
    """A service in a municipality's catalogue (Swedish: *tjänst*)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    shop_commitment = models.TextField(_("what the shop commits to"), blank=True)
    municipality_provides = models.TextField(
        _("what the municipality provides"), blank=True
    )
    # What the public pages, the window sign and the open data say the service
    # point offers: the catalogue's name is the agreement's word, not the citizen's.
    public_description = models.CharField(
        _("for the public"),
        max_length=200,
        blank=True,
        help_text=_(
            "What a customer can do here, in everyday words, e.g. "
            '"Collect parcels from PostNord and DHL". Shown on the public pages; '
            "left empty, the service's name is shown."
        ),
    )
    default_annual_fee = models.PositiveIntegerField(
        _("default compensation per year (kr)"), default=0
    )
    is_active = models.BooleanField(_("offered"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "The catalogue already has a service with this name."
                ),
            ),
        ]

    def __str__(self):
        return self.name


# A clause's heading and text are bounded: the document stays a document.
CLAUSE_TITLE_MAX_LENGTH = 100
CLAUSE_TEXT_MAX_LENGTH = 5000


class AgreementClauseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The agreement text of the municipality whose agreements the user handles."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())

    def editable_by(self, user):
        """A municipality's administrators keep its agreement text."""
        if not user.is_authenticated or not user.is_administrator:
            return self.none()
        return self.filter(user.managed_scope())


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only()},
)
class AgreementClause(models.Model):
    """A clause of the municipality's agreement text (Swedish: *avtalsvillkor*).

    The clauses, in order, follow the terms of every agreement the municipality
    drafts. A version made ready for signature keeps the text it was frozen with
    (in its document snapshot); a later change of a clause changes new drafts only.
    """

    TITLE_MAX_LENGTH = CLAUSE_TITLE_MAX_LENGTH
    TEXT_MAX_LENGTH = CLAUSE_TEXT_MAX_LENGTH

    class Kind(models.TextChoices):
        TERMINATION = "termination", _("Termination for breach")
        INDEXATION = "indexation", _("Indexation")
        INSURANCE = "insurance", _("Insurance")
        PERSONAL_DATA = "personal_data", _("Personal data")
        DISPUTES = "disputes", _("Disputes")
        OWN = "own", _("The municipality's own clause")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="agreement_clauses",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(
        _("kind of clause"), max_length=20, choices=Kind.choices, default=Kind.OWN
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("heading"), max_length=TITLE_MAX_LENGTH)
    text = models.TextField(
        _("text"),
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_("Plain text: a blank line starts a new paragraph."),
    )

    objects = AgreementClauseQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agreement clause")
        verbose_name_plural = _("agreement clauses")
        constraints = [
            # Deferred, so that two clauses can swap places in one statement.
            models.UniqueConstraint(
                fields=["municipality", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                deferrable=models.Deferrable.DEFERRED,
                violation_error_message=_("Two clauses cannot have the same place."),
            ),
            models.UniqueConstraint(
                fields=["municipality", "kind"],
                condition=~Q(kind="own"),
                name="%(app_label)s_%(class)s_one_of_each_kind",
                violation_error_message=_(
                    "The agreement text has this clause already."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "termination",
                        "indexation",
                        "insurance",
                        "personal_data",
                        "disputes",
                        "own",
                    ]
                ),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Choose one of the kinds of clause."),
            ),
            models.CheckConstraint(
                condition=Q(title__regex=r"\S") & Q(text__regex=r"\S"),
                name="%(app_label)s_%(class)s_title_and_text_given",
                violation_error_message=_("A clause has a heading and a text."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), CLAUSE_TEXT_MAX_LENGTH),
                name="%(app_label)s_%(class)s_text_bounded",
                violation_error_message=_(
                    "A clause's text is at most 5 000 characters."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The clause in its place in the agreement text."""
        return f"{reverse('agreements:agreement_text')}#clause-{self.pk}"

    @property
    def is_own(self):
        """The municipality's own clause, which it may remove; the standard ones
        it rewords instead."""
        return self.kind == self.Kind.OWN


class PartyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The parties of the municipality whose agreements the user handles."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())

    def editable_by(self, user):
        return self.visible_to(user)


@pghistory.track(
    meta={
        "triggers": history_append_only(
            erasable=("email", "contact_name", "contact_phone")
        )
    }
)
class Party(models.Model):
    """The company or association that signs (Swedish: *avtalspart*).

    Kept apart from the outlet: when a shop changes owner, the new owner is a new
    party with a new agreement.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="parties",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(_("organisation number"), max_length=11)
    bankgiro = models.CharField(
        _("bankgiro"), max_length=9, blank=True, validators=[validate_bankgiro]
    )
    plusgiro = models.CharField(
        _("plusgiro"), max_length=9, blank=True, validators=[validate_plusgiro]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_title = models.CharField(_("signatory's title"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=30, blank=True)
    supplier_number = models.CharField(
        _("supplier number in the finance system"), max_length=30, blank=True
    )
    # The bank details above are those payouts go to once a second person has
    # confirmed them (Swedish: *attest av betalningsmottagare*). Who entered them
    # may not approve the party's payouts; a change waits in the pending fields.
    bank_details_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bank details entered by"),
    )
    bank_details_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bank details confirmed by"),
    )
    bank_details_confirmed_at = models.DateTimeField(
        _("bank details confirmed"), null=True, blank=True
    )
    pending_bankgiro = models.CharField(
        _("new bankgiro, to be confirmed"),
        max_length=9,
        blank=True,
        validators=[validate_bankgiro],
    )
    pending_plusgiro = models.CharField(
        _("new plusgiro, to be confirmed"),
        max_length=9,
        blank=True,
        validators=[validate_plusgiro],
    )
    pending_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new bank details entered by"),
    )
    pending_entered_at = models.DateTimeField(
        _("new bank details entered"), null=True, blank=True
    )

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=~Q(bankgiro="", plusgiro=""),
                name="%(app_label)s_%(class)s_has_payment_account",
                violation_error_message=_("Give a bankgiro or a plusgiro number."),
            ),
            models.CheckConstraint(
                condition=Q(
                    pending_entered_by__isnull=True,
                    pending_bankgiro="",
                    pending_plusgiro="",
                )
                | (
                    Q(pending_entered_by__isnull=False)
                    & ~Q(pending_bankgiro="", pending_plusgiro="")
                ),
                name="%(app_label)s_%(class)s_pending_has_author",
                violation_error_message=_(
                    "New bank details have a bankgiro or plusgiro number and "
                    "record who entered them."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def has_pending_bank_details(self):
        return self.pending_entered_by_id is not None

    @property
    def bank_details_confirmed(self):
        """Payouts may go to the party: its details are confirmed, none waiting."""
        return (
            self.bank_details_confirmed_at is not None
            and not self.has_pending_bank_details
        )

    def clean(self):
        if self.organisation_number:
            try:
                self.organisation_number = organisation_number_formatted(
                    self.organisation_number
                )
            except ValidationError as error:
                raise ValidationError({"organisation_number": error}) from None


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own municipality staff, the county's regional viewers, the outlet's owner."""
        if not user.is_authenticated:
            return self.none()
        scope = user.records_scope()
        if not scope:
            return self
        # The owner's outlets as a subquery: a join through the owners would read
        # every agreement of the country (and need DISTINCT) to find one
        # municipality's.
        return self.filter(scope | Q(outlet__in=user.outlets.values("pk")))

    def editable_by(self, user):
        """The agreements of the municipality the user manages."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user.managed_scope())

    def signable_by(self, user, side):
        """The agreements the user signs for one side: the municipality's by those
        who edit them, the service point's by the outlet's own shop owner, who signs
        without editing."""
        if side == Signature.Side.MUNICIPALITY:
            return self.editable_by(user)
        if (
            side == Signature.Side.PARTY
            and user.is_authenticated
            and user.is_shop_owner
        ):
            return self.filter(outlet__owners=user)
        return self.none()

    def signed(self):
        return self.filter(signed_on__isnull=False)

    def in_force(self, on=None):
        """Signed agreements whose term covers the day (today by default)."""
        on = on or timezone.localdate()
        return self.signed().filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only()},
)
class Agreement(models.Model):
    """A service agreement with an outlet (Swedish: *uppdragsavtal*).

    Its terms live in versions: the first, then one per amendment. The agreement itself
    holds who and what it is about, its lifecycle, and the dates the database needs to
    keep one agreement in force per outlet. Agreements are public records: never
    deleted, only ended.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready for signature")
        SIGNED = "signed", _("Signed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class NoticeBy(models.TextChoices):
        MUNICIPALITY = "municipality", _("The municipality")
        PARTY = "party", _("The service point")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("municipality"),
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("outlet"),
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("contracting party"),
    )
    # Given when the agreement is made ready for signature, from a gapless sequence
    # per municipality and year; a draft has none, so a deleted draft leaves no gap.
    reference = models.CharField(_("reference"), max_length=30, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    # Copied from the first version's term when it is signed; the exclusion
    # constraint below needs them on this row.
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(
        _("ends"),
        null=True,
        blank=True,
        help_text=_("Known once notice is given, or for a fixed term."),
    )
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True)
    notice_given_by = models.CharField(
        _("notice given by"), max_length=20, choices=NoticeBy.choices, blank=True
    )
    notice_reason = models.TextField(_("reason for the notice"), blank=True)
    notice_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice recorded by"),
    )
    # Why the agreement ended before its term: a change of owner, or a renewal that
    # took over. Notice has fields of its own above.
    early_end_reason = models.TextField(_("why the agreement ended early"), blank=True)
    # One renewal per agreement, not counting a withdrawn one (see the constraint
    # below): a renewal the shop would not sign leaves the agreement renewable.
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("replaces"),
    )
    # A draft or an agreement ready for signature that will not be signed: it stays,
    # with its frozen document, as a record of what was offered.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_reason = models.TextField(
        _("why the agreement was withdrawn"), blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Who drafted it: under the attestation rules they may not approve its payouts.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drafted by"),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "reference"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "ready", "signed", "withdrawn"]),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message=_("Choose one of the agreement states."),
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="%(app_label)s_%(class)s_reference_unique",
                violation_error_message=_(
                    "Another agreement already has this reference number."
                ),
            ),
            models.UniqueConstraint(
                fields=["replaces"],
                condition=~Q(state="withdrawn"),
                name="%(app_label)s_%(class)s_one_renewal",
                violation_error_message=_("The agreement already has a renewal."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "withdrawn"], reference="")
                | (~Q(state="draft") & ~Q(reference="")),
                name="%(app_label)s_%(class)s_reference_once_ready",
                violation_error_message=_(
                    "An agreement gets its reference number when it is made ready "
                    "for signature, not before."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(
                    state="withdrawn",
                    withdrawn_at__isnull=False,
                    withdrawn_by__isnull=False,
                    signed_on__isnull=True,
                )
                & ~Q(withdrawn_reason="")
                | ~Q(state="withdrawn")
                & Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                & Q(withdrawn_reason=""),
                name="%(app_label)s_%(class)s_withdrawn_has_reason",
                violation_error_message=_(
                    "A withdrawn agreement is unsigned and records why, by whom "
                    "and when it was withdrawn."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(state="signed")
                | Q(signed_on__isnull=False, starts_on__isnull=False),
                name="%(app_label)s_%(class)s_signed_has_dates",
                violation_error_message=_(
                    "A signed agreement has a signing date and a start date."
                ),
            ),
            # One agreement in force per outlet at any time. The embedded PostgreSQL
            # has no btree_gist, so the outlet's id is compared as a one-point range.
            ExclusionConstraint(
                name="%(app_label)s_%(class)s_one_in_force_per_outlet",
                expressions=[
                    (
                        # F("outlet"), not F("outlet_id"): full_clean() substitutes
                        # the instance's values by field name when it validates.
                        Func(
                            F("outlet"),
                            F("outlet"),
                            Value("[]"),
                            function="int8range",
                        ),
                        RangeOperators.EQUAL,
                    ),
                    (
                        Func(
                            F("starts_on"),
                            F("ends_on"),
                            Value("[]"),
                            function="daterange",
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(state="signed"),
                violation_error_message=_(
                    "The outlet already has an agreement in force during this term."
                ),
            ),
        ]

    def __str__(self):
        return self.reference_display

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", kwargs={"pk": self.pk})

    @property
    def reference_display(self):
        """The reference number, or "Draft" for a draft, which has none yet."""
        return self.reference or str(_("Draft"))

    @property
    def replaced_by(self):
        """The renewal that replaces this agreement, or None; a withdrawn renewal
        stays in `renewals` as a record but replaces nothing. Reads prefetched
        `renewals`."""
        return next(
            (
                renewal
                for renewal in self.renewals.all()
                if renewal.state != self.State.WITHDRAWN
            ),
            None,
        )

    def first_version(self):
        return min(
            self.versions.all(), key=lambda version: version.number, default=None
        )

    def version_on(self, day):
        """The terms in force on `day`: the latest signed version effective then."""
        versions = [
            version
            for version in self.versions.all()
            if version.signed_at and version.effective_on <= day
        ]
        return max(versions, key=lambda version: version.number, default=None)

    def version_in_force(self, day=None):
        """The signed terms that count on `day` (today by default): before the
        agreement starts its first terms, after it ends its last; None for an
        agreement never signed. An amendment not yet signed by both never counts."""
        if self.state != self.State.SIGNED:
            return None
        day = max(day or timezone.localdate(), self.starts_on)
        if self.ends_on and day > self.ends_on:
            day = self.ends_on
        return self.version_on(day)

    def status_on(self, day=None):
        """Draft, ready, signed (not yet started), in force, under notice, or ended.

        Follows from the dates and recorded events; no job has to run.
        """
        day = day or timezone.localdate()
        if self.state != self.State.SIGNED:
            return self.state
        if day < self.starts_on:
            return "signed"
        if self.ends_on and day > self.ends_on:
            return "ended"
        if self.notice_given_on:
            return "notice_given"
        return "in_force"


class AgreementPartQuerySet(models.QuerySet):
    """Versions and payouts are scoped through their agreement."""

    def visible_to(self, user):
        return self.filter(agreement__in=Agreement.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(agreement__in=Agreement.objects.editable_by(user))


class AgreementVersionQuerySet(AgreementPartQuerySet):
    def terms_on(self, day):
        """In a subquery of agreements: the outer agreement's terms in force on
        `day` (a date or an expression) first, as `Agreement.version_on` picks
        them in Python: its signed versions effective by then, the latest first."""
        return self.filter(
            agreement=OuterRef("pk"), signed_at__isnull=False, effective_on__lte=day
        ).order_by("-number")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only()},
)
class AgreementVersion(models.Model):
    """One version of an agreement's terms: the first, or an amendment (*tillägg*)."""

    class PayoutFrequency(models.IntegerChoices):
        YEARLY = 12, _("Yearly")
        HALF_YEARLY = 6, _("Half-yearly")
        QUARTERLY = 3, _("Quarterly")
        MONTHLY = 1, _("Monthly")

    class PayoutTiming(models.TextChoices):
        ADVANCE = "advance", _("In advance")
        ARREARS = "arrears", _("In arrears")

    class PayoutConditionYear(models.TextChoices):
        """Which agreement year's follow-up (or yearly report) a payout waits for."""

        PREVIOUS = (
            "previous",
            _(
                "The previous agreement year (the first year's payouts wait for "
                "nothing)"
            ),
        )
        # The rule of every version made before December 2026, kept as signed.
        # Payouts in advance fall due before their own year is followed up, so
        # they wait for the previous year under this choice too.
        COVERED = (
            "covered",
            _("The agreement year the payout covers, if paid in arrears"),
        )

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("agreement"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    effective_on = models.DateField(_("effective from"))
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)

    decision_registration_number = models.CharField(
        _("registration number (diarienummer)"), max_length=50
    )
    decision_body = models.CharField(_("deciding body"), max_length=200)
    decision_date = models.DateField(_("decision date"))
    decision_paragraph = models.CharField(_("paragraph (§)"), max_length=20, blank=True)

    space = models.TextField(_("space the shop makes available"), blank=True)
    annual_compensation = models.PositiveIntegerField(
        _("annual compensation (kr, excl. VAT)"),
        help_text=_("The sum of the services' fees unless set otherwise."),
    )
    compensation_justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Required when the compensation is outside the recommended range."),
    )
    vat_rate_percent = models.PositiveSmallIntegerField(
        _("VAT rate (%)"), default=25, validators=[MaxValueValidator(100)]
    )
    # An administrator's approval of a compensation outside the recommended range or
    # above the drafter's delegation; it holds for the amount approved only.
    compensation_approved_amount = models.PositiveIntegerField(
        _("compensation approved (kr/year)"), null=True, blank=True
    )
    compensation_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compensation approved by"),
    )
    compensation_approved_at = models.DateTimeField(
        _("compensation approved"), null=True, blank=True
    )

    payout_frequency_months = models.PositiveSmallIntegerField(
        _("payouts"), choices=PayoutFrequency.choices, default=PayoutFrequency.YEARLY
    )
    payout_timing = models.CharField(
        _("paid"),
        max_length=10,
        choices=PayoutTiming.choices,
        default=PayoutTiming.ARREARS,
    )
    payment_days = models.PositiveSmallIntegerField(_("days to pay"), default=30)
    payout_requires_followup = models.BooleanField(
        _("payout requires the year's follow-up to be completed"), default=True
    )
    payout_requires_report = models.BooleanField(
        _("payout requires the shop's yearly report"), default=False
    )
    payout_condition_year = models.CharField(
        _("the condition concerns"),
        max_length=10,
        choices=PayoutConditionYear.choices,
        default=PayoutConditionYear.PREVIOUS,
        help_text=_(
            "Which agreement year's follow-up or yearly report a payout waits for. "
            "The previous year suits payouts during the year: a half-yearly payout is "
            "not held until the follow-up at the year's end, and the first year's "
            "payouts wait for nothing. The year the payout covers holds each payout "
            "until its own year is followed up; it applies to payouts in arrears only."
        ),
    )

    starts_on = models.DateField(_("start date"))
    initial_term_months = models.PositiveSmallIntegerField(
        _("initial term (months)"), default=36, validators=[MinValueValidator(1)]
    )
    extension_months = models.PositiveSmallIntegerField(
        _("extension (months)"),
        default=12,
        null=True,
        blank=True,
        help_text=_("Empty for a fixed term that simply ends."),
    )
    notice_period_months = models.PositiveSmallIntegerField(
        _("notice period (months)"), default=3
    )
    decision_lead_days = models.PositiveSmallIntegerField(
        _("lead time for the municipality's decision (days)"), default=30
    )

    # Frozen when the version is made ready for signature: what the document says of
    # the party, the outlet, the municipality and the services, so that later edits
    # of those rows leave the document both sides sign, and its final form, alone.
    document_snapshot = models.JSONField(
        _("document contents as frozen"), default=dict, blank=True, editable=False
    )
    document = models.FileField(
        _("document"), upload_to="agreements/", blank=True, editable=False
    )
    document_sha256 = models.CharField(
        _("document checksum (SHA-256)"), max_length=64, blank=True, editable=False
    )
    # Rendered once when both sides have signed: the frozen content with the
    # signatures filled in, then sealed with the deployment's certificate if any.
    signed_document = models.FileField(
        _("signed document"), upload_to="agreements/", blank=True, editable=False
    )
    signed_document_sha256 = models.CharField(
        _("signed document checksum (SHA-256)"),
        max_length=64,
        blank=True,
        editable=False,
    )
    is_sealed = models.BooleanField(_("sealed"), default=False, editable=False)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    # An amendment ready for signature that will not be signed: it stays, with its
    # frozen document, as a record of what was offered.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(
        _("why the amendment was withdrawn"), blank=True
    )

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"],
                name="%(app_label)s_%(class)s_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(annual_compensation__gt=0),
                name="%(app_label)s_%(class)s_compensation_positive",
                violation_error_message=_("The compensation must be more than 0 kr."),
            ),
            models.CheckConstraint(
                condition=Q(payout_frequency_months__in=[1, 3, 6, 12]),
                name="%(app_label)s_%(class)s_frequency_valid",
                violation_error_message=_("Choose one of the payout frequencies."),
            ),
            models.CheckConstraint(
                condition=Q(initial_term_months__gte=1)
                & (Q(extension_months__isnull=True) | Q(extension_months__gte=1)),
                name="%(app_label)s_%(class)s_term_positive",
                violation_error_message=_("Terms are at least one month long."),
            ),
            models.CheckConstraint(
                condition=Q(payout_condition_year__in=["previous", "covered"]),
                name="%(app_label)s_%(class)s_condition_year_valid",
                violation_error_message=_(
                    "Choose which agreement year the payout condition concerns."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    withdrawn_at__isnull=True,
                    withdrawn_by__isnull=True,
                    withdrawal_reason="",
                )
                | Q(
                    withdrawn_at__isnull=False,
                    withdrawn_by__isnull=False,
                    signed_at__isnull=True,
                    number__gt=1,
                )
                & ~Q(withdrawal_reason="")
                & ~Q(document_sha256=""),
                name="%(app_label)s_%(class)s_withdrawn_has_reason",
                violation_error_message=_(
                    "A withdrawn amendment was ready for signature, is unsigned, and "
                    "records why, by whom and when it was withdrawn."
                ),
            ),
        ]
        # What both sides sign cannot change: once frozen only the signing may
        # set the time of signing, and once signed nothing changes but the one
        # filling-in of the signed document, which a background job renders and
        # seals after the signing (agreements.services.signed_documents): from no
        # hash to a hash, with the file and whether it is sealed, nothing else.
        triggers = [
            Refuse(
                name="signed_unchanged",
                operation=pgtrigger.Update,
                condition=AllOf(
                    pgtrigger.Condition("OLD.signed_at IS NOT NULL"),
                    AnyOf(
                        pgtrigger.Condition(
                            "NOT (OLD.signed_document_sha256 = '' "
                            "AND NEW.signed_document_sha256 <> '' "
                            "AND NEW.signed_document <> '')"
                        ),
                        pgtrigger.AnyChange(
                            exclude=[
                                "signed_document",
                                "signed_document_sha256",
                                "is_sealed",
                            ]
                        ),
                    ),
                ),
                message="A signed agreement version cannot be changed or deleted.",
            ),
            Refuse(
                name="signed_kept",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition("OLD.signed_at IS NOT NULL"),
                message="A signed agreement version cannot be changed or deleted.",
            ),
            Refuse(
                name="frozen_unchanged",
                operation=pgtrigger.Update,
                condition=AllOf(
                    pgtrigger.Condition(
                        "OLD.document_sha256 <> '' AND OLD.signed_at IS NULL"
                    ),
                    pgtrigger.AnyChange(
                        exclude=[
                            "signed_document",
                            "signed_document_sha256",
                            "is_sealed",
                            "signed_at",
                            "withdrawn_at",
                            "withdrawn_by",
                            "withdrawal_reason",
                        ]
                    ),
                ),
                message=(
                    "An agreement version ready for signature cannot be changed, "
                    "only signed or withdrawn."
                ),
            ),
            # A frozen version is withdrawn once, from not withdrawn, and a
            # withdrawn one is never signed: its document stays as offered.
            Refuse(
                name="withdrawn_once",
                operation=pgtrigger.Update,
                condition=AllOf(
                    pgtrigger.Condition("OLD.withdrawn_at IS NOT NULL"),
                    pgtrigger.AnyChange(),
                ),
                message="A withdrawn agreement version cannot be changed.",
            ),
            Refuse(
                name="frozen_kept",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Condition(
                    "OLD.document_sha256 <> '' AND OLD.signed_at IS NULL"
                ),
                message="An agreement version ready for signature cannot be deleted.",
            ),
        ]

    def __str__(self):
        return f"{self.agreement} v{self.number}"

    @property
    def term(self):
        return Term(
            starts_on=self.starts_on,
            initial_term_months=self.initial_term_months,
            extension_months=self.extension_months,
            notice_period_months=self.notice_period_months,
            decision_lead_days=self.decision_lead_days,
        )

    @property
    def amendment_number(self) -> int | None:
        """Version 2 is the first amendment; version 1 is the agreement itself."""
        return self.number - 1 if self.number > 1 else None

    @property
    def name(self) -> str:
        """What the version is called everywhere: "Avtal", "Tillägg 1", "Tillägg 2"."""
        if self.amendment_number is None:
            return gettext("Agreement")
        return gettext("Amendment %(number)s") % {"number": self.amendment_number}

    @property
    def document_title(self) -> str:
        """The document as the service point is asked to sign it: "Avtal
        SP-2401-2026-004", "Tillägg 1 till avtal …", "Förnyat avtal …"."""
        names = {
            "number": self.amendment_number,
            "reference": self.agreement.reference_display,
        }
        if self.amendment_number is not None:
            return gettext("Amendment %(number)s to agreement %(reference)s") % names
        if self.agreement.replaces_id:
            return gettext("Renewed agreement %(reference)s") % names
        return gettext("Agreement %(reference)s") % names

    @property
    def decision_paragraph_display(self) -> str:
        """The decision's paragraph as "§ 145", typed "145", "§145" or "§ 145"."""
        paragraph = self.decision_paragraph.strip().lstrip("§").strip()
        return f"§ {paragraph}" if paragraph else ""

    @property
    def is_frozen(self):
        return bool(self.document_sha256)

    @property
    def payout_waits_for_previous_year(self) -> bool:
        """Payouts wait for the previous agreement year's follow-up or report (the
        first year's for nothing), not for the year they cover: the version's
        choice, and always when paid in advance."""
        return (
            self.payout_condition_year == self.PayoutConditionYear.PREVIOUS
            or self.payout_timing == self.PayoutTiming.ADVANCE
        )

    @property
    def vat_amount(self):
        return round(self.annual_compensation * self.vat_rate_percent / 100)

    @property
    def compensation_approved(self):
        """An administrator approved this very amount."""
        return (
            self.compensation_approved_by_id is not None
            and self.compensation_approved_amount == self.annual_compensation
        )

    @property
    def annual_compensation_with_vat(self):
        return self.annual_compensation + self.vat_amount

    def clean(self):
        if self.annual_compensation and self.agreement_id:
            programme = ProgrammeSettings.for_municipality(self.agreement.municipality)
            outside = not (
                programme.compensation_min
                <= self.annual_compensation
                <= programme.compensation_max
            )
            if outside and not self.compensation_justification.strip():
                raise ValidationError(
                    {
                        "compensation_justification": ValidationError(
                            _(
                                "The compensation is outside the recommended "
                                "%(low)s–%(high)s kr a year: write why."
                            ),
                            code="justification_required",
                            params={
                                "low": programme.compensation_min,
                                "high": programme.compensation_max,
                            },
                        )
                    }
                )


class SignedDocumentJob(models.Model):
    """The background job that renders and seals a signed version's final
    document (Swedish: *framtagning av det undertecknade dokumentet*): its state,
    since the signed version itself cannot be written but for the document."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    version = models.OneToOneField(
        AgreementVersion,
        on_delete=models.CASCADE,
        related_name="document_job",
        verbose_name=_("agreement version"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("why it failed"), blank=True)
    job_id = models.BigIntegerField(_("background job"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed document job")
        verbose_name_plural = _("signed document jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Choose one of the job's states."),
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="%(app_label)s_%(class)s_failure_says_why",
                violation_error_message=_("A failed document job says why."),
            ),
        ]

    def __str__(self):
        return f"{self.version}: {self.status}"

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


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only()},
)
class AgreementService(models.Model):
    """A service an agreement version includes, with its fee and commitments."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("agreement version"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    annual_fee = models.PositiveIntegerField(_("compensation per year (kr)"))
    commitments = models.TextField(
        _("specific commitments"),
        blank=True,
        help_text=_("E.g. the meeting place's opening hours, activities per year."),
    )

    class Meta:
        ordering = ["service__name"]
        verbose_name = _("agreed service")
        verbose_name_plural = _("agreed services")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "service"],
                name="%(app_label)s_%(class)s_unique_service",
                violation_error_message=_("The service is already in the agreement."),
            ),
        ]
        # A version's services are part of what both sides sign.
        triggers = [
            Refuse(
                name="frozen_services_kept",
                operation=pgtrigger.Update | pgtrigger.Delete,
                if_sql=(
                    "EXISTS (SELECT FROM agreements_agreementversion"
                    " WHERE id = OLD.version_id AND document_sha256 <> '')"
                ),
                message=(
                    "The services of an agreement version ready for signature or "
                    "signed cannot be changed or deleted."
                ),
            ),
            Refuse(
                name="frozen_services_closed",
                operation=pgtrigger.Insert,
                if_sql=(
                    "EXISTS (SELECT FROM agreements_agreementversion"
                    " WHERE id = NEW.version_id AND document_sha256 <> '')"
                ),
                message=(
                    "A service cannot be added to an agreement version ready for "
                    "signature or signed."
                ),
            ),
        ]

    def __str__(self):
        return str(self.service)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    meta={"triggers": history_append_only()},
)
class Signature(models.Model):
    """One party's signature on a frozen version, in the app or on paper."""

    class Side(models.TextChoices):
        MUNICIPALITY = "municipality", _("The municipality")
        PARTY = "party", _("The service point")

    class Method(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        PAPER = "paper", _("On paper")

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("agreement version"),
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    signed_by_name = models.CharField(_("name"), max_length=200)
    signed_by_title = models.CharField(_("title"), max_length=100)
    signed_at = models.DateTimeField(_("signed"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    paper_scan = models.FileField(
        _("scan of the signed paper"), upload_to="signatures/", blank=True
    )

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "side"],
                name="%(app_label)s_%(class)s_one_per_side",
                violation_error_message=_("This side has already signed."),
            ),
        ]
        triggers = [
            Refuse(
                name="signature_unchanged",
                operation=pgtrigger.Update | pgtrigger.Delete,
                message="A signature cannot be changed or deleted.",
            ),
            Refuse(
                name="withdrawn_version_unsigned",
                operation=pgtrigger.Insert,
                if_sql=(
                    "EXISTS (SELECT FROM agreements_agreementversion"
                    " WHERE id = NEW.version_id AND withdrawn_at IS NOT NULL)"
                ),
                message="A withdrawn agreement version cannot be signed.",
            ),
        ]

    def __str__(self):
        return f"{self.signed_by_name} ({self.get_side_display()})"


class PayoutQuerySet(AgreementPartQuerySet):
    def payable(self):
        """Payouts still to be paid: planned or approved, neither withheld nor
        cancelled."""
        return self.filter(status__in=Payout.PAYABLE)

    def due_within(self, days, on=None):
        on = on or timezone.localdate()
        return self.payable().filter(due_on__range=(on, on + timedelta(days=days)))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"triggers": history_append_only()},
)
class Payout(models.Model):
    """A payment to the party for a part of an agreement year (*utbetalning*)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        WITHHELD = "withheld", _("Withheld")
        CANCELLED = "cancelled", pgettext_lazy("payout", "Cancelled")

    # Still to be paid; every other status is final or on hold.
    PAYABLE = (Status.PLANNED, Status.APPROVED)

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("agreement"),
    )
    agreement_year = models.PositiveSmallIntegerField(
        _("agreement year"), help_text=_("1 for the first year of the agreement.")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due"))
    amount = models.PositiveIntegerField(_("amount (kr, excl. VAT)"))
    vat_amount = models.PositiveIntegerField(_("VAT (kr)"))
    # The agreement year whose follow-up and/or yearly report must be done first;
    # None: no condition. The follow-up app records when they are.
    condition_year = models.PositiveSmallIntegerField(
        _("waits for agreement year"), null=True, blank=True
    )
    requires_followup = models.BooleanField(_("waits for the follow-up"), default=False)
    followup_complete = models.BooleanField(_("follow-up completed"), default=False)
    requires_report = models.BooleanField(
        _("waits for the yearly report"), default=False
    )
    report_received = models.BooleanField(_("yearly report received"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    withheld_reason = models.TextField(_("reason for withholding"), blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        # The payout list shows the open payouts (neither paid nor cancelled) of a
        # municipality's agreements: found by agreement among the open ones, while
        # the paid ones pile up year after year.
        indexes = [
            models.Index(
                fields=["agreement", "due_on"],
                condition=~Q(status__in=["paid", "cancelled"]),
                name="agreements_payout_open",
            )
        ]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            # A cancelled payout's period may be planned again: cut short by an
            # early end, or under an amendment's terms.
            models.UniqueConstraint(
                fields=["agreement", "period_start"],
                condition=~Q(status="cancelled"),
                name="%(app_label)s_%(class)s_one_per_period",
                violation_error_message=_(
                    "The agreement already has a payout for this period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("A payout is more than 0 kr."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(app_label)s_%(class)s_period_in_order",
                violation_error_message=_("A period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["planned", "approved", "paid", "withheld", "cancelled"]
                ),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Choose one of the payout statuses."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_reason=""),
                name="%(app_label)s_%(class)s_cancelled_with_reason",
                violation_error_message=_("Write why the payout is cancelled."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"])
                | (
                    (Q(requires_followup=False) | Q(followup_complete=True))
                    & (Q(requires_report=False) | Q(report_received=True))
                ),
                name="%(app_label)s_%(class)s_condition_before_approval",
                violation_error_message=_(
                    "A payout whose condition does not hold cannot be approved."
                ),
            ),
        ]
        # A payout goes planned -> approved, withheld or cancelled; approved ->
        # paid, withheld or cancelled; withheld -> planned (released) or
        # cancelled; paid and cancelled are final. No payout is
        # ever deleted: one that is not to be paid is cancelled (*makulerad*), and
        # money paid for days after an early end is claimed back by a
        # PayoutRecovery, not by changing the paid row.
        triggers = [
            Refuse(
                name="paid_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition("OLD.status = 'paid'"),
                message="A paid payout cannot be changed.",
            ),
            Refuse(
                name="cancelled_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition("OLD.status = 'cancelled'"),
                message="A cancelled payout cannot be changed.",
            ),
            Refuse(
                name="status_transition",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.status NOT IN ('paid', 'cancelled') "
                    "AND (OLD.status, NEW.status) NOT IN ("
                    "('planned', 'planned'), ('planned', 'approved'), "
                    "('planned', 'withheld'), ('planned', 'cancelled'), "
                    "('approved', 'paid'), ('approved', 'withheld'), "
                    "('approved', 'cancelled'), ('withheld', 'withheld'), "
                    "('withheld', 'planned'), ('withheld', 'cancelled'))"
                ),
                message=(
                    "A payout goes from planned to approved, withheld or cancelled, "
                    "from approved to paid, withheld or cancelled, and from withheld "
                    "to planned (released) or cancelled: this change of status is "
                    "refused."
                ),
            ),
            Refuse(
                name="approved_amount_kept",
                operation=pgtrigger.Update,
                condition=AllOf(
                    pgtrigger.Condition("OLD.status = 'approved'"),
                    pgtrigger.AnyChange(
                        "agreement",
                        "agreement_year",
                        "period_start",
                        "period_end",
                        "due_on",
                        "amount",
                        "vat_amount",
                    ),
                ),
                message=(
                    "An approved payout's amount, period and due date cannot change."
                ),
            ),
            Refuse(
                name="never_deleted",
                operation=pgtrigger.Delete,
                message="A payout is never deleted: cancel it instead.",
            ),
        ]

    def __str__(self):
        return f"{self.agreement} {self.period_start}–{self.period_end}"

    @property
    def total(self):
        return self.amount + self.vat_amount

    @property
    def awaits_followup(self):
        return self.requires_followup and not self.followup_complete

    @property
    def awaits_report(self):
        return self.requires_report and not self.report_received

    @property
    def condition_holds(self):
        return not (self.awaits_followup or self.awaits_report)

    @property
    def condition_display(self) -> str:
        """What holds the payout back, in words, for every page that lists payouts:
        "Väntar på uppföljningen av avtalsår 1 (2026)", "Inga villkor", …"""
        if not self.condition_year or not (
            self.requires_followup or self.requires_report
        ):
            return gettext("No conditions")
        names = {
            "year": self.condition_year,
            "calendar": self.condition_year_calendar,
        }
        if self.awaits_followup and self.awaits_report:
            text = gettext(
                "Waits for the follow-up and the yearly report of agreement year "
                "%(year)s (%(calendar)s)"
            )
        elif self.awaits_followup:
            text = gettext(
                "Waits for the follow-up of agreement year %(year)s (%(calendar)s)"
            )
        elif self.awaits_report:
            text = gettext(
                "Waits for the yearly report of agreement year %(year)s (%(calendar)s)"
            )
        elif self.requires_followup and self.requires_report:
            text = gettext(
                "Conditions met: the follow-up and the yearly report of agreement "
                "year %(year)s (%(calendar)s)"
            )
        elif self.requires_followup:
            text = gettext(
                "Condition met: the follow-up of agreement year %(year)s "
                "(%(calendar)s) is completed"
            )
        else:
            text = gettext(
                "Condition met: the yearly report of agreement year %(year)s "
                "(%(calendar)s) is received"
            )
        return text % names

    @property
    def condition_year_calendar(self) -> str:
        """The calendar year(s) of the agreement year the payout waits for: "2026",
        or "2026/2027" for an agreement year that starts after 1 January."""
        if not self.condition_year:
            return ""
        first, last = agreement_year_dates(
            self.agreement.starts_on, self.condition_year
        )
        if first.year == last.year:
            return str(first.year)
        return f"{first.year}/{last.year}"


class PayoutRecoveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(payout__agreement__in=Agreement.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(payout__agreement__in=Agreement.objects.editable_by(user))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    meta={"triggers": history_append_only()},
)
class PayoutRecovery(models.Model):
    """Money paid in advance for days after an agreement's early end, claimed back
    from the party (Swedish: *återkrav*). The paid payout itself never changes."""

    payout = models.ForeignKey(
        Payout,
        on_delete=models.PROTECT,
        related_name="recoveries",
        verbose_name=_("payout"),
    )
    period_start = models.DateField(_("claimed back from"))
    period_end = models.DateField(_("claimed back to"))
    amount = models.PositiveIntegerField(_("amount (kr, excl. VAT)"))
    vat_amount = models.PositiveIntegerField(_("VAT (kr)"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PayoutRecoveryQuerySet.as_manager()

    class Meta:
        ordering = ["period_start", "pk"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [
            models.UniqueConstraint(
                fields=["payout"],
                name="%(app_label)s_%(class)s_one_per_payout",
                violation_error_message=_("The payout already has a recovery."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("A recovery is more than 0 kr."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(app_label)s_%(class)s_period_in_order",
                violation_error_message=_("A period cannot end before it starts."),
            ),
        ]
        triggers = [
            Refuse(
                name="recovery_unchanged",
                operation=pgtrigger.Update | pgtrigger.Delete,
                message="A recovery cannot be changed or deleted.",
            ),
        ]

    def __str__(self):
        return f"{self.payout} ({self.amount} kr)"

    @property
    def total(self):
        return self.amount + self.vat_amount
