"""Whole numbers as people type them on a phone: "1 200", "40 st", "ca 40",
"40–50", "1 250 kr", and amounts with öre, "275,50 kr", rounded to whole kronor.
Shared by every form that asks for a count or an amount."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

APPROXIMATELY = re.compile(
    r"^(ca\.?|c:a|cirka|ungefär|ung\.|omkring|runt|about|approx\.?|~)\s*"
)
UNIT = re.compile(r"\s*(st\.?|stycken|styck|pcs\.?|personer|pers\.?)$")
KRONOR = re.compile(r"\s*(kr\.?|kronor|sek|:-|,-)$")
THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")
RANGE = re.compile(r"^(\d+)\s*(?:-|–|—|till|to)\s*(\d+)$")
NEGATIVE = re.compile(r"^[-−–]\s*\d+$")
WITH_OERE = re.compile(r"^(\d+)[,.](\d{1,2})$")

# More than any shop counts or any delivery costs in a year: a typing slip.
SENSIBLE_MAXIMUM = 10_000_000
# Longer than "cirka 1 000 000 000,50 kronor": no number, and not echoed in full.
TYPED_AT_MOST = 40
# Error codes that are a notice, not the user's error: the form is not saved, the
# field shows the notice, and the red error summary leaves it out.
NOTICE_CODES = frozenset({"rounded"})


def typed_shown(text: str) -> str:
    """What a message echoes of the typed text: at most TYPED_AT_MOST characters."""
    text = text.strip()
    if len(text) <= TYPED_AT_MOST:
        return text
    return text[: TYPED_AT_MOST - 1] + "…"


class NegativeNumber(ValueError):
    pass


class RangeGiven(ValueError):
    pass


class ApproximateAmount(ValueError):
    pass


def count_read(text: str, *, unit=UNIT, ranges=True) -> tuple[int, bool]:
    """A count as a shopkeeper types it: (the number, whether it is an estimate).

    "1 200" and "40 st" are exact; "ca 40", "cirka 40" and "ungefär 40" are
    estimates, and so is a range such as "40-50" or "40–50", read as its middle
    (45, halves rounded up). `unit` is the unit people may type after the number
    (pass `KRONOR` for amounts). Raises NegativeNumber for "-5", RangeGiven for
    a range when `ranges` is false, and ValueError for anything else.
    """
    text = text.strip().lower()
    approximate = APPROXIMATELY.match(text)
    if approximate:
        text = text[approximate.end() :]
    text = THOUSANDS.sub("", unit.sub("", text))
    if text.isascii() and text.isdigit():
        return int(text), bool(approximate)
    if NEGATIVE.match(text):
        raise NegativeNumber(text)
    found = RANGE.match(text)
    if found:
        if not ranges:
            raise RangeGiven(text)
        low, high = sorted(int(number) for number in found.groups())
        return (low + high + 1) // 2, True
    raise ValueError(text)


def kronor_read(text: str) -> tuple[int, bool]:
    """An amount as people type it: (whole kronor, whether it was rounded).

    Reads what `count_read` reads with a unit of kronor ("50 000 kr", "50 000:-",
    "50 000,-"), and öre after a comma or a point: "275,50", "275.50 kr",
    "1 250,5". Öre are rounded to whole kronor, 50 öre up (275,50 is 276, 275,49
    is 275); "275,00" is whole and not rounded. An amount is exact: "ca 50 000"
    raises ApproximateAmount, a range RangeGiven.
    """
    stripped = text.strip().lower()
    if APPROXIMATELY.match(stripped):
        raise ApproximateAmount(text)
    stripped = THOUSANDS.sub("", KRONOR.sub("", stripped))
    found = WITH_OERE.match(stripped) if stripped.isascii() else None
    if found is None:
        return count_read(stripped, unit=KRONOR, ranges=False)[0], False
    kronor, oere = int(found[1]), int(found[2].ljust(2, "0"))
    return kronor + (oere >= 50), oere > 0


def kronor_typed(amount: int) -> str:
    """An amount as people type it back: "1 251", spaces between the thousands."""
    return f"{amount:,}".replace(",", " ")


class FriendlyIntegerField(forms.IntegerField):
    """A count as people type it on a phone: see `count_read`.

    Too small or too large a number gets a message saying what to write, never
    the database's limit (2147483647).
    """

    # Not inputmode="numeric": a phone's number pad has no "ca" and no dash.
    widget = forms.TextInput(attrs={"autocomplete": "off"})
    max_length = TYPED_AT_MOST
    default_error_messages = {
        "invalid": _(
            "We did not understand “%(value)s”. Write a number such as 40; "
            "ca 40 or 40–50 is fine."
        ),
        "range": _("Write one number, not a range."),
        "min_value": _("Write %(limit)s or more."),
        "max_value": _(
            "That is more than %(limit)s: check the number, it looks like a typo."
        ),
    }
    unit = UNIT
    ranges = True

    def __init__(self, *, max_value=SENSIBLE_MAXIMUM, min_value=0, **kwargs):
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        if not value.strip():
            return None
        try:
            return count_read(value, unit=self.unit, ranges=self.ranges)[0]
        except NegativeNumber:
            raise self.limit_error("min_value", self.min_value) from None
        except RangeGiven:
            raise ValidationError(self.error_messages["range"], code="range") from None
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"value": typed_shown(value)},
            ) from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["maxlength"] = str(self.max_length)
        return attrs

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise self.limit_error("min_value", self.min_value)
        if self.max_value is not None and value > self.max_value:
            raise self.limit_error("max_value", self.max_value)

    def limit_error(self, code, limit):
        return ValidationError(
            self.error_messages[code],
            code=code,
            params={"limit": number_format(limit or 0, force_grouping=True)},
        )


class KronorField(FriendlyIntegerField):
    """An amount in whole kronor: "1 250", "1 250 kr" and "1 250:-" are read;
    "ca 250" and a range are refused, an amount is one exact number. An amount
    already there shows grouped, "40 000", as it is typed back.

    An amount with öre ("275,50") is rounded to whole kronor (`kronor_read`) and
    not taken as it is: the form comes back with the rounded amount in the field
    and a message saying so, and saves once it is sent again. Nobody's 275,50
    becomes 276 without their seeing it.
    """

    default_error_messages = {
        "invalid": _(
            "We did not understand “%(value)s”. Write the amount in whole kronor, "
            "such as 1 250."
        ),
        "range": _("Write one amount, not a range."),
        "approximate": _("Write the exact amount, such as 50 000."),
        "rounded": _("Rounded to %(amount)s kr. Check the amount and save again."),
        "min_value": _("Write %(limit)s kr or more."),
        "max_value": _(
            "That is more than %(limit)s kr: check the amount, it looks like a typo."
        ),
    }
    unit = KRONOR
    ranges = False

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                amount, rounded = kronor_read(value)
            except ApproximateAmount:
                raise ValidationError(
                    self.error_messages["approximate"], code="approximate"
                ) from None
            except ValueError:
                pass  # The count's own messages say what to write.
            else:
                if rounded:
                    raise ValidationError(
                        self.error_messages["rounded"],
                        code="rounded",
                        params={"amount": kronor_typed(amount)},
                    )
                return amount
        return super().to_python(value)

    def prepare_value(self, value):
        """An amount already there, as people type it: 40000 -> "40 000"."""
        if isinstance(value, int) and not isinstance(value, bool):
            return kronor_typed(value)
        return super().prepare_value(value)

    def bound_data(self, data, initial):
        """A form sent back shows an amount with öre rounded, as it would be saved."""
        if isinstance(data, str) and data.strip():
            try:
                amount, rounded = kronor_read(data)
            except ValueError:
                return data
            if rounded:
                return kronor_typed(amount)
        return super().bound_data(data, initial)
