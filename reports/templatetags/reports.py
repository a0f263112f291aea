from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def change_percent(change):
    """A change with its sign and one decimal: 8.3 -> '+8,3 %' in Swedish."""
    if change is None:
        return ""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return _("%(change)s %%") % {
        "change": sign + number_format(abs(change), decimal_pos=1)
    }


@register.filter
def target_result(met):
    """Met, not met, or nothing to compare with: in words, never by colour only."""
    if met is None:
        return "–"
    return _("Met") if met else _("Not met")
