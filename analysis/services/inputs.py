"""The engine's inputs: the register's outlets, the municipality's localities and
squares, and the distance to measure by (the road network where it covers them)."""

from dataclasses import dataclass, field

import numpy as np
from pyproj import Transformer

from analysis import engine
from analysis.services.storage import squares_copy_out
from outlets.models import Locality, Outlet


def sweref_xy(latitudes, longitudes):
    transformer = Transformer.from_crs(4326, 3006, always_xy=True)
    easting, northing = transformer.transform(
        np.asarray(longitudes, dtype=float), np.asarray(latitudes, dtype=float)
    )
    return np.column_stack([easting, northing])


@dataclass
class OutletTable:
    """The register's open outlets for the engine, and what to print about them."""

    outlets: engine.Outlets
    info: dict = field(default_factory=dict)
    closed_ids: set = field(default_factory=set)


def outlets_load(*, on=None) -> OutletTable:
    """Every open outlet with a position in any municipality: people cross borders."""
    from agreements.models import Agreement

    service_points = set(
        Agreement.objects.in_force(on=on).values_list("outlet_id", flat=True)
    )
    rows = list(
        Outlet.objects.open()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "kind",
            "agent_roles",
            "latitude",
            "longitude",
            "name",
            "organisation_number",
            "municipality__code",
        )
    )
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    kinds = np.array(
        [kind_row(row[1], row[2], row[0] in service_points) for row in rows]
    )
    xy = (
        sweref_xy([row[3] for row in rows], [row[4] for row in rows])
        if rows
        else np.empty((0, 2))
    )
    info = {
        row[0]: {"name": row[5], "org_number": row[6], "municipality_code": row[7]}
        for row in rows
    }
    return OutletTable(
        outlets=engine.Outlets(
            ids=ids, xy=xy, kinds=kinds.reshape(-1, len(engine.KINDS))
        ),
        info=info,
        closed_ids=set(
            Outlet.objects.exclude(status=Outlet.Status.OPEN).values_list(
                "pk", flat=True
            )
        ),
    )


def kind_row(kind, agent_roles, service_point):
    """Which analysis kinds an outlet counts for.

    A full-range shop is also a grocery shop; an agent is an outlet of kind agent or
    any outlet that is agent for someone (a shop with Systembolaget's agency, say).
    """
    return engine.kind_flags(
        *(["grocery_full"] if kind == "grocery_full" else []),
        *(["grocery"] if kind in ("grocery_full", "grocery") else []),
        *(["fuel"] if kind == "fuel" else []),
        *(["agent"] if kind == "agent" or agent_roles else []),
        *(["service_point"] if service_point else []),
    )


def localities_load(*, municipality):
    localities = list(
        Locality.objects.filter(
            municipality=municipality, latitude__isnull=False, longitude__isnull=False
        ).order_by("pk")
    )
    xy = (
        sweref_xy([p.latitude for p in localities], [p.longitude for p in localities])
        if localities
        else np.empty((0, 2))
    )
    return localities, xy


def squares_load(*, municipality, locality_xy):
    easting, northing, size_m, population, ages = squares_copy_out(
        municipality=municipality
    )
    squares = engine.Squares.from_corners(easting, northing, size_m, population, ages)
    squares.locality = engine.localities_assign(squares.xy, locality_xy)
    return squares


_networks = {}

# A road network measures a municipality's distances only where it reaches the people:
# a network of another region would otherwise snap every square to a road hundreds of
# kilometres away. Covered: at least this share of the people live within this distance
# of a road.
ROAD_REACH_M = 5_000
ROAD_COVERED_SHARE = 0.95


def road_network_loaded(road_network):
    if road_network.pk not in _networks:
        from analysis.roads import RoadNetwork as Network

        # A national network is large: keep the last one built in this process.
        _networks.clear()
        _networks[road_network.pk] = Network.from_bytes(bytes(road_network.data))
    return _networks[road_network.pk]


def road_network_covers(network, squares) -> bool:
    _, reach = network.nodes_nearest(squares.xy)
    reached = squares.population[reach <= ROAD_REACH_M].sum()
    return reached >= ROAD_COVERED_SHARE * squares.population.sum()


def distance_for(*, settings, road_network, squares=None):
    """Along the newest road network if there is one and it covers the squares, else
    straight line × factor."""
    if road_network is not None:
        network = road_network_loaded(road_network)
        if squares is None or road_network_covers(network, squares):
            return engine.RoadDistance(network)
    return engine.StraightLine(settings.detour_factor)
