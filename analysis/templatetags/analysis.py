from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode

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


@register.inclusion_tag("analysis/_locality_figures.html", takes_context=True)
def locality_figures(context, locality):
    """The stored service analysis' figures of a locality, for its page."""
    from analysis.engine import AGE_GROUP_NAMES
    from analysis.exporting import AGE_LABELS, band_label
    from analysis.selectors import locality_figures as figures_of

    user = context["request"].user
    figures = figures_of(user=user, locality=locality)
    analysis_url = reverse("analysis:analysis")
    if figures and not user.is_municipal_staff:
        analysis_url += "?" + urlencode({"municipality": locality.municipality.code})
    if figures and figures.get("row"):
        row = figures["row"]
        figures["band_rows"] = [
            (band_label(band), people)
            for band, people in zip(
                figures["result"]["bands"], row["bands"], strict=True
            )
        ]
        figures["age_rows"] = [
            (AGE_LABELS[name], row["by_age"].get(name)) for name in AGE_GROUP_NAMES
        ]
    return {
        "figures": figures,
        "locality": locality,
        "analysis_url": analysis_url,
        # For the background computation's notice: its refresh link and retry form.
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
