from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr


def organisation_number_formatted(value: str) -> str:
    """A Swedish organisation number as NNNNNN-NNNN, or a ValidationError."""
    if not orgnr.is_valid(value):
        raise ValidationError(
            _(
                "The organisation number is not valid: check the ten digits "
                "(NNNNNN-NNNN)."
            ),
            code="invalid_organisation_number",
        )
    return orgnr.format(value)


# Digits as people write a Swedish number (0930-123 45, +46 930 123 45); at least
# five of them.
phone_number_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{3,}[0-9]$",
    _("Give a phone number with digits only, e.g. 0930-123 45 or +46 930 123 45."),
    code="invalid_phone",
)
