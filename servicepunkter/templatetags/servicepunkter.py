from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kronor(amount):
    """Whole Swedish kronor, grouped: 40000 -> '40 000 kr'."""
    if amount is None or amount == "":
        return ""
    return _("%(amount)s kr") % {
        "amount": number_format(int(amount), decimal_pos=0, force_grouping=True)
    }
