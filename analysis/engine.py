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

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

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


def _kd_tree(points):
    # scipy is imported with the first analysis, not with the URLs: a process that
    # never analyses (most test sessions, most requests) does not load it.
    from scipy.spatial import cKDTree

    return cKDTree(points)


class _StraightLineIndex:
    def __init__(self, source_xy, distance):
        self.count = len(source_xy)
        self.factor = distance.detour_factor
        self.tree = _kd_tree(source_xy) if self.count else None

    def nearest(self, target_xy, k, excluded=None, rows=None):
        """(distance in metres (n, k), source index (n, k)); inf and -1 where none.
        With `rows`, for the targets target_xy[rows] only."""
        if rows is not None:
            target_xy = target_xy[rows]
        n = len(target_xy)
        excluded = np.asarray(
            [] if excluded is None else excluded, dtype=np.int64
        ).ravel()
        available = self.count - len(np.unique(excluded))
        dist = np.full((n, k), np.inf, order="F")
        idx = np.full((n, k), -1, dtype=np.int64, order="F")
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
        self._snapped = (None, None, None)
        self._lock = threading.Lock()

    def index(self, source_xy):
        return _RoadIndex(np.asarray(source_xy, dtype=float), self)

    def snapped(self, target_xy):
        """The targets' nearest nodes and their distances to them, kept for the
        array last asked about: every kind and scenario of an analysis asks about
        the same squares, and the network's own cache would hash them each time."""
        with self._lock:
            kept_xy, node, offset = self._snapped
            if target_xy is not kept_xy:
                node, offset = self.network.nodes_nearest(np.asarray(target_xy, float))
                self._snapped = (target_xy, node, offset)
            return node, offset


class _RoadIndex:
    """The two nearest sources of every network node, kept: targets are answered by
    a lookup, and closing sources recomputes labels only where they counted."""

    def __init__(self, source_xy, distance):
        self.count = len(source_xy)
        self.distance = distance
        self.labels = distance.network.source_labels(source_xy) if self.count else None

    def nearest(self, target_xy, k, excluded=None, rows=None):
        """As `_StraightLineIndex.nearest`."""
        n = len(target_xy) if rows is None else len(rows)
        dist = np.full((n, k), np.inf, order="F")
        idx = np.full((n, k), -1, dtype=np.int64, order="F")
        if n == 0 or self.labels is None:
            return dist, idx
        target_node, target_offset = self.distance.snapped(target_xy)
        if rows is not None:
            target_node, target_offset = target_node[rows], target_offset[rows]
        if excluded is not None and len(excluded):
            excluded = np.asarray(excluded, dtype=np.int64)
            found_d, found_i = self.labels.at_nodes_without(
                target_node, target_offset, excluded
            )
        else:
            found_d, found_i = self.labels.at_nodes(target_node, target_offset)
        # The labels are inf and -1 together, where no source is reachable.
        take = min(k, found_d.shape[1])
        if take == k:
            return found_d[:, :k], found_i[:, :k]
        dist[:, :take], idx[:, :take] = found_d, found_i
        return dist, idx


