"""Who sees a county at a glance: the county's regional viewers and the system
owner; the municipalities' own staff and shop owners never do."""

from outlets.models import County


def can_view_counties(user) -> bool:
    return user.is_authenticated and (user.is_regional_viewer or user.is_system_owner)


def counties_visible_to(user):
    """The counties the user may look at: a regional viewer's own, every county
    for the system owner, none for anyone else."""
    if not can_view_counties(user):
        return County.objects.none()
    if user.is_regional_viewer:
        return County.objects.filter(pk=user.county_id)
    return County.objects.all()
