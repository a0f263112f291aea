"""Changes to the register made by hand: outlets, their contacts, localities, partners.

The CSV/XLSX import writes through `outlets.importing`; these are the web forms' path.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import (
    Locality,
    Municipality,
    Outlet,
    OutletContact,
    Partner,
    ServicePointChoice,
)
from outlets.permissions import can_edit_register
from outlets.signals import outlet_close_consequences, outlet_closed


def _check_editor(by, municipality_id):
    """Administrators and officials change their own municipality's register only."""
    if not can_edit_register(by) or by.municipality_id != municipality_id:
        raise PermissionDenied


@transaction.atomic
def outlet_save(
    *,
    outlet: Outlet,
    by,
    contacts: Iterable[OutletContact] = (),
    removed_contacts: Iterable[OutletContact] = (),
) -> Outlet:
    """Create or update an outlet with its contact persons; all or nothing."""
    _check_editor(by, outlet.municipality_id)
    contacts, removed_contacts = list(contacts), list(removed_contacts)
    if any(contact.outlet_id != outlet.pk for contact in removed_contacts):
        raise PermissionDenied
    outlet.full_clean()
    for contact in contacts:
        contact.full_clean(exclude=["outlet"])
    outlet.save()
    for contact in contacts:
        contact.outlet = outlet
        contact.save()
    for contact in removed_contacts:
        contact.delete()
    return outlet


@transaction.atomic
def outlet_public_facts_save(
    *, outlet: Outlet, by, opening_hours: str, phone: str
) -> Outlet:
    """A shop owner (or an editor of the register) keeps the outlet's opening
    hours and public phone; the change shows in the outlet's history with who
    made it."""
    if not Outlet.objects.public_facts_editable_by(by).filter(pk=outlet.pk).exists():
        raise PermissionDenied
    outlet.opening_hours, outlet.phone = opening_hours.strip(), phone.strip()
    outlet.full_clean()
    outlet.save(update_fields=["opening_hours", "phone"])
    return outlet


@transaction.atomic
def outlet_close(*, outlet: Outlet, by, closed_on: date) -> Outlet:
    """Mark an outlet closed; it stays in the register for history and analysis.
    The apps above hear of it in the same transaction (`outlet_closed`): an
    agreement not yet ended ends on the closing date."""
    _check_editor(by, outlet.municipality_id)
    if closed_on > timezone.localdate():
        raise ValidationError(
            {
                "closed_on": ValidationError(
                    _("The closing date cannot be in the future."), code="in_future"
                )
            }
        )
    outlet.status, outlet.closed_on = Outlet.Status.CLOSED, closed_on
    outlet.full_clean()
    outlet.save(update_fields=["status", "closed_on"])
    # In the same transaction: an agreement that cannot end rolls the closure back.
    outlet_closed.send(sender=Outlet, outlet=outlet, closed_on=closed_on, by=by)
    return outlet


def outlet_close_notices(*, outlet: Outlet, user) -> list[str]:
    """What recording the outlet's closure will also do, in the words of the apps
    that act on it (its agreement ends, payouts are cancelled)."""
    return [
        sentence
        for _receiver, sentences in outlet_close_consequences.send(
            sender=Outlet, outlet=outlet, user=user
        )
        for sentence in sentences or ()
    ]


@transaction.atomic
def locality_save(*, locality: Locality, by) -> Locality:
    """Create or update a locality of the editor's own municipality."""
    _check_editor(by, locality.municipality_id)
    locality.full_clean()
    locality.save()
    return locality


@transaction.atomic
def partner_save(*, partner: Partner, by, localities: Iterable[Locality]) -> Partner:
    """Create or update a partner and the localities where it is active."""
    _check_editor(by, partner.municipality_id)
    localities = list(localities)
    if any(
        locality.municipality_id != partner.municipality_id for locality in localities
    ):
        raise ValidationError(
            {
                "localities": ValidationError(
                    _("Choose localities of the partner's own municipality."),
                    code="other_municipality",
                )
            }
        )
    partner.full_clean()
    partner.save()
    partner.localities.set(localities)
    return partner


@transaction.atomic
def municipality_organisation_number_set(
    *, municipality: Municipality, by, organisation_number: str
) -> Municipality:
    """The municipality's organisation number, which its agreements print in the
    party block: given by the municipality's administrators. Versions already made
    ready for signature keep the number they were frozen with."""
    if not (
        by.is_authenticated
        and by.is_administrator
        and by.municipality_id == municipality.pk
    ):
        raise PermissionDenied
    organisation_number = organisation_number.strip()
    if not organisation_number:
        raise ValidationError(
            {"organisation_number": _("Write the municipality's organisation number.")},
            code="required",
        )
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    municipality.organisation_number = organisation_number
    municipality.full_clean()
    municipality.save(update_fields=["organisation_number"])
    return municipality


@transaction.atomic
def service_point_choice_save(
    *, choice: ServicePointChoice, considered: Iterable[Outlet], by
) -> ServicePointChoice:
    """Record or change the choice of a strategic locality's service point: the
    outlets considered, the one chosen among them, why, and the decision."""
    # The locality's row orders concurrent edits of its choices: the chosen outlet
    # is checked against the considered ones as they are stored.
    locality = Locality.objects.select_for_update().get(pk=choice.locality_id)
    _check_editor(by, locality.municipality_id)
    choice.locality = locality
    considered = list(considered)
    errors = {}
    for check in (choice.full_clean, lambda: choice.clean_considered(considered)):
        try:
            check()
        except ValidationError as error:
            errors.update(error.update_error_dict({}))
    if errors:
        raise ValidationError(errors)
    choice.save()
    choice.considered.set(considered)
    return choice