@dataclass
class Squares:
    """Populated squares: centres, people, the 19 age classes (or None), locality."""

    xy: np.ndarray
    population: np.ndarray
    ages: np.ndarray | None = None
    locality: np.ndarray | None = None
    _groups: np.ndarray | None = field(default=None, repr=False)
    _weights: np.ndarray | None = field(default=None, repr=False)
    _by_locality: tuple | None = field(default=None, repr=False)

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
    def locality_count(self):
        return self._locality_figures()[0]

    @property
    def locality_bins(self):
        """Each square's locality, the spare last one for squares without."""
        return self._locality_figures()[1]

    @property
    def locality_sums(self):
        """(localities + 1, w) weights and (localities + 1,) squares per locality
        bin: the same for every kind and scenario."""
        return self._locality_figures()[2:]

    def _locality_figures(self):
        # Kept for the locality array they came from: it may be replaced.
        kept = self._by_locality
        if kept is None or kept[0] is not self.locality:
            count = int(self.locality.max()) + 1 if len(self.locality) else 0
            bins = np.where(self.locality >= 0, self.locality, count)
            sums = _sums(bins, self.weights, count + 1)
            squares = np.bincount(bins, minlength=count + 1).astype(float)
            kept = self._by_locality = (self.locality, count, bins, sums, squares)
        return kept[1:]

    @property
    def weights(self):
        """(n, 1 or 6) float columns: people, then the five age groups if known."""
        if self._weights is None:
            columns = [self.population]
            if self.ages is not None:
                columns += list(self.age_groups.T)
            self._weights = np.asfortranarray(np.column_stack(columns), dtype=float)
        return self._weights

    @property
    def age_groups(self):
        """(n, 5) people per reporting age group, or None without ages."""
        if self.ages is None:
            return None
        if self._groups is None:
            indicator = np.zeros((19, len(AGE_GROUPS)))
            for j, part in enumerate(AGE_GROUPS.values()):
                indicator[part, j] = 1
            groups = self.ages.astype(float) @ indicator
            self._groups = groups.round().astype(np.int64)
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
    return _kd_tree(locality_xy).query(square_xy, k=1, workers=-1)[1].astype(np.int64)


class Nearest:
    """The two nearest outlets of one kind per square: metres and outlet rows.

    A closure's are its parent's with the squares searched again replaced
    (`patched`): the full arrays are only made if asked for, as copying them would
    cost a closure more than its search. One thread at a time: an analysis belongs to
    one request or job, and making the arrays is not locked.
    """

    def __init__(self, dist, idx):
        self._dist, self._idx = dist, idx
        self._patch = None

    @classmethod
    def patched(cls, base, rows, dist, idx):
        """`base` with the squares `rows` (sorted, unique) at `dist` and `idx`."""
        nearest = cls(None, None)
        nearest._patch = (base, rows, dist, idx)
        return nearest

    @property
    def dist(self):
        self._materialize()
        return self._dist

    @property
    def idx(self):
        self._materialize()
        return self._idx

    def at(self, rows):
        """(dist, idx) of the squares `rows` only (new arrays)."""
        if self._patch is None:
            return self._dist[rows], self._idx[rows]
        base, patch_rows, patch_dist, patch_idx = self._patch
        dist, idx = base.at(rows)
        if len(patch_rows):
            where = np.minimum(np.searchsorted(patch_rows, rows), len(patch_rows) - 1)
            hit = np.flatnonzero(patch_rows[where] == rows)
            dist[hit], idx[hit] = patch_dist[where[hit]], patch_idx[where[hit]]
        return dist, idx

    def _materialize(self):
        if self._patch is not None:
            base, rows, dist, idx = self._patch
            self._dist, self._idx = base.dist.copy(order="K"), base.idx.copy(order="K")
            self._dist[rows], self._idx[rows] = dist, idx
            self._patch = None


