from accounts.models import Role, User, roles_assignable_by


def can_view_users(user) -> bool:
    """A municipality's administrators see the users of their municipality; the
    system owner everyone."""
    return user.is_authenticated and user.manages_users


def can_invite_users(user) -> bool:
    return user.is_authenticated and user.manages_users


def can_invite_shop_owner(user) -> bool:
    """Officials and administrators invite a shop owner from the outlet's page."""
    return Role.SHOP_OWNER in roles_assignable_by(user)


def can_manage_user(user, person) -> bool:
    """Change the person's role, deactivate or reactivate them, invite them again."""
    return User.objects.managed_by(user).filter(pk=person.pk).exists()


def can_reset_two_factor(user) -> bool:
    """Administrators reset their colleagues' second factor, the system owner
    anyone's."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)
