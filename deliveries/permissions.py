"""Who records home deliveries: the outlet check asks `Outlet.recordable_by`; the
check without an outlet asks the user's role."""

from outlets.models import Outlet


def can_record_deliveries(user) -> bool:
    """Officials and administrators for their municipality; shop owners for their
    own outlets."""
    return user.is_authenticated and (user.is_municipal_staff or user.is_shop_owner)


def can_record_deliveries_for(user, outlet) -> bool:
    return Outlet.objects.recordable_by(user).filter(pk=outlet.pk).exists()
