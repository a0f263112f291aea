from accounts.models import Role

# Those whose work has deadlines: the municipality's staff, the county's regional
# viewers and the shop owners. The system owner runs the deployment and meets none
# of them, and their scope is every municipality: an address that leaked would show
# them all.
FEED_ROLES = (Role.ADMINISTRATOR, Role.OFFICIAL, Role.REGIONAL_VIEWER, Role.SHOP_OWNER)


def can_have_calendar_feed(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in FEED_ROLES
