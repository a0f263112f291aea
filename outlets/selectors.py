"""Reading the register: the history of its records, in words; the service points."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core.history import HistoryEntry, history_of
from outlets.models import (
    Locality,
    Outlet,
    OutletContact,
    Partner,
    PartnerLocalities,
    ServicePointChoice,
    ServicePointChoiceConsidered,
)
from outlets.permissions import can_view_locality_records

# What the outlet page shows everyone who sees the outlet (its base data): the
# history shows those who may not read the outlet's records the changes of these
# fields only. An allow-list, so that a field added later stays hidden.
OUTLET_BASE_FIELDS = frozenset(
    {
        "municipality",
        "name",
        "kind",
        "chain",
        "external_id",
        "street_address",
        "postcode",
        "town",
        "locality",
        "latitude",
        "longitude",
        "opening_hours",
        "phone",
        "status",
        "closed_on",
        "agent_roles",
    }
)

# What the partner page shows those who may not read its contact person.
PARTNER_BASE_FIELDS = frozenset({"municipality", "name", "kind"})


def outlet_history(*, outlet, with_contacts: bool) -> list[HistoryEntry]:
    """The outlet's changes and, for those who read its records, its contact
    persons' (added, changed, removed): newest first, with who made them. Others
    see the changes of its base data only."""
    if with_contacts:
        return history_of([outlet], models=[Outlet, OutletContact])
    return history_of(
        [outlet], models=[Outlet], shown_fields={Outlet: OUTLET_BASE_FIELDS}
    )


def locality_history(*, locality) -> list[HistoryEntry]:
    return history_of([locality], models=[Locality])


def partner_history(*, partner, with_contact: bool) -> list[HistoryEntry]:
    """The partner's changes, the localities it works in among them; those who may
    not read its contact person see no change of it."""
    shown = None if with_contact else {Partner: PARTNER_BASE_FIELDS}
    return history_of(
        [partner], models=[Partner, PartnerLocalities], shown_fields=shown
    )


def service_point_choice_history(*, choice) -> list[HistoryEntry]:
    """The choice's changes, the outlets considered among them."""
    return history_of(
        [choice], models=[ServicePointChoice, ServicePointChoiceConsidered]
    )


def service_point_choices(*, locality, user):
    """The locality's choices of service point, newest first, for those who read
    the municipality's records; None for others (the page shows no section)."""
    if not can_view_locality_records(user, locality):
        return None
    return list(
        ServicePointChoice.objects.filter(locality=locality)
        .select_related("chosen")
        .prefetch_related(
            Prefetch(
                "considered",
                queryset=Outlet.objects.select_related("municipality").order_by(
                    "name", "pk"
                ),
            )
        )
    )


def service_point_choices_for_report(*, municipality, year):
    """Per classified locality, its latest choice of service point decided by the
    end of `year`: the annual report's account of the choices."""
    latest = {}
    choices = (
        ServicePointChoice.objects.filter(
            locality__municipality=municipality, decision_date__year__lte=year
        )
        .select_related("locality", "chosen")
        .prefetch_related(
            Prefetch("considered", queryset=Outlet.objects.order_by("name", "pk"))
        )
        .order_by("locality__name", "-decision_date", "-pk")
    )
    for choice in choices:
        latest.setdefault(choice.locality_id, choice)
    return list(latest.values())


def _agreements_of_outlet():
    """The agreements of the outer query's outlet, read through the reverse
    relation since outlets imports no agreements. A correlated EXISTS looks up one
    outlet's agreements by index; `pk__in` hashed every agreement of the country
    for each query (9 ms on an outlet's page with 5 000 agreements)."""
    agreement = Outlet._meta.get_field("agreements").related_model
    return agreement._base_manager.filter(outlet=OuterRef("pk"))


def in_programme_q() -> Q:
    """Outlets that have or had an agreement, a draft included: those investments
    are recorded for (an investment grant often comes before the agreement is
    signed)."""
    return Q(Exists(_agreements_of_outlet()))


def service_points_q(on=None) -> Q:
    """Outlets with an agreement in force on the day (today by default): the service
    points. The rule is `Agreement.objects.in_force`'s, which a test of agreements
    holds this to."""
    on = on or timezone.localdate()
    in_force = _agreements_of_outlet().filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        signed_on__isnull=False,
        starts_on__lte=on,
    )
    return Q(Exists(in_force))
