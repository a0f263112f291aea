from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.numbers import NOTICE_CODES

register = template.Library()


@register.filter
def kronor(amount):
    """Whole Swedish kronor, grouped: 40000 -> '40 000 kr'."""
    if amount is None or amount == "":
        return ""
    return _("%(amount)s kr") % {
        "amount": number_format(int(amount), decimal_pos=0, force_grouping=True)
    }


# Compensation and payouts are stated the same way on every page: the amount
# excluding VAT first, as the agreement sets it, then what is paid including VAT.
@register.filter
def kronor_excl_vat(amount):
    """'40 000 kr excl. VAT' (Swedish: 'exkl. moms')."""
    if amount is None or amount == "":
        return ""
    return _("%(amount)s excl. VAT") % {"amount": kronor(amount)}


@register.filter
def kronor_incl_vat(amount):
    """'50 000 kr incl. VAT' (Swedish: 'inkl. moms')."""
    if amount is None or amount == "":
        return ""
    return _("%(amount)s incl. VAT") % {"amount": kronor(amount)}


@register.filter
def error_anchor(field):
    """The id an error summary links to: the field's own input, or the first
    option of a group of radio buttons or checkboxes (as GOV.UK does)."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else field.auto_id


def _error_codes(form, name):
    return [error.code for error in form.errors.as_data().get(name, [])]


@register.filter
def is_notice(field):
    """A field whose only errors are notices (an amount rounded to whole kronor):
    not saved, but not the user's error either."""
    codes = _error_codes(field.form, field.name)
    return bool(codes) and all(code in NOTICE_CODES for code in codes)


@register.filter
def has_real_errors(form):
    """Whether the form has an error that is the user's, not only notices."""
    return any(
        code not in NOTICE_CODES
        for name in form.errors
        for code in _error_codes(form, name)
    )
