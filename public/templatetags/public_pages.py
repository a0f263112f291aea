import re

from django import template

register = template.Library()


@register.filter
def tel_uri(phone):
    """'0930-100 20' as 'tel:093010020' (a leading + kept): a link a phone dials."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    return f"tel:{digits}" if digits else ""
