"""Who sets the programme's goals and who records investments: derived from the
models' `editable_by`."""

from outlets.models import Outlet
from outlets.selectors import in_programme_q


def can_set_goals(user) -> bool:
    """The administrators of a municipality set its goals."""
    return user.is_authenticated and user.is_administrator


def outlets_with_investments_visible_to(user):
    """Outlets whose investments the user reads: the staff of the outlet's
    municipality and the county's regional viewers, the system owner, the outlet's
    own shop owner; of the outlets in the programme (with an agreement, a draft
    included, now or before)."""
    if not user.is_authenticated:
        return Outlet.objects.none()
    if user.is_shop_owner:
        return Outlet.objects.filter(in_programme_q(), owners=user)
    return Outlet.objects.filter(in_programme_q(), user.records_scope())


def outlets_with_investments_editable_by(user):
    """Officials and administrators record their municipality's investments, at
    the outlets in the programme."""
    if not user.is_authenticated:
        return Outlet.objects.none()
    return Outlet.objects.filter(in_programme_q(), user.managed_scope())


def can_record_investments_for(user, outlet) -> bool:
    return outlets_with_investments_editable_by(user).filter(pk=outlet.pk).exists()
