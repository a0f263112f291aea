"""What the public may know about the service points: the one source of the public
pages, the embeds, the window sign, the leaflet and the open data.

A service point here is an open outlet with an agreement in force. What leaves this
module is a `PublicServicePoint`, which holds public facts only: no contact person, no
e-mail address, no organisation number (a sole trader's is a personal identity
number), nothing of the agreement but its services in the citizen's words and the day
it came into force. A field added to a model later stays out until it is added here.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language

from agreements.models import Agreement, AgreementService, AgreementVersion
from outlets.models import Municipality, Outlet
from public.models import PublicDataVersion

CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PublicServicePoint:
    pk: int
    name: str
    kind: str
    kind_label: str
    chain: str
    street_address: str
    postcode: str
    town: str
    municipality_code: str
    municipality_name: str
    county_name: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    phone: str
    # What one can do here, in the citizen's words (the catalogue's public
    # description, else the service's name), in the agreement's order.
    services: tuple[str, ...]
    agent_roles: tuple[str, ...]
    in_force_since: datetime.date

    @property
    def address(self) -> str:
        """'Storgatan 1, 914 30 Nordmaling': the parts there are."""
        place = " ".join(part for part in (self.postcode, self.town) if part)
        return ", ".join(part for part in (self.street_address, place) if part)

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class PublicData:
    """The service points of a scope (one municipality, or all) on a day, and when
    what the public sees of them last changed (None: never recorded)."""

    service_points: tuple[PublicServicePoint, ...]
    last_modified: datetime.datetime | None


def public_data(*, municipality: Municipality | None = None, on=None) -> PublicData:
    """The service points of `municipality` (every municipality's when None) on the
    day `on` (today by default), in the active language.

    Cached until a recorded change (PublicDataVersion) or the next day: one query
    when cached, a handful when not, whatever the number of service points.
    """
    on = on or timezone.localdate()
    versions = _versions(municipality)
    key = "public-data:" + _version_key(municipality, on, versions)
    found = cache.get(key)
    if found is None:
        found = PublicData(
            service_points=_service_points(municipality, on),
            last_modified=_last_modified(municipality, on, versions["changed_at"]),
        )
        cache.set(key, found, CACHE_SECONDS)
    return found


def public_data_version(*, municipality: Municipality | None = None, on=None) -> str:
    """What `public_data` of the same scope, day and language is cached under (one
    query): a key for what is derived from it (a page's summary, the map's markers),
    which changes exactly when the public data does."""
    on = on or timezone.localdate()
    return _version_key(municipality, on, _versions(municipality))


def _version_key(municipality, on, versions) -> str:
    return ":".join(
        [
            municipality.code if municipality else "all",
            on.isoformat(),
            get_language() or "",
            str(versions["count"]),
            str(versions["total"] or 0),
            versions["changed_at"].isoformat() if versions["changed_at"] else "",
        ]
    )


def public_summary() -> dict:
    """The country's number of service points, when they last changed, and, per
    municipality in name order, its code, name and count: derived once per change
    of the public data, for the pages that need no 10 000 points (the whole
    country's data is megabytes to read from a shared cache)."""
    key = "public-summary-2:" + public_data_version()
    summary = cache.get(key)
    if summary is None:
        data = public_data()
        points = data.service_points
        counts = Counter((p.municipality_code, p.municipality_name) for p in points)
        summary = {
            "total": len(points),
            "last_modified": data.last_modified,
            "municipalities": [
                {"code": code, "name": name, "count": count}
                for (code, name), count in sorted(
                    counts.items(), key=lambda item: item[0][1]
                )
            ],
        }
        cache.set(key, summary, CACHE_SECONDS)
    return summary


def public_service_point(pk: int, *, on=None) -> PublicServicePoint | None:
    """One service point by its outlet's id, or None when the outlet is not a service
    point that day (never was, closed, its agreement ended)."""
    outlet = (
        Outlet.objects.filter(pk=pk)
        .select_related("municipality")
        .only("municipality__code", "municipality__name", "municipality__county_id")
    ).first()
    if outlet is None:
        return None
    found = public_data(municipality=outlet.municipality, on=on)
    return next((point for point in found.service_points if point.pk == pk), None)


def _scope(municipality, prefix=""):
    if municipality is None:
        return Q()
    return Q(**{f"{prefix}municipality": municipality})


def _versions(municipality):
    return PublicDataVersion.objects.filter(_scope(municipality)).aggregate(
        count=Count("pk"), total=Sum("version"), changed_at=Max("changed_at")
    )


def _service_points(municipality, on) -> tuple[PublicServicePoint, ...]:
    """Read as plain values: at 10 000 service points, making model instances of
    the agreements, outlets and versions cost seconds."""
    # For an agreement in force on the day, `Agreement.version_in_force` is
    # `version_on` the day.
    terms_in_force = AgreementVersion.objects.terms_on(on).values("pk")[:1]
    rows = list(
        Agreement.objects.in_force(on)
        .filter(_scope(municipality), outlet__status=Outlet.Status.OPEN)
        .annotate(terms=Subquery(terms_in_force))
        .order_by("outlet__municipality__name", "outlet__name", "outlet__pk")
        .values(
            "terms",
            "starts_on",
            *(f"outlet__{field}" for field in OUTLET_PUBLIC_FIELDS),
            "outlet__municipality__code",
            "outlet__municipality__name",
            "outlet__municipality__county__name",
        )
    )
    services = defaultdict(list)
    agreed = (
        AgreementService.objects.filter(version__in=[row["terms"] for row in rows])
        .order_by("service__name")
        .values_list("version_id", "service__public_description", "service__name")
    )
    for version_id, description, name in agreed:
        services[version_id].append(description or name)
    # Named in the active language by the model itself ("Nordmalings kommun").
    municipality_names = {
        row["outlet__municipality__code"]: str(
            Municipality(name=row["outlet__municipality__name"])
        )
        for row in rows
    }
    kinds = dict(Outlet.Kind.choices)
    agent_roles = dict(Outlet.AgentRole.choices)
    return tuple(
        PublicServicePoint(
            pk=row["outlet__pk"],
            name=row["outlet__name"],
            kind=row["outlet__kind"],
            kind_label=str(kinds.get(row["outlet__kind"], row["outlet__kind"])),
            chain=row["outlet__chain"],
            street_address=row["outlet__street_address"],
            postcode=row["outlet__postcode"],
            town=row["outlet__town"],
            municipality_code=row["outlet__municipality__code"],
            municipality_name=municipality_names[row["outlet__municipality__code"]],
            county_name=row["outlet__municipality__county__name"],
            latitude=row["outlet__latitude"],
            longitude=row["outlet__longitude"],
            opening_hours=row["outlet__opening_hours"],
            phone=row["outlet__phone"],
            services=tuple(services[row["terms"]]),
            agent_roles=tuple(
                str(agent_roles.get(role, role)) for role in row["outlet__agent_roles"]
            ),
            in_force_since=row["starts_on"],
        )
        for row in rows
    )


# The outlet's columns the public sees: an allow-list, so that a field added to the
# model later stays out.
OUTLET_PUBLIC_FIELDS = (
    "pk",
    "name",
    "kind",
    "chain",
    "street_address",
    "postcode",
    "town",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "agent_roles",
)


def _last_modified(municipality, on, changed_at) -> datetime.datetime | None:
    """The later of the last recorded change and the last day up to `on` on which
    the scope's service points changed by the calendar alone: an agreement came into
    force, ended (the day after its last day) or an amendment took effect. Such a
    day writes no row; from its first moment the public data is different."""
    days = (
        Agreement.objects.signed()
        .filter(_scope(municipality))
        .aggregate(
            started=Max("starts_on", filter=Q(starts_on__lte=on)),
            ended=Max("ends_on", filter=Q(ends_on__lt=on)),
            amended=Max(
                "versions__effective_on",
                filter=Q(
                    versions__signed_at__isnull=False,
                    versions__effective_on__lte=on,
                ),
            ),
        )
    )
    if days["ended"]:
        days["ended"] += datetime.timedelta(days=1)
    moments = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in days.values()
        if day
    ]
    if changed_at:
        moments.append(changed_at)
    return max(moments, default=None)
