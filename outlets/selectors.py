"""Reading the register: the history of its records, in words; the service points."""

from django.db.models import Q
from django.utils import timezone

from core.history import HistoryEntry, history_of
from outlets.models import (
    Locality,
    Outlet,
    OutletContact,
    Partner,
    PartnerLocalities,
)


def outlet_history(*, outlet, with_contacts: bool) -> list[HistoryEntry]:
    """The outlet's changes and, for those who read its records, its contact
    persons' (added, changed, removed): newest first, with who made them."""
    models = [Outlet, OutletContact] if with_contacts else [Outlet]
    return history_of([outlet], models=models)


def locality_history(*, locality) -> list[HistoryEntry]:
    return history_of([locality], models=[Locality])


def partner_history(*, partner) -> list[HistoryEntry]:
    """The partner's changes, the localities it works in among them."""
    return history_of([partner], models=[Partner, PartnerLocalities])


def service_points_q(on=None) -> Q:
    """Outlets with an agreement in force on the day (today by default): the service
    points. Read through the reverse relation, since outlets imports no agreements;
    the rule is `Agreement.objects.in_force`'s, which a test of agreements holds
    this to."""
    on = on or timezone.localdate()
    in_force = Outlet.objects.filter(
        Q(agreements__ends_on__isnull=True) | Q(agreements__ends_on__gte=on),
        agreements__signed_on__isnull=False,
        agreements__starts_on__lte=on,
    )
    return Q(pk__in=in_force.values("pk"))
