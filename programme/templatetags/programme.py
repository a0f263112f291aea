from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _percent(value, decimals):
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return _("%(change)s %%") % {
        "change": sign + number_format(abs(value), decimal_pos=decimals)
    }


@register.filter
def goal_target(result):
    """A goal as it reads: "at least 4", "+5 %", or the goal in words."""
    if result.key == "own_goal":
        return result.target
    if result.unit == "%":
        return percent_goal(result.target)
    return _("at least %(count)s") % {"count": intcomma(result.target)}


@register.filter
def goal_outcome(result):
    """What came of a goal: a count, a change with one decimal, words; – if none."""
    if result.outcome is None:
        return "–"
    if result.key == "own_goal":
        return result.outcome
    if result.unit == "%":
        return _percent(result.outcome, 1)
    return intcomma(result.outcome)


@register.filter
def goal_met(met):
    """Met, not met, or not yet measurable: in words, never by colour only."""
    if met is None:
        return _("Not yet measurable")
    return _("Met") if met else _("Not met")


@register.filter
def percent_goal(percent):
    """A visitors goal as it reads: 5 -> "+5 %"."""
    return _percent(percent, 0)
