"""The service-analysis engine: who lives how far from which outlet.

Pure numpy/scipy, no Django, so that it can be benchmarked and tested on its own.
Positions are SWEREF 99 TM metres; reported distances are kilometres.

The expensive step is finding, for every populated square, its two nearest outlets of a
kind (the nearest, and the next alternative should the nearest close). It is done once
per kind and kept; a scenario that closes, adds or moves outlets only redoes the squares
it touches: a closure requeries the squares whose first or second choice closed, an
addition compares every square with the new outlets alone.

How distances are measured is a strategy object (`StraightLine`, `RoadDistance`) with an
`index(source_xy)` that answers `nearest(target_xy, k, excluded)`; every result names
the method that produced it.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

KINDS = ("grocery_full", "grocery", "fuel", "agent", "service_point")

# Reporting age groups from the 19 five-year classes (0-4 … 85-89, 90+).
AGE_GROUPS = {
    "0-19": slice(0, 4),
    "20-64": slice(4, 13),
    "65-79": slice(13, 16),
    "80+": slice(16, 19),
    "70+": slice(14, 19),
}
AGE_GROUP_NAMES = tuple(AGE_GROUPS)
AGE_70_PLUS = AGE_GROUP_NAMES.index("70+")

# The distance rule of the state operating aid for shops: more than 10 km to the next.
ALTERNATIVE_KM = 10.0
# The 70+ transport need counts people living at least this far from their outlet.
TRANSPORT_FROM_KM = 5.0


class StraightLine:
    """Straight line in SWEREF 99 TM times a detour factor."""

    method = "straight_line"

    def __init__(self, detour_factor=1.3):
        self.detour_factor = float(detour_factor)

    def index(self, source_xy):
        return _StraightLineIndex(np.asarray(source_xy, dtype=float), self)


class _StraightLineIndex:
    def __init__(self, source_xy, distance):
        self.count = len(source_xy)
        self.factor = distance.detour_factor
        self.tree = cKDTree(source_xy) if self.count else None

    def nearest(self, target_xy, k, excluded=None):
        """(distance in metres (n, k), source index (n, k)); inf and -1 where none."""
        n = len(target_xy)
        excluded = np.asarray(
            [] if excluded is None else excluded, dtype=np.int64
        ).ravel()
        available = self.count - len(np.unique(excluded))
        dist = np.full((n, k), np.inf)
        idx = np.full((n, k), -1, dtype=np.int64)
        if n == 0 or available <= 0:
            return dist, idx
        ask = min(k + len(excluded), self.count)
        found_d, found_i = self.tree.query(target_xy, k=ask, workers=-1)
        found_d = found_d.reshape(n, ask)
        found_i = found_i.reshape(n, ask).astype(np.int64)
        if len(excluded):
            gone = np.isin(found_i, excluded)
            found_d = np.where(gone, np.inf, found_d)
            order = np.argsort(found_d, axis=1, kind="stable")
            found_d = np.take_along_axis(found_d, order, axis=1)
            found_i = np.take_along_axis(found_i, order, axis=1)
        take = min(k, ask)
        dist[:, :take] = found_d[:, :take] * self.factor
        idx[:, :take] = np.where(np.isfinite(found_d[:, :take]), found_i[:, :take], -1)
        return dist, idx


class RoadDistance:
    """Along a road network: multi-source Dijkstra from the nearest nodes."""

    method = "road_network"
    detour_factor = None

    def __init__(self, network):
        self.network = network

    def index(self, source_xy):
        return _RoadIndex(np.asarray(source_xy, dtype=float), self.network)


class _RoadIndex:
    def __init__(self, source_xy, network):
        self.source_xy = source_xy
        self.network = network

    def nearest(self, target_xy, k, excluded=None):
        n = len(target_xy)
        keep = np.ones(len(self.source_xy), dtype=bool)
        if excluded is not None and len(excluded):
            keep[np.asarray(excluded, dtype=np.int64)] = False
        dist = np.full((n, k), np.inf)
        idx = np.full((n, k), -1, dtype=np.int64)
        if n == 0 or not keep.any():
            return dist, idx
        kept = np.flatnonzero(keep)
        found_d, found_i = self.network.nearest_sources(
            self.source_xy[kept], np.asarray(target_xy, dtype=float), k=k
        )
        found_d = np.asarray(found_d, dtype=float).reshape(n, -1)
        found_i = np.asarray(found_i, dtype=np.int64).reshape(n, -1)
        take = min(k, found_d.shape[1])
        reachable = (found_i[:, :take] >= 0) & np.isfinite(found_d[:, :take])
        dist[:, :take] = np.where(reachable, found_d[:, :take], np.inf)
        idx[:, :take] = np.where(reachable, kept[np.maximum(found_i[:, :take], 0)], -1)
        return dist, idx


@dataclass
class Squares:
    """Populated squares: centres, people, the 19 age classes (or None), locality."""

    xy: np.ndarray
    population: np.ndarray
    ages: np.ndarray | None = None
    locality: np.ndarray | None = None
    _groups: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        self.xy = np.asarray(self.xy, dtype=float).reshape(-1, 2)
        self.population = np.asarray(self.population, dtype=np.int64)
        if self.ages is not None:
            self.ages = np.asarray(self.ages, dtype=np.int64).reshape(-1, 19)
        if self.locality is None:
            self.locality = np.full(len(self.population), -1, dtype=np.int64)
        self.locality = np.asarray(self.locality, dtype=np.int64)

    @classmethod
    def from_corners(cls, easting, northing, size_m, population, ages=None, **kw):
        size = np.asarray(size_m, dtype=float)
        xy = np.column_stack(
            [np.asarray(easting) + size / 2, np.asarray(northing) + size / 2]
        )
        return cls(xy=xy, population=population, ages=ages, **kw)

    def __len__(self):
        return len(self.population)

    @property
    def age_groups(self):
        """(n, 5) people per reporting age group, or None without ages."""
        if self.ages is None:
            return None
        if self._groups is None:
            self._groups = np.column_stack(
                [self.ages[:, part].sum(axis=1) for part in AGE_GROUPS.values()]
            )
        return self._groups


@dataclass
class Outlets:
    """Outlets: ids (negative for scenario additions), positions, kind membership."""

    ids: np.ndarray
    xy: np.ndarray
    kinds: np.ndarray  # (m, len(KINDS)) bool

    def __post_init__(self):
        self.ids = np.asarray(self.ids, dtype=np.int64)
        self.xy = np.asarray(self.xy, dtype=float).reshape(-1, 2)
        self.kinds = np.asarray(self.kinds, dtype=bool).reshape(-1, len(KINDS))

    def __len__(self):
        return len(self.ids)

    def members(self, kind):
        return np.flatnonzero(self.kinds[:, KINDS.index(kind)])

    def positions_of(self, ids):
        """Row of each id (ids must exist); a moved outlet's latest row."""
        order = np.argsort(self.ids, kind="stable")
        where = np.searchsorted(self.ids[order], ids, side="right") - 1
        return order[np.maximum(where, 0)]

    def has(self, ids):
        return np.isin(np.asarray(ids, dtype=np.int64), self.ids)

    def concatenated(self, other):
        return Outlets(
            ids=np.concatenate([self.ids, other.ids]),
            xy=np.concatenate([self.xy, other.xy]),
            kinds=np.concatenate([self.kinds, other.kinds]),
        )


