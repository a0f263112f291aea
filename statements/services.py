from django.core.exceptions import PermissionDenied
from django.db import transaction

from statements.models import StatementSettings
from statements.permissions import can_edit_statement_settings


@transaction.atomic
def statement_settings_save(
    *, statement_settings: StatementSettings, by
) -> StatementSettings:
    """The municipality's contacts for its accessibility statement and privacy
    notice (administrators)."""
    if not can_edit_statement_settings(by, statement_settings.municipality_id):
        raise PermissionDenied
    statement_settings.full_clean()
    statement_settings.save()
    return statement_settings
