from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outlets.models import Municipality, MunicipalitySettings
from outlets.validators import phone_number_validator

RESPONSE_DAYS_MESSAGE = _("Give the response time as 1 to 60 working days.")
WEBSITE_MESSAGE = _(
    "Give the full address of the website, starting with https://, "
    "e.g. https://www.nordmaling.se/."
)
FUNCTIONAL_ADDRESS = _(
    "A functional address that stays when people change jobs, such as "
    "servicepunkter@kommun.se; not a person's own."
)


class StatementSettings(MunicipalitySettings):
    """A municipality's public contacts for the accessibility statement and the
    privacy notice (Swedish: *kontaktuppgifter i tillgänglighetsredogörelsen och
    integritetsmeddelandet*): the municipality's functional addresses, shown as
    text on its versions of both pages."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="statement_settings",
        verbose_name=_("municipality"),
    )
    website_url = models.URLField(
        _("the municipality's website"),
        blank=True,
        validators=[
            URLValidator(schemes=["http", "https"], message=WEBSITE_MESSAGE),
        ],
    )
    programme_email = models.EmailField(
        _("e-mail address of the service-point programme"),
        blank=True,
        help_text=FUNCTIONAL_ADDRESS,
    )
    programme_phone = models.CharField(
        _("phone number of the service-point programme"),
        max_length=30,
        blank=True,
        validators=[phone_number_validator],
        help_text=_("The municipality's switchboard or the programme's own number."),
    )
    accessibility_email = models.EmailField(
        _("e-mail address for accessibility feedback"),
        blank=True,
        help_text=_(
            "Where people report shortcomings in the service's accessibility and ask "
            "for content in another form. Left empty: the programme's address."
        ),
    )
    accessibility_response_days = models.PositiveSmallIntegerField(
        _("response time for accessibility feedback (working days)"),
        default=10,
        validators=[
            MinValueValidator(1, message=RESPONSE_DAYS_MESSAGE),
            MaxValueValidator(60, message=RESPONSE_DAYS_MESSAGE),
        ],
    )
    data_protection_officer_email = models.EmailField(
        _("e-mail address of the data protection officer"),
        blank=True,
        help_text=_("The municipality's data protection officer (dataskyddsombud)."),
    )
    registrar_email = models.EmailField(
        _("e-mail address of the registrar"),
        blank=True,
        help_text=_(
            "Where requests such as a register extract are sent (registrator or "
            "kommunstyrelsens e-postadress). Left empty: the programme's address."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contacts for the statements")
        verbose_name_plural = _("contacts for the statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    accessibility_response_days__gte=1,
                    accessibility_response_days__lte=60,
                ),
                name="%(app_label)s_%(class)s_response_days_in_range",
                violation_error_message=RESPONSE_DAYS_MESSAGE,
            ),
            # The address becomes a link: never javascript: or data:.
            models.CheckConstraint(
                condition=Q(website_url="") | Q(website_url__regex=r"^https?://"),
                name="%(app_label)s_%(class)s_website_is_http",
                violation_error_message=WEBSITE_MESSAGE,
            ),
        ]

    @property
    def accessibility_contact_email(self) -> str:
        return self.accessibility_email or self.programme_email

    @property
    def requests_email(self) -> str:
        """Where requests about one's personal data go."""
        return self.registrar_email or self.programme_email

    @property
    def has_contacts(self) -> bool:
        return any(
            (
                self.website_url,
                self.programme_email,
                self.programme_phone,
                self.accessibility_email,
                self.data_protection_officer_email,
                self.registrar_email,
            )
        )
