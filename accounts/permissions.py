def can_view_users(user) -> bool:
    """A municipality's administrators see the users of their municipality."""
    return user.is_authenticated and user.is_administrator
