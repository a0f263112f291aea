from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from followup.models import AgreedAction

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


@register.filter
def action_status(action, today):
    """Done, open, or late: open after its due date, as `today` finds it."""
    if (
        action.status == AgreedAction.Status.OPEN
        and action.due_on is not None
        and action.due_on < today
    ):
        return pgettext("agreed action", "Late")
    return action.get_status_display()
