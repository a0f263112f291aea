from outlets.models import Outlet


def can_view_outlet_records(user, outlet) -> bool:
    """Contacts, owners, agreements: own municipality, the region, the owner."""
    return Outlet.objects.with_records_visible_to(user).filter(pk=outlet.pk).exists()
