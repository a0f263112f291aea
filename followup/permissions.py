from accounts.models import Role


def can_report(user, followup) -> bool:
    """The outlet's own shop owner writes the yearly report."""
    return (
        user.is_authenticated
        and user.role == Role.SHOP_OWNER
        and followup.agreement.outlet.owners.filter(pk=user.pk).exists()
    )


def can_manage_followup(user, followup) -> bool:
    """Officials and administrators of the agreement's municipality do the rest."""
    return user.is_authenticated and user.manages(followup.agreement.municipality_id)


def can_edit_followup_settings(user, municipality_id) -> bool:
    """A municipality's administrators keep its follow-up settings and site-visit
    checklist, as they keep its programme settings."""
    return (
        user.is_authenticated
        and user.role == Role.ADMINISTRATOR
        and user.municipality_id == municipality_id
    )
