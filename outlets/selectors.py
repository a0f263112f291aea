"""Reading the register: the history of its records, in words."""

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
