def can_view_users(user) -> bool:
    """A municipality's administrators see the users of their municipality."""
    return user.is_authenticated and user.is_administrator


def can_reset_two_factor(user) -> bool:
    """Administrators reset their colleagues' second factor, the system owner
    anyone's."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)