def kind_flags(*kinds):
    """A membership row for the given kinds."""
    return np.array([kind in kinds for kind in KINDS], dtype=bool)


def localities_assign(square_xy, locality_xy):
    """Index of the nearest locality of every square (-1 when there are none)."""
    square_xy = np.asarray(square_xy, dtype=float).reshape(-1, 2)
    locality_xy = np.asarray(locality_xy, dtype=float).reshape(-1, 2)
    if not len(locality_xy) or not len(square_xy):
        return np.full(len(square_xy), -1, dtype=np.int64)
    return cKDTree(locality_xy).query(square_xy, k=1, workers=-1)[1].astype(np.int64)


@dataclass
class Nearest:
    """The two nearest outlets of one kind per square: metres and outlet rows."""

    dist: np.ndarray
    idx: np.ndarray


class Analysis:
    """The nearest outlets of every kind for a set of squares, and their figures."""

    def __init__(self, squares, outlets, distance, kinds=KINDS, *, _state=None):
        self.squares = squares
        self.outlets = outlets
        self.distance = distance
        self.kinds = tuple(kinds)
        if _state is not None:
            self._indexes, self.nearest = _state
            return
        self._indexes = {}
        self.nearest = {}
        for kind in self.kinds:
            members = outlets.members(kind)
            index = distance.index(outlets.xy[members])
            dist, local = index.nearest(squares.xy, 2)
            self._indexes[kind] = (members, index)
            self.nearest[kind] = Nearest(dist, _to_rows(local, members))

    @property
    def method(self):
        return self.distance.method

    def scenario(self, *, closed=(), added=None, moved=None):
        """The same analysis with outlets closed, added or moved (by outlet id).

        `added` is an `Outlets` of new outlets (negative ids); `moved` maps an outlet id
        to its new (easting, northing). Only the squares a change can touch are redone.
        """
        moved = dict(moved or {})
        gone_ids = np.asarray(sorted(set(closed) | set(moved)), dtype=np.int64)
        unknown = gone_ids[~self.outlets.has(gone_ids)]
        if len(unknown):
            raise KeyError(int(unknown[0]))
        gone_rows = self.outlets.positions_of(gone_ids) if len(gone_ids) else gone_ids
        extra_ids, extra_xy, extra_kinds = [], [], []
        for outlet_id, xy in moved.items():
            row = self.outlets.positions_of([outlet_id])[0]
            extra_ids.append(outlet_id)
            extra_xy.append(xy)
            extra_kinds.append(self.outlets.kinds[row])
        extra = Outlets(
            ids=np.asarray(extra_ids, dtype=np.int64),
            xy=np.asarray(extra_xy, dtype=float).reshape(-1, 2),
            kinds=np.asarray(extra_kinds, dtype=bool).reshape(-1, len(KINDS)),
        )
        if added is not None:
            extra = extra.concatenated(added)
        outlets = self.outlets.concatenated(extra) if len(extra) else self.outlets
        nearest = {}
        for kind in self.kinds:
            members, index = self._indexes[kind]
            base = self.nearest[kind]
            dist, idx = base.dist, base.idx
            if len(gone_rows):
                touched = np.isin(idx, gone_rows).any(axis=1)
                if touched.any():
                    excluded = np.flatnonzero(np.isin(members, gone_rows))
                    local_d, local_i = index.nearest(
                        self.squares.xy[touched], 2, excluded=excluded
                    )
                    dist, idx = dist.copy(), idx.copy()
                    dist[touched] = local_d
                    idx[touched] = _to_rows(local_i, members)
            new_members = np.flatnonzero(extra.kinds[:, KINDS.index(kind)])
            if len(new_members):
                new_index = self.distance.index(extra.xy[new_members])
                new_d, new_i = new_index.nearest(
                    self.squares.xy, min(2, len(new_members))
                )
                new_rows = _to_rows(new_i, new_members + len(self.outlets))
                dist, idx = _best_two(dist, idx, new_d, new_rows)
            nearest[kind] = Nearest(dist, idx)
        # The register's rows keep their place; closed and moved-away rows are simply
        # never chosen again, so a scenario's outlet table only grows.
        return Analysis(
            self.squares,
            outlets,
            self.distance,
            self.kinds,
            _state=(self._scenario_indexes(outlets, gone_rows), nearest),
        )

    def _scenario_indexes(self, outlets, gone_rows):
        # A scenario of a scenario starts again from the full index of its outlets,
        # without those closed so far.
        return _LazyIndexes(self, outlets, gone_rows)

    def report(self, kind, *, bands_km=(5, 10, 20, 30), threshold=200):
        """The figures of one kind as plain Python values (JSON-ready)."""
        return kind_report(
            self.squares,
            self.outlets,
            self.nearest[kind],
            bands_km=bands_km,
            threshold=threshold,
            method=self.method,
            detour_factor=self.distance.detour_factor,
            kind=kind,
        )


