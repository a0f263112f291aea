def can_read_security_log(user) -> bool:
    """A municipality's administrators read its log; the system owner all of it."""
    return user.is_authenticated and user.reads_security_log
