from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value):
    """A table cell's number, grouped the Swedish way; "–" where there is none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, force_grouping=True)
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def computed(value):
    """An ISO timestamp from a stored result, in local time, to the minute."""
    from datetime import datetime

    from django.utils import formats, timezone

    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return "–"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