class _LazyIndexes(dict):
    """Indexes for a scenario's outlet table, built only if a later scenario asks."""

    def __init__(self, parent, outlets, gone_rows):
        super().__init__()
        self.parent, self.outlets = parent, outlets
        self.gone = {int(row) for row in gone_rows}
        if isinstance(parent._indexes, _LazyIndexes):
            self.gone |= parent._indexes.gone

    def __missing__(self, kind):
        members = np.asarray(
            [row for row in self.outlets.members(kind) if int(row) not in self.gone],
            dtype=np.int64,
        )
        entry = (members, self.parent.distance.index(self.outlets.xy[members]))
        self[kind] = entry
        return entry


def _to_rows(local, members):
    """Local indices into `members` → outlet rows, keeping -1."""
    members = np.asarray(members, dtype=np.int64)
    if not len(members):
        return np.full_like(local, -1)
    return np.where(local >= 0, members[np.maximum(local, 0)], -1)


def _best_two(dist, idx, other_dist, other_idx):
    both_d = np.concatenate([dist, other_dist], axis=1)
    both_i = np.concatenate([idx, other_idx], axis=1)
    order = np.argsort(both_d, axis=1, kind="stable")[:, :2]
    return (
        np.take_along_axis(both_d, order, axis=1),
        np.take_along_axis(both_i, order, axis=1),
    )


def _sum_by(keys, weights, size):
    """Integer sums of weights per key in range(size)."""
    if weights.ndim == 1:
        return (
            np.bincount(keys, weights=weights, minlength=size).round().astype(np.int64)
        )
    return np.column_stack(
        [_sum_by(keys, weights[:, j], size) for j in range(weights.shape[1])]
    )


def _ages_dict(values):
    if values is None:
        return dict.fromkeys(AGE_GROUP_NAMES)
    return {
        name: int(value) for name, value in zip(AGE_GROUP_NAMES, values, strict=True)
    }


