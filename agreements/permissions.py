from accounts.models import Role


def can_manage_agreements(user) -> bool:
    """Officials and administrators handle their own municipality's agreements."""
    return user.is_authenticated and user.is_municipal_staff


def can_sign_for_party(user, agreement) -> bool:
    """The outlet's own shop owner signs for the service point in the app."""
    return (
        user.is_authenticated
        and user.role == Role.SHOP_OWNER
        and agreement.outlet.owners.filter(pk=user.pk).exists()
    )


def can_edit_catalogue(user) -> bool:
    """A municipality's administrators keep its service catalogue."""
    return user.is_authenticated and user.role == Role.ADMINISTRATOR
