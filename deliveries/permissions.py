from accounts.models import Role
from outlets.permissions import outlets_recordable_by


def can_record_deliveries(user) -> bool:
    """Officials and administrators for their municipality; shop owners for their
    own outlets."""
    return user.is_authenticated and user.role in (
        Role.ADMINISTRATOR,
        Role.OFFICIAL,
        Role.SHOP_OWNER,
    )


def can_record_deliveries_for(user, outlet) -> bool:
    return outlets_recordable_by(user).filter(pk=outlet.pk).exists()
