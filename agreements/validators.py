"""Payment accounts: a bankgiro or plusgiro number ends with a check digit computed
by the Luhn algorithm over all its digits (python-stdnum has no Swedish giro module,
but its `luhn` checks the digit)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_bankgiro(value: str) -> None:
    """Seven or eight digits, NNN-NNNN or NNNN-NNNN, with a valid check digit."""
    digits = _digits(value)
    if not (digits.isdigit() and len(digits) in (7, 8) and luhn.is_valid(digits)):
        raise ValidationError(
            _(
                "The bankgiro number is not valid: check its seven or eight digits "
                "(NNNN-NNNN); the last is a check digit."
            ),
            code="invalid_bankgiro",
        )


def validate_plusgiro(value: str) -> None:
    """Two to eight digits, the last a check digit (e.g. 12 34 56-7 as 123456-7)."""
    digits = _digits(value)
    if not (digits.isdigit() and 2 <= len(digits) <= 8 and luhn.is_valid(digits)):
        raise ValidationError(
            _(
                "The plusgiro number is not valid: check its digits (up to eight, "
                "NNNNNNN-N); the last is a check digit."
            ),
            code="invalid_plusgiro",
        )
