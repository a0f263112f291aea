"""Setting the programme's goals and recording investments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from programme.models import Investment, ProgrammeGoals
from programme.permissions import can_record_investments_for, can_set_goals


@transaction.atomic
def goals_save(*, goals: ProgrammeGoals, by) -> ProgrammeGoals:
    """Set or change a municipality's goals for a year (*programmets mål*)."""
    if not can_set_goals(by) or by.municipality_id != goals.municipality_id:
        raise PermissionDenied
    if goals.pk is not None and not (
        ProgrammeGoals.objects.editable_by(by).filter(pk=goals.pk).exists()
    ):
        raise PermissionDenied
    goals.full_clean()
    try:
        # A savepoint: two administrators setting the same year at once meet the
        # unique constraint, and the one who comes second is told so.
        with transaction.atomic():
            goals.save()
    except IntegrityError:
        raise ValidationError(
            _("The municipality already has goals for this year: change those."),
            code="one_set_per_year",
        ) from None
    return goals


@transaction.atomic
def investment_save(*, investment: Investment, by) -> Investment:
    """Record or correct an investment at a service point."""
    if not can_record_investments_for(by, investment.outlet):
        raise PermissionDenied
    if investment.pk is not None and not (
        Investment.objects.editable_by(by).filter(pk=investment.pk).exists()
    ):
        raise PermissionDenied
    investment.full_clean()
    investment.save()
    return investment