class Analysis:
    """The nearest outlets of every kind for a set of squares, and their figures."""

    def __init__(self, squares, outlets, distance, kinds=KINDS, *, _state=None):
        self.squares = squares
        self.outlets = outlets
        self.distance = distance
        self.kinds = tuple(kinds)
        # Sums over squares, kept per (kind, bands); a scenario derives its own from
        # its parent's by redoing only the squares whose nearest outlets changed.
        self._aggregates = {}
        self._served = {}
        self._parent, self._changed = None, {}
        if _state is not None:
            self._indexes, self.nearest, self._parent, self._changed = _state
            return
        self._indexes = {}
        self.nearest = {}
        _ = self.squares.weights  # made once, before the threads need it
        found = _side_by_side(self._kind_nearest, self.kinds)
        for kind, (members, index, nearest, served) in zip(
            self.kinds, found, strict=True
        ):
            self._indexes[kind] = (members, index)
            self.nearest[kind] = nearest
            self._served[kind] = served

    def _kind_nearest(self, kind):
        """The kind's outlet rows, its index, the two nearest of every square and
        their `Served` figures (made here, beside the other kinds' searches)."""
        members = self.outlets.members(kind)
        index = self.distance.index(self.outlets.xy[members])
        dist, local = index.nearest(self.squares.xy, 2)
        nearest = Nearest(dist, _to_rows(local, members))
        return (
            members,
            index,
            nearest,
            Served.of(self.squares, nearest, len(self.outlets)),
        )

    @property
    def method(self):
        return self.distance.method

    def scenario(self, *, closed=(), added=None, moved=None, kinds=None):
        """The same analysis with outlets closed, added or moved (by outlet id).

        `added` is an `Outlets` of new outlets (negative ids); `moved` maps an outlet id
        to its new (easting, northing); `kinds` limits the scenario to some kinds. Only
        the squares a change can touch are redone.
        """
        moved = dict(moved or {})
        gone_rows = self._rows_of_known(sorted(set(closed) | set(moved)))
        extra = self._moved_outlets(moved)
        if added is not None:
            extra = extra.concatenated(added)
        outlets = self.outlets.concatenated(extra) if len(extra) else self.outlets
        kinds = self.kinds if kinds is None else tuple(kinds)
        nearest, changed = {}, {}
        for kind in kinds:
            base = self.nearest[kind]
            without, touched = self._nearest_without(kind, gone_rows)
            nearest[kind] = self._nearest_with(kind, extra, without)
            # Only the squares searched again can change, unless outlets were added.
            if nearest[kind] is without:
                rows = touched
                before, after = base.at(rows), without.at(rows)
            else:
                rows = np.arange(len(self.squares))
                before = base.dist, base.idx
                after = nearest[kind].dist, nearest[kind].idx
            differs = (before[0] != after[0]).any(axis=1)
            differs |= (before[1] != after[1]).any(axis=1)
            changed[kind] = rows[differs]
        # The register's rows keep their place; closed and moved-away rows are simply
        # never chosen again, so a scenario's outlet table only grows.
        return Analysis(
            self.squares,
            outlets,
            self.distance,
            kinds,
            _state=(
                self._scenario_indexes(outlets, gone_rows),
                nearest,
                self,
                changed,
            ),
        )

    def _rows_of_known(self, outlet_ids):
        """The rows of the outlets with these ids; KeyError for an unknown id."""
        gone_ids = np.asarray(outlet_ids, dtype=np.int64)
        unknown = gone_ids[~self.outlets.has(gone_ids)]
        if len(unknown):
            raise KeyError(int(unknown[0]))
        return self.outlets.positions_of(gone_ids) if len(gone_ids) else gone_ids

    def _moved_outlets(self, moved):
        """The moved outlets at their new places, as new rows with their kinds."""
        extra_ids, extra_xy, extra_kinds = [], [], []
        for outlet_id, xy in moved.items():
            row = self.outlets.positions_of([outlet_id])[0]
            extra_ids.append(outlet_id)
            extra_xy.append(xy)
            extra_kinds.append(self.outlets.kinds[row])
        return Outlets(
            ids=np.asarray(extra_ids, dtype=np.int64),
            xy=np.asarray(extra_xy, dtype=float).reshape(-1, 2),
            kinds=np.asarray(extra_kinds, dtype=bool).reshape(-1, len(KINDS)),
        )

    def _nearest_without(self, kind, gone_rows):
        """The kind's two nearest per square once the `gone_rows` are gone, and the
        squares searched again: those where one of them counted."""
        base = self.nearest[kind]
        touched = np.empty(0, dtype=np.int64)
        if len(gone_rows) and self.outlets.kinds[gone_rows, KINDS.index(kind)].any():
            members, index = self._indexes[kind]
            touched = np.flatnonzero(_in_rows(base.idx, gone_rows))
            if len(touched):
                excluded = np.flatnonzero(np.isin(members, gone_rows))
                local_d, local_i = index.nearest(
                    self.squares.xy, 2, excluded=excluded, rows=touched
                )
                return Nearest.patched(
                    base, touched, local_d, _to_rows(local_i, members)
                ), touched
        return base, touched

    def _nearest_with(self, kind, extra, nearest):
        """The two nearest per square once the `extra` outlets of the kind (rows
        after the register's) are there too; `nearest` itself when there are none."""
        new_members = np.flatnonzero(extra.kinds[:, KINDS.index(kind)])
        if not len(new_members):
            return nearest
        new_index = self.distance.index(extra.xy[new_members])
        new_d, new_i = new_index.nearest(self.squares.xy, min(2, len(new_members)))
        new_rows = _to_rows(new_i, new_members + len(self.outlets))
        return Nearest(*_best_two(nearest.dist, nearest.idx, new_d, new_rows))

    def _scenario_indexes(self, outlets, gone_rows):
        # A scenario of a scenario starts again from the full index of its outlets,
        # without those closed so far.
        return _LazyIndexes(self, outlets, gone_rows)

    def report(self, kind, *, bands_km=(5, 10, 20, 30), threshold=200):
        """The figures of one kind as plain Python values (JSON-ready)."""
        return _report(
            self._aggregate(kind, [float(edge) for edge in bands_km]),
            self.outlets,
            bands_km=bands_km,
            threshold=threshold,
            method=self.method,
            detour_factor=self.distance.detour_factor,
            kind=kind,
        )

    def _aggregate(self, kind, bands_km):
        key = (kind, tuple(bands_km))
        if key not in self._aggregates:
            parent = self._parent
            m = len(self.outlets)
            if parent is not None and kind in self._changed:
                rows = self._changed[kind]
                base = parent._aggregate(kind, bands_km)
                self._aggregates[key] = (
                    base.padded(m)
                    - Sums.of(self.squares, parent.nearest[kind], bands_km, m, rows)
                    + Sums.of(self.squares, self.nearest[kind], bands_km, m, rows)
                )
            else:
                if kind not in self._served:
                    self._served[kind] = Served.of(self.squares, self.nearest[kind], m)
                self._aggregates[key] = Sums.of(
                    self.squares,
                    self.nearest[kind],
                    bands_km,
                    m,
                    served=self._served[kind],
                )
        return self._aggregates[key]


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


