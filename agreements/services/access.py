"""The check every agreement action makes first: who manages the municipality's
agreements."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from agreements.permissions import can_manage_agreements


def check_manager(by, agreement_or_municipality_id):
    municipality_id = getattr(
        agreement_or_municipality_id, "municipality_id", agreement_or_municipality_id
    )
    if not can_manage_agreements(by) or by.municipality_id != municipality_id:
        raise PermissionDenied


def check_not_withdrawn(agreement):
    """A withdrawn agreement is a record: nobody changes, freezes or signs it."""
    if agreement.state == agreement.State.WITHDRAWN:
        raise ValidationError(
            _("The agreement is withdrawn and can no longer be changed or signed."),
            code="withdrawn",
        )
