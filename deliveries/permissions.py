from accounts.models import Role
from outlets.models import Outlet


def can_record_deliveries(user) -> bool:
    """Officials and administrators for their municipality; shop owners for their
    own outlets."""
    return user.is_authenticated and user.role in (
        Role.ADMINISTRATOR,
        Role.OFFICIAL,
        Role.SHOP_OWNER,
    )


def outlets_recordable_by(user):
    """The outlets whose home deliveries the user may log."""
    if not user.is_authenticated:
        return Outlet.objects.none()
    if user.role in (Role.ADMINISTRATOR, Role.OFFICIAL):
        return Outlet.objects.filter(municipality_id=user.municipality_id)
    if user.role == Role.SHOP_OWNER:
        return Outlet.objects.filter(owners=user)
    return Outlet.objects.none()


def can_record_deliveries_for(user, outlet) -> bool:
    return outlets_recordable_by(user).filter(pk=outlet.pk).exists()