def _side_by_side(function, items):
    """`function` of each item, on as many threads as there are cores: the road
    searches and the k-d tree queries release the GIL while they work."""
    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def _in_rows(pairs, rows):
    """Whether each row of `pairs` holds one of `rows`: column by column (columns
    are contiguous in the arrays of nearest outlets), comparing with each of a few
    rows (isin's "sort" kind does), which costs less than a gather."""
    found = np.isin(pairs[:, 0], rows, kind="sort")
    for column in range(1, pairs.shape[1]):
        found |= np.isin(pairs[:, column], rows, kind="sort")
    return found


def _to_rows(local, members):
    """Local indices into `members` → outlet rows, keeping -1."""
    # The index -1 picks the -1 appended.
    return np.append(np.asarray(members, dtype=np.int64), -1)[local]


def _best_two(dist, idx, other_dist, other_idx):
    both_d = np.concatenate([dist, other_dist], axis=1)
    both_i = np.concatenate([idx, other_idx], axis=1)
    order = np.argsort(both_d, axis=1, kind="stable")[:, :2]
    return (
        np.take_along_axis(both_d, order, axis=1),
        np.take_along_axis(both_i, order, axis=1),
    )


# Keys of (locality, outlet row) pairs for the strategic candidates.
_PAIR_SHIFT = 32


