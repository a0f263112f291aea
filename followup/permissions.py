"""Who may do what with follow-ups: each object check asks the querysets' verbs
(`visible_to`, `editable_by`, `recordable_by`); the settings check asks the user's
role."""

from followup.models import FollowUp


def can_report(user, followup) -> bool:
    """The outlet's own shop owner writes the yearly report."""
    return FollowUp.objects.recordable_by(user).filter(pk=followup.pk).exists()


def can_manage_followup(user, followup) -> bool:
    """Officials and administrators of the agreement's municipality do the rest."""
    return FollowUp.objects.editable_by(user).filter(pk=followup.pk).exists()


def can_read_followups(user) -> bool:
    """Staff read the follow-ups of their municipality or county; shop owners have
    their own pages (the portal and the report)."""
    return user.is_authenticated and not user.is_shop_owner


def can_use_portal(user) -> bool:
    """The shop owner's own page (*Min servicepunkt*)."""
    return user.is_authenticated and user.is_shop_owner


def can_edit_followup_settings(user, municipality_id) -> bool:
    """A municipality's administrators keep its follow-up settings and site-visit
    checklist, as they keep its programme settings."""
    return (
        user.is_authenticated
        and user.is_administrator
        and user.municipality_id == municipality_id
    )


def can_edit_trainings(user) -> bool:
    """Officials and administrators record their municipality's trainings."""
    return user.is_authenticated and user.is_municipal_staff
