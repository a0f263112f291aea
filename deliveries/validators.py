"""The household reference: a code the shop and the municipality agree on, never a
name or a personal identity number (personal data the grant claim does not need)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# One to three letters, an optional hyphen, one to five digits: H-017, HS12, 4.
HOUSEHOLD_REFERENCE_PATTERN = r"^([A-ZÅÄÖ]{1,3}-?)?[0-9]{1,5}$"
# YYMMDD or YYYYMMDD, then - or + or nothing, then four digits.
PERSONAL_IDENTITY_NUMBER = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")
# A word of four letters or more, two words, or letters without digits: how names
# look.
NAME_LIKE = re.compile(r"[^\W\d_]{4,}|[^\W\d_]+\s+[^\W\d_]+|^\s*[^\W\d_]+\s*$")


def household_reference_normalised(value: str) -> str:
    """The reference in capitals without surrounding spaces, or a ValidationError
    saying what to write instead."""
    reference = (value or "").strip().upper()
    compact = re.sub(r"\s", "", reference)
    if PERSONAL_IDENTITY_NUMBER.match(compact):
        raise ValidationError(
            _(
                "This looks like a personal identity number. Write the household's "
                "code instead, e.g. H-017: a personal identity number must not be "
                "stored here."
            ),
            code="personal_identity_number",
        )
    if NAME_LIKE.search(value or ""):
        raise ValidationError(
            _(
                "This looks like a name. Write the household's code instead, e.g. "
                "H-017: names must not be stored here."
            ),
            code="name",
        )
    if not re.match(HOUSEHOLD_REFERENCE_PATTERN, reference):
        raise ValidationError(
            _(
                "Write the household's code: up to three letters and one to five "
                "digits, e.g. H-017."
            ),
            code="invalid",
        )
    return reference