@dataclass
class Sums:
    """Sums over squares behind one kind's figures: exact for integers, additive.

    Every figure of a report is a sum over squares, so a scenario's sums are its
    parent's, less the changed squares as they were, plus the same squares as they are
    now. Rows indexed by outlet or locality have a spare last row for squares without
    an outlet or a locality.
    """

    band: np.ndarray  # (bands, w): people and age groups per distance band
    outlet: np.ndarray  # (m + 1, w) per nearest outlet
    outlet_squares: np.ndarray  # (m + 1,)
    beyond: np.ndarray  # (m + 1,) more than 10 km from the next alternative
    transport: np.ndarray  # (m + 1,) person-km of people aged 70+ 5 km or more away
    locality_band: np.ndarray  # (localities + 1, bands) people
    locality: np.ndarray  # (localities + 1, w)
    locality_squares: np.ndarray  # (localities + 1,)
    sole_keys: np.ndarray  # sorted (locality << 32 | outlet row) with a sole outlet
    sole: np.ndarray  # (keys, w)
    unreachable: float
    total: np.ndarray  # (w,)

    @classmethod
    def of(cls, squares, nearest, bands_km, m, rows=None, served=None):
        """The sums over all squares, or over the squares `rows`; `served` is their
        `Served` if known."""
        if served is None:
            served = Served.of(squares, nearest, m, rows)
        weights = squares.weights
        loc_bins = squares.locality_bins
        if rows is not None:
            weights, loc_bins = weights[rows], loc_bins[rows]
        localities = squares.locality_count
        band_count = len(bands_km) + 1
        # Each band includes its lower edge and excludes its upper one: the band is
        # the number of edges at or below the distance.
        band = np.zeros(len(served.near_km), dtype=np.intp)
        for edge in sorted(bands_km):
            band += served.near_km >= edge
        locality, locality_squares = squares.locality_sums
        return cls(
            band=_sums(band, weights, band_count),
            outlet=served.outlet,
            outlet_squares=served.outlet_squares,
            beyond=served.beyond,
            transport=served.transport,
            locality_band=np.bincount(
                loc_bins * band_count + band,
                weights=weights[:, 0],
                minlength=(localities + 1) * band_count,
            ).reshape(localities + 1, band_count),
            locality=locality,
            locality_squares=locality_squares,
            sole_keys=served.sole_keys,
            sole=served.sole,
            unreachable=served.unreachable,
            total=locality.sum(axis=0),
        )

    def padded(self, m):
        """The same sums for an outlet table grown to m rows (scenario additions)."""
        grow = m + 1 - len(self.outlet_squares)
        if not grow:
            return self

        def pad(values):
            # The spare row stays last.
            extra = np.zeros((grow, *values.shape[1:]))
            return np.concatenate([values[:-1], extra, values[-1:]])

        return Sums(
            **{
                **self.__dict__,
                "outlet": pad(self.outlet),
                "outlet_squares": pad(self.outlet_squares),
                "beyond": pad(self.beyond),
                "transport": pad(self.transport),
            }
        )

    def _combined(self, other, sign):
        keys = np.concatenate([self.sole_keys, other.sole_keys])
        values = np.concatenate([self.sole, sign * other.sole])
        sole_keys, inverse = np.unique(keys, return_inverse=True)
        sole = np.column_stack(
            [
                np.bincount(
                    inverse.ravel(), weights=values[:, j], minlength=len(sole_keys)
                )
                for j in range(values.shape[1])
            ]
        ).reshape(len(sole_keys), values.shape[1])
        fields = {
            name: getattr(self, name) + sign * getattr(other, name)
            for name in (
                "band",
                "outlet",
                "outlet_squares",
                "beyond",
                "transport",
                "locality_band",
                "unreachable",
            )
        }
        # The localities' own sums and the total are over all squares, whatever
        # their nearest outlets.
        return Sums(
            **fields,
            locality=self.locality,
            locality_squares=self.locality_squares,
            sole_keys=sole_keys,
            sole=sole,
            total=self.total,
        )

    def __add__(self, other):
        return self._combined(other, 1)

    def __sub__(self, other):
        return self._combined(other, -1)


