"""Who may do what with the register. Object checks ask the querysets' verbs
(`visible_to`, `with_records_visible_to`, `editable_by`, `recordable_by`); checks
without an object ask the user's role properties."""

from outlets.models import Locality, Outlet, Partner


def can_view_outlet_records(user, outlet) -> bool:
    """Contacts, owners, agreements: own municipality, the region, the owner."""
    return Outlet.objects.with_records_visible_to(user).filter(pk=outlet.pk).exists()


def can_edit_outlet(user, outlet) -> bool:
    return Outlet.objects.editable_by(user).filter(pk=outlet.pk).exists()


def can_keep_public_facts(user) -> bool:
    """Shop owners keep their outlets' opening hours and phone on a page of their
    own; editors of the register do it in the outlet's form."""
    return user.is_authenticated and user.is_shop_owner


def can_edit_public_facts(user, outlet) -> bool:
    return Outlet.objects.public_facts_editable_by(user).filter(pk=outlet.pk).exists()


def can_edit_locality(user, locality) -> bool:
    return Locality.objects.editable_by(user).filter(pk=locality.pk).exists()


def can_view_locality_records(user, locality) -> bool:
    """The municipality's records about a locality (the choice of its service
    point): its staff, the county's regional viewers, the system owner."""
    if not user.is_authenticated or user.is_shop_owner:
        return False
    return Locality.objects.filter(user.records_scope(), pk=locality.pk).exists()


def can_record_service_point_choice(user, locality) -> bool:
    """The municipality's administrators and officials, for a locality the
    service plan classifies."""
    return locality.is_strategic and can_edit_locality(user, locality)


def can_view_partner_contact(user, partner) -> bool:
    """The contact person is personal data: for the partner's own municipality and
    region, as with an outlet's records."""
    return Partner.objects.with_records_visible_to(user).filter(pk=partner.pk).exists()


def can_edit_partner(user, partner) -> bool:
    return Partner.objects.editable_by(user).filter(pk=partner.pk).exists()


def can_read_register(user) -> bool:
    """Localities, partners and the map are for staff; shop owners see their outlet."""
    return user.is_authenticated and user.reads_all_base_data


def can_edit_register(user) -> bool:
    """Administrators and officials keep their own municipality's register."""
    return user.is_authenticated and user.is_municipal_staff


def can_import_outlets(user) -> bool:
    """A municipality's administrators import its outlets; the system owner any."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)


def can_export_outlets(user) -> bool:
    return user.is_authenticated and user.reads_all_base_data


def can_read_crisis_readiness(user) -> bool:
    """The municipality's staff for their municipality, regional viewers for their
    county, the system owner for all; the outlets are scoped by their records."""
    return user.is_authenticated and user.reads_all_base_data
