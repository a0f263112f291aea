"""The check every agreement action makes first: who manages the municipality's
agreements."""

from django.core.exceptions import PermissionDenied

from agreements.permissions import can_manage_agreements


def check_manager(by, agreement_or_municipality_id):
    municipality_id = getattr(
        agreement_or_municipality_id, "municipality_id", agreement_or_municipality_id
    )
    if not can_manage_agreements(by) or by.municipality_id != municipality_id:
        raise PermissionDenied