@dataclass
class Served:
    """What one kind's sums take from the nearest outlets of the squares whatever
    the distance bands: the distances in km, and the sums per outlet and per
    locality with a sole outlet (as in `Sums`)."""

    near_km: np.ndarray
    outlet: np.ndarray
    outlet_squares: np.ndarray
    beyond: np.ndarray
    transport: np.ndarray
    sole_keys: np.ndarray
    sole: np.ndarray
    unreachable: float

    @classmethod
    def of(cls, squares, nearest, m, rows=None):
        """Over all squares, or over the squares `rows`."""
        weights = squares.weights
        loc = squares.locality
        if rows is None:
            dist, idx = nearest.dist, nearest.idx
        else:
            dist, idx = nearest.at(rows)
            weights, loc = weights[rows], loc[rows]
        row = idx[:, 0]
        pop = weights[:, 0]
        # To the millimetre: positions converted between coordinate systems should
        # not move a square across a band edge by a rounding error.
        near_km = np.round(dist[:, 0] / 1000.0, 6)
        next_km = np.round(dist[:, 1] / 1000.0, 6)
        served = row >= 0
        bins = np.where(served, row, m)
        if weights.shape[1] > 1:
            need = np.where(
                served & (near_km >= TRANSPORT_FROM_KM),
                weights[:, 1 + AGE_70_PLUS] * np.where(served, near_km, 0),
                0,
            )
        else:
            need = np.zeros(len(pop))
        sole = np.flatnonzero(
            served
            & (loc >= 0)
            & (near_km <= ALTERNATIVE_KM)
            & (next_km > ALTERNATIVE_KM)
        )
        keys = (loc[sole] << _PAIR_SHIFT) | row[sole]
        sole_keys, inverse = np.unique(keys, return_inverse=True)
        return cls(
            near_km=near_km,
            outlet=_sums(bins, weights, m + 1),
            outlet_squares=np.bincount(bins, minlength=m + 1).astype(float),
            beyond=np.bincount(
                bins,
                weights=np.where(next_km > ALTERNATIVE_KM, pop, 0),
                minlength=m + 1,
            ),
            transport=np.bincount(bins, weights=need, minlength=m + 1),
            sole_keys=sole_keys,
            sole=_sums(inverse.ravel(), weights[sole], len(sole_keys)),
            unreachable=float(pop[~np.isfinite(dist[:, 0])].sum()),
        )


def _sums(keys, weights, size):
    """Sums of each weight column per key in range(size): (size, columns) floats."""
    return np.column_stack(
        [
            np.bincount(keys, weights=weights[:, j], minlength=size)[:size]
            for j in range(weights.shape[1])
        ]
    ).reshape(size, weights.shape[1])


def _ints(values):
    return np.round(values).astype(np.int64).tolist()


def _ages_dict(values):
    """Age-group figures from a row of [people, 0-19, 20-64, 65-79, 80+, 70+]."""
    return _ages_dicts([values])[0]


def _ages_dicts(rows):
    """`_ages_dict` of each row; rows of [people] alone have no age figures.
    Built as dict displays: three times faster than from zip() for thousands."""
    if rows and len(rows[0]) == 1:
        return [dict.fromkeys(AGE_GROUP_NAMES) for _ in rows]
    young, working, older, old, seventy = AGE_GROUP_NAMES
    return [
        {young: a, working: b, older: c, old: d, seventy: e}
        for _, a, b, c, d, e in rows
    ]


def kind_report(
    squares, outlets, nearest, *, bands_km, threshold, method, detour_factor, kind
):
    """Population by distance band and age group, per locality and per outlet."""
    bands = [float(edge) for edge in bands_km]
    return _report(
        Sums.of(squares, nearest, bands, len(outlets)),
        outlets,
        bands_km=bands_km,
        threshold=threshold,
        method=method,
        detour_factor=detour_factor,
        kind=kind,
    )


