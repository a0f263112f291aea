from outlets.models import Outlet


def can_view_outlet_records(user, outlet) -> bool:
    """Contacts, owners, agreements: own municipality, the region, the owner."""
    return Outlet.objects.with_records_visible_to(user).filter(pk=outlet.pk).exists()


def can_edit_register(user) -> bool:
    """Administrators and officials keep their own municipality's register."""
    return user.is_authenticated and user.is_municipal_staff


def can_import_outlets(user) -> bool:
    """A municipality's administrators import its outlets; the system owner any."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)


def can_export_outlets(user) -> bool:
    return user.is_authenticated and user.reads_all_base_data


def outlets_recordable_by(user):
    """The outlets whose yearly records (home deliveries, activities) the user may
    log: officials and administrators their municipality's, shop owners their own."""
    if not user.is_authenticated:
        return Outlet.objects.none()
    if user.is_municipal_staff:
        return Outlet.objects.filter(user.managed_scope())
    if user.is_shop_owner:
        return Outlet.objects.filter(owners=user)
    return Outlet.objects.none()