def kind_report(
    squares,
    outlets,
    nearest,
    *,
    bands_km,
    threshold,
    method,
    detour_factor,
    kind,
):
    """Population by distance band and age group, per locality and per outlet."""
    bands_km = [float(edge) for edge in bands_km]
    band_count = len(bands_km) + 1
    pop = squares.population
    groups = squares.age_groups
    # To the millimetre: positions converted between coordinate systems should not
    # move a square across a band edge by a rounding error.
    near_km = np.round(nearest.dist[:, 0] / 1000.0, 6)
    next_km = np.round(nearest.dist[:, 1] / 1000.0, 6)
    # Each band includes its lower edge and excludes its upper one.
    band = np.searchsorted(np.asarray(bands_km), near_km, side="right")

    band_people = _sum_by(band, pop, band_count)
    band_ages = _sum_by(band, groups, band_count) if groups is not None else None
    edges = [0.0, *bands_km]
    bands = [
        {
            "from_km": _number(edges[b]),
            "to_km": _number(bands_km[b]) if b < len(bands_km) else None,
            "population": int(band_people[b]),
            "by_age": _ages_dict(None if band_ages is None else band_ages[b]),
        }
        for b in range(band_count)
    ]

    # Per outlet: the squares it is nearest for.
    row = nearest.idx[:, 0]
    served = row >= 0
    rows_served = row[served]
    m = len(outlets)
    square_count = np.bincount(rows_served, minlength=m)
    dependent = _sum_by(rows_served, pop[served], m)
    dependent_ages = (
        _sum_by(rows_served, groups[served], m) if groups is not None else None
    )
    far_next = served & (next_km > ALTERNATIVE_KM)
    beyond = _sum_by(row[far_next], pop[far_next], m)
    if groups is not None:
        transport_squares = served & (near_km >= TRANSPORT_FROM_KM)
        transport = np.bincount(
            row[transport_squares],
            weights=groups[transport_squares, AGE_70_PLUS] * near_km[transport_squares],
            minlength=m,
        )
    else:
        transport = None
    outlet_rows = np.flatnonzero(square_count)
    per_outlet = [
        {
            "id": int(outlets.ids[r]),
            "squares": int(square_count[r]),
            "dependent_population": int(dependent[r]),
            "dependent_by_age": _ages_dict(
                None if dependent_ages is None else dependent_ages[r]
            ),
            "beyond_10_km_if_closed": int(beyond[r]),
            "transport_need_70_plus_km": (
                None if transport is None else round(float(transport[r]), 1)
            ),
        }
        for r in outlet_rows
    ]
    per_outlet.sort(key=lambda entry: (-entry["dependent_population"], entry["id"]))

    # Per locality.
    loc = squares.locality
    located = loc >= 0
    locality_count = int(loc.max()) + 1 if located.any() else 0
    per_locality = []
    if locality_count:
        keys = loc[located] * band_count + band[located]
        grid = _sum_by(keys, pop[located], locality_count * band_count).reshape(
            locality_count, band_count
        )
        loc_ages = (
            _sum_by(loc[located], groups[located], locality_count)
            if groups is not None
            else None
        )
        for index in range(locality_count):
            people = int(grid[index].sum())
            if not people and not (loc == index).any():
                continue
            per_locality.append(
                {
                    "locality": index,
                    "population": people,
                    "by_age": _ages_dict(None if loc_ages is None else loc_ages[index]),
                    "bands": [int(value) for value in grid[index]],
                }
            )

    # Candidate strategic localities: one outlet is the only one within 10 km.
    sole = served & located & (near_km <= ALTERNATIVE_KM) & (next_km > ALTERNATIVE_KM)
    strategic = []
    if sole.any():
        keys = loc[sole] * m + row[sole]
        unique, inverse = np.unique(keys, return_inverse=True)
        people = _sum_by(inverse, pop[sole], len(unique))
        sole_ages = (
            _sum_by(inverse, groups[sole], len(unique)) if groups is not None else None
        )
        for j, key in enumerate(unique):
            if people[j] >= threshold:
                strategic.append(
                    {
                        "locality": int(key // m),
                        "outlet_id": int(outlets.ids[key % m]),
                        "population": int(people[j]),
                        "by_age": _ages_dict(
                            None if sole_ages is None else sole_ages[j]
                        ),
                    }
                )
        strategic.sort(key=lambda entry: -entry["population"])

    unreachable = ~np.isfinite(nearest.dist[:, 0])
    return {
        "method": method,
        "detour_factor": detour_factor,
        "kind": kind,
        "total_population": int(pop.sum()),
        "by_age": _ages_dict(None if groups is None else groups.sum(axis=0)),
        "unreachable_population": int(pop[unreachable].sum()),
        "bands": bands,
        "outlets": per_outlet,
        "localities": per_locality,
        "strategic_candidates": strategic,
    }


def _number(value):
    """5.0 → 5, 2.5 stays 2.5: band edges as the user wrote them."""
    return int(value) if float(value).is_integer() else float(value)