def _report(sums, outlets, *, bands_km, threshold, method, detour_factor, kind):
    """The figures from their sums, as plain Python values (JSON-ready).

    Written for 600 000 squares: the lists are built from `tolist()` values, and only
    for outlets and localities with squares.
    """
    bands_km = [float(edge) for edge in bands_km]
    totals = _ints(sums.total)
    return {
        "method": method,
        "detour_factor": detour_factor,
        "kind": kind,
        "total_population": totals[0],
        "by_age": _ages_dict(totals),
        "unreachable_population": int(round(sums.unreachable)),
        "bands": _band_figures(sums, bands_km),
        "outlets": _outlet_figures(sums, outlets),
        "localities": _locality_figures(sums),
        "strategic_candidates": _strategic_candidates(sums, outlets, threshold),
    }


def _band_figures(sums, bands_km):
    """The population per distance band, from 0 to beyond the last edge."""
    edges = [0.0, *bands_km]
    band_sums = _ints(sums.band)
    return [
        {
            "from_km": _number(edges[b]),
            "to_km": _number(bands_km[b]) if b < len(bands_km) else None,
            "population": band_sums[b][0],
            "by_age": _ages_dict(band_sums[b]),
        }
        for b in range(len(bands_km) + 1)
    ]


def _outlet_figures(sums, outlets):
    """Per outlet nearest to some square: its dependants, those beyond 10 km if it
    closed, and the transport need of the 70+; most dependants first."""
    has_ages = sums.band.shape[1] > 1
    m = len(outlets)
    outlet_rows = np.flatnonzero(np.round(sums.outlet_squares[:m]) > 0)
    values = np.round(sums.outlet[outlet_rows]).astype(np.int64)
    ids = outlets.ids[outlet_rows]
    # Most dependants first, then by id (ids are unique): ordered before the lists
    # are made, as a numpy sort is far cheaper than sorting the dicts.
    order = np.lexsort((ids, -values[:, 0]))
    outlet_rows, values, ids = outlet_rows[order], values[order], ids[order]
    values = values.tolist()
    return [
        {
            "id": outlet_id,
            "squares": count,
            "dependent_population": row[0],
            "dependent_by_age": by_age,
            "beyond_10_km_if_closed": far,
            "transport_need_70_plus_km": need_km if has_ages else None,
        }
        for outlet_id, count, row, by_age, far, need_km in zip(
            ids.tolist(),
            _ints(sums.outlet_squares[outlet_rows]),
            values,
            _ages_dicts(values),
            _ints(sums.beyond[outlet_rows]),
            np.round(sums.transport[outlet_rows] + 0.0, 1).tolist(),
            strict=True,
        )
    ]


def _locality_figures(sums):
    """Per locality with squares: its people, by age and by distance band."""
    present = np.flatnonzero(np.round(sums.locality_squares[:-1]) > 0)
    values = _ints(sums.locality[present])
    return [
        {
            "locality": index,
            "population": row[0],
            "by_age": by_age,
            "bands": people,
        }
        for index, row, by_age, people in zip(
            present.tolist(),
            values,
            _ages_dicts(values),
            _ints(sums.locality_band[present]),
            strict=True,
        )
    ]


def _strategic_candidates(sums, outlets, threshold):
    """Candidate strategic localities: one outlet is the only one within 10 km of
    at least `threshold` of its people; most people first."""
    if not len(sums.sole_keys):
        return []
    sole = np.round(sums.sole).astype(np.int64)
    # Those with enough people, most people first (ties in key order, as sorted).
    chosen = np.flatnonzero(sole[:, 0] >= threshold)
    chosen = chosen[np.argsort(-sole[chosen, 0], kind="stable")]
    keys = sums.sole_keys[chosen]
    outlet_ids = outlets.ids[keys & ((1 << _PAIR_SHIFT) - 1)]
    values = sole[chosen].tolist()
    return [
        {
            "locality": key >> _PAIR_SHIFT,
            "outlet_id": outlet_id,
            "population": row[0],
            "by_age": by_age,
        }
        for key, outlet_id, row, by_age in zip(
            keys.tolist(), outlet_ids.tolist(), values, _ages_dicts(values), strict=True
        )
    ]


def _number(value):
    """5.0 → 5, 2.5 stays 2.5: band edges as the user wrote them."""
    return int(value) if float(value).is_integer() else float(value)
