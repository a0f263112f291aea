from django.core.exceptions import ValidationError
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
