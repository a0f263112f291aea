"""Distances along a road network: read road lines, build a graph, find nearest sources.

Pure numpy/scipy, no Django models: the analysis app stores a network with
`RoadNetwork.to_bytes()` and asks it for the nearest outlets ("sources") of the
populated squares ("targets"). Coordinates are SWEREF 99 TM (EPSG:3006) metres,
float64.

A target's distance to a source is the straight line from the target to its nearest
network node, plus the shortest path between the nodes, plus the straight line from
the source's nearest node to the source.

Use in the analysis (squares as targets, open outlets of one kind as sources):

    network = RoadNetwork.from_bytes(stored)
    distance, source = network.nearest_sources(outlet_xy, square_xy, k=2)
    # nearest: distance[:, 0], source[:, 0]; dependants of outlet j: source[:, 0] == j;
    # beyond 10 km if j closed: dependants with distance[:, 1] > 10_000 (inf counts).
    after, after_source = nearest_after_closing(distance, source, closed=j)
    # several closed: network.nearest_sources_excluding(outlet_xy, square_xy, ids)
    # a new outlet: np.minimum(distance[:, 0], network.distances_from(xy, square_xy))
"""

import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse
import shapely
from django.utils.translation import gettext_lazy as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

SWEREF99TM = 3006
# SWEREF 99 TM extent of Sweden (west, south, east, north), for synthetic networks.
SWEDEN_BBOX = (265_000.0, 6_130_000.0, 925_000.0, 7_680_000.0)
_FORMAT_VERSION = 1
_SNAP_CACHE_MIN_POINTS = 10_000
_SNAP_CACHE_SIZE = 4
_SNAP_ORDER_CELL_M = 5_000.0
# Contract chains of two-road nodes when at least this share of nodes lie on them.
_CONTRACT_MIN_SHARE = 0.3
_GEOPACKAGE_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


class RoadFileError(ValueError):
    """A road file that cannot be used; the message tells the user why."""


# --- Reading road files ---------------------------------------------------------------


def road_lines_read(path) -> list[np.ndarray]:
    """Line features from a GeoJSON or GeoPackage file, in SWEREF 99 TM.

    LineString and MultiLineString features are read (each part a (k, 2) array of
    E, N); other geometries and all properties are ignored. GeoJSON without a `crs`
    member is WGS 84 longitude/latitude (RFC 7946) and is projected with pyproj; a
    `crs` naming EPSG:3006 is taken as is, and any other CRS pyproj knows is
    projected. GeoPackage layers are projected from their own spatial reference
    system. Raises RoadFileError on an unreadable file, a file without line features,
    or an unknown CRS.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as error:
        raise RoadFileError(_("The road file could not be opened.")) from error
    if head.startswith(b"SQLite format 3\x00"):
        lines = _geopackage_lines(path)
    else:
        lines = _geojson_lines(path)
    if not lines:
        raise RoadFileError(
            _("The road file holds no lines (LineString or MultiLineString).")
        )
    return lines


def _projected(xy: np.ndarray, crs: CRS) -> np.ndarray:
    """Coordinates (k, 2) in `crs` (x = east or longitude) as SWEREF 99 TM."""
    if crs.to_epsg() == SWEREF99TM:
        projected = xy
    else:
        if (
            crs.is_geographic
            and len(xy)
            and (np.abs(xy[:, 0]).max() > 180 or np.abs(xy[:, 1]).max() > 90)
        ):
            raise RoadFileError(
                _(
                    "The coordinates are not longitude and latitude, which the file's "
                    "coordinate system (%(crs)s) requires. A GeoJSON file in SWEREF 99 "
                    "TM must say so in a crs member (EPSG:3006)."
                )
                % {"crs": crs.name}
            )
        transformer = Transformer.from_crs(crs, SWEREF99TM, always_xy=True)
        east, north = transformer.transform(xy[:, 0], xy[:, 1])
        projected = np.column_stack([east, north])
    if not np.isfinite(projected).all():
        raise RoadFileError(
            _("Some coordinates cannot be converted to SWEREF 99 TM (%(crs)s).")
            % {"crs": crs.name}
        )
    return projected


def _split(xy: np.ndarray, part: np.ndarray) -> list[np.ndarray]:
    """Coordinates split where the part index changes; parts under 2 vertices go."""
    cuts = np.flatnonzero(np.diff(part)) + 1
    return [line for line in np.split(xy, cuts) if len(line) >= 2]


def _geojson_crs(document: dict) -> CRS:
    crs = document.get("crs")
    if crs is None:
        return CRS.from_epsg(4326)
    name = None
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
    try:
        if not isinstance(name, str):
            raise CRSError(name)
        return CRS.from_user_input(name)
    except CRSError as error:
        raise RoadFileError(
            _("The road file's coordinate system (%(crs)s) is not known.")
            % {"crs": json.dumps(crs)[:80]}
        ) from error


def _geojson_geometries(node):
    """Every geometry object in a GeoJSON document, collections opened."""
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "FeatureCollection":
        for feature in node.get("features") or []:
            yield from _geojson_geometries(feature)
    elif kind == "Feature":
        yield from _geojson_geometries(node.get("geometry"))
    elif kind == "GeometryCollection":
        for geometry in node.get("geometries") or []:
            yield from _geojson_geometries(geometry)
    else:
        yield node


def _geojson_positions(coordinates) -> np.ndarray:
    """A GeoJSON line's positions as a (k, 2) array; heights are dropped."""
    try:
        try:
            line = np.asarray(coordinates, dtype=np.float64)
        except ValueError:  # positions of 2 and 3 numbers mixed
            line = np.asarray([position[:2] for position in coordinates], np.float64)
    except (TypeError, ValueError, KeyError) as error:
        line = None
        cause = error
    else:
        cause = None
    if line is None or line.ndim != 2 or line.shape[1] < 2:
        raise RoadFileError(
            _("A line in the road file has coordinates that are not numbers.")
        ) from cause
    return line[:, :2]


def _geojson_lines(path: Path) -> list[np.ndarray]:
    try:
        with path.open("rb") as file:
            document = json.load(file)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RoadFileError(
            _("The road file is neither GeoJSON nor GeoPackage, or it is damaged.")
        ) from error
    if not isinstance(document, dict) or "type" not in document:
        raise RoadFileError(
            _("The road file is neither GeoJSON nor GeoPackage, or it is damaged.")
        )
    crs = _geojson_crs(document)
    parts = []
    for geometry in _geojson_geometries(document):
        kind = geometry.get("type")
        coordinates = geometry.get("coordinates")
        if kind == "LineString":
            parts.append(coordinates)
        elif kind == "MultiLineString" and isinstance(coordinates, list):
            parts.extend(coordinates)
    arrays, part_index = [], []
    for index, coordinates in enumerate(parts):
        if isinstance(coordinates, list) and not coordinates:
            continue  # an empty line
        line = _geojson_positions(coordinates)
        arrays.append(line)
        part_index.append(np.full(len(line), index))
    if not arrays:
        return []
    xy = _projected(np.concatenate(arrays), crs)
    return _split(xy, np.concatenate(part_index))


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _geopackage_crs(organization, code, definition) -> CRS:
    try:
        if organization and organization.upper() == "EPSG" and code and code > 0:
            return CRS.from_epsg(code)
        if definition and definition.strip().lower() != "undefined":
            return CRS.from_wkt(definition)
    except CRSError:
        pass
    raise RoadFileError(
        _("The road file's coordinate system (%(crs)s) is not known.")
        % {"crs": f"{organization}:{code}"}
    )


def _geopackage_wkb(blob: bytes) -> bytes | None:
    """The WKB geometry inside a GeoPackage geometry blob; None for an empty one."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    if flags & 0b10000:  # empty geometry
        return None
    envelope = _GEOPACKAGE_ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise ValueError("bad envelope indicator")
    return blob[8 + envelope :]


def _geopackage_lines(path: Path) -> list[np.ndarray]:
    damaged = _("The road file is not a GeoPackage, or it is damaged.")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RoadFileError(damaged) from error
    lines = []
    try:
        layers = connection.execute(
            "SELECT c.table_name, c.column_name, s.organization,"
            " s.organization_coordsys_id, s.definition"
            " FROM gpkg_geometry_columns c"
            " LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id"
        ).fetchall()
        for table, column, organization, code, definition in layers:
            blobs = [
                blob
                for (blob,) in connection.execute(
                    f"SELECT {_quoted(column)} FROM {_quoted(table)}"  # noqa: S608
                    f" WHERE {_quoted(column)} IS NOT NULL"
                )
            ]
            wkb = [_geopackage_wkb(bytes(blob)) for blob in blobs]
            geometries = shapely.from_wkb([item for item in wkb if item is not None])
            geometries = geometries[
                np.isin(
                    shapely.get_type_id(geometries),
                    [
                        shapely.GeometryType.LINESTRING,
                        shapely.GeometryType.MULTILINESTRING,
                    ],
                )
            ]
            if not len(geometries):
                continue
            crs = _geopackage_crs(organization, code, definition)
            xy, part = shapely.get_coordinates(
                shapely.get_parts(geometries), return_index=True
            )
            lines.extend(_split(_projected(xy, crs), part))
    except (sqlite3.Error, ValueError, shapely.errors.GEOSException) as error:
        if isinstance(error, RoadFileError):
            raise
        raise RoadFileError(damaged) from error
    finally:
        connection.close()
    return lines


# --- The network ----------------------------------------------------------------------


class RoadNetwork:
    """An undirected road graph: nodes with SWEREF 99 TM coordinates, edges in metres.

    Every vertex of the road lines is a node (vertices closer than `snap_m` are one
    node), so squares snap to the road near them, not only to junctions. Roads that
    cross without a shared vertex (bridges, tunnels) do not connect. Where most
    nodes are shape points with two roads, as on digitised roads, searches run on the
    junctions and carry the result along the roads between them (`_Chains`).
    """

    def __init__(self, node_xy: np.ndarray, graph: scipy.sparse.csr_matrix):
        self.node_xy = np.ascontiguousarray(node_xy, dtype=np.float64).reshape(-1, 2)
        self.graph = scipy.sparse.csr_matrix(graph, dtype=np.float64)
        self._tree = None
        self._rows = None
        self._snapped = {}
        self._chain_cache = None

    def __repr__(self):
        return f"<RoadNetwork {len(self.node_xy)} nodes, {self.edge_count} edges>"

    @classmethod
    def from_lines(cls, lines, snap_m: float = 1.0) -> "RoadNetwork":
        """The network of the given lines ((k, 2) arrays of E, N in metres).

        Vertices closer than `snap_m` merge into one node (in chains: a, b, c merge if
        a-b and b-c are close), so lines that share endpoints connect. An edge's length
        is the length of its segment as drawn; where two segments join the same pair of
        nodes, the shorter counts. Lines with fewer than two vertices are ignored.
        """
        arrays = [np.asarray(line, dtype=np.float64) for line in lines]
        arrays = [
            line[:, :2]
            for line in arrays
            if line.ndim == 2 and line.shape[1] >= 2 and len(line) >= 2
        ]
        if not arrays:
            return cls(np.empty((0, 2)), scipy.sparse.csr_matrix((0, 0)))
        xy = np.concatenate(arrays) + 0.0  # + 0.0 turns -0.0 into 0.0 for unique()
        if not np.isfinite(xy).all():
            raise ValueError("Road coordinates must be finite.")
        ends = np.cumsum([len(line) for line in arrays])
        within_line = np.ones(len(xy) - 1, dtype=bool)
        within_line[ends[:-1] - 1] = False
        segment_start = np.flatnonzero(within_line)
        vertex_node, node_xy = _snapped_nodes(xy, snap_m)
        a = vertex_node[segment_start]
        b = vertex_node[segment_start + 1]
        length = np.hypot(*(xy[segment_start + 1] - xy[segment_start]).T)
        return cls._from_edges(node_xy, a, b, length)

    @classmethod
    def _from_edges(cls, node_xy, a, b, length) -> "RoadNetwork":
        """Network from undirected edges; loops dropped, parallel edges: shortest kept,
        nodes without an edge dropped."""
        low, high, length = _simple_edges(len(node_xy), a, b, length)
        used = np.zeros(len(node_xy), dtype=bool)
        used[low] = used[high] = True
        renumbered = np.cumsum(used) - 1
        graph = _symmetric_csr(
            int(used.sum()), renumbered[low], renumbered[high], length
        )
        return cls(node_xy[used], graph)

    @property
    def edge_count(self) -> int:
        return self.graph.nnz // 2

    # Storage ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The network as npz bytes (for a BinaryField): nodes, and each edge once.

        Not zip-compressed: on a national network that saves a quarter of the size
        but makes saving 50 times slower (about 1 s instead of 20 ms).
        """
        upper = scipy.sparse.triu(self.graph, k=1).tocoo()
        index_type = np.int32 if len(self.node_xy) < 2**31 else np.int64
        buffer = io.BytesIO()
        np.savez(
            buffer,
            version=np.array([_FORMAT_VERSION]),
            node_xy=self.node_xy,
            edge_a=upper.row.astype(index_type),
            edge_b=upper.col.astype(index_type),
            edge_m=upper.data.astype(np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "RoadNetwork":
        try:
            with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as stored:
                if int(stored["version"][0]) != _FORMAT_VERSION:
                    raise ValueError("Unknown road network format version.")
                node_xy = stored["node_xy"]
                a, b, length = stored["edge_a"], stored["edge_b"], stored["edge_m"]
        except (OSError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError("Not a stored road network.") from error
        n = len(node_xy)
        graph = scipy.sparse.csr_matrix(
            (np.concatenate([length, length]), (np.r_[a, b], np.r_[b, a])),
            shape=(n, n),
        )
        graph.sort_indices()
        return cls(node_xy, graph)

    # Queries ------------------------------------------------------------------------

    def nodes_nearest(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per point, the nearest node's index and the straight-line distance to it.

        On a network without nodes: index -1, distance inf. The answers for the last
        few large point sets are kept, as the same squares are snapped for every kind
        of outlet and every scenario.
        """
        xy = np.ascontiguousarray(xy, dtype=np.float64).reshape(-1, 2)
        if not len(self.node_xy):
            return np.full(len(xy), -1, dtype=np.int64), np.full(len(xy), np.inf)
        key = None
        if len(xy) >= _SNAP_CACHE_MIN_POINTS:
            key = (len(xy), hashlib.blake2b(xy.data, digest_size=16).digest())
            if key in self._snapped:
                node, distance = self._snapped[key]
                return node.copy(), distance.copy()
        if self._tree is None:
            self._tree = cKDTree(self.node_xy)
        # Points in spatial order query the tree about three times faster.
        order = np.lexsort(np.floor(xy / _SNAP_ORDER_CELL_M).T)
        distance, node = np.empty(len(xy)), np.empty(len(xy), dtype=np.int64)
        distance[order], node[order] = self._tree.query(xy[order])
        if key is not None:
            if len(self._snapped) >= _SNAP_CACHE_SIZE:
                del self._snapped[next(iter(self._snapped))]
            self._snapped[key] = (node.copy(), distance.copy())
        return node, distance

    def nearest_sources(
        self, source_xy: np.ndarray, target_xy: np.ndarray, k: int = 2
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each target point, the k nearest distinct sources by road (k is 1 or 2).

        Returns (distance, source): (m, k) float64 metres, nearest first, and (m, k)
        int64 indices into `source_xy`. Distance = the target's snap distance to its
        nearest node + the shortest path + the source's snap distance to its node.
        Where no source (or fewer than k) is reachable: inf and -1. Sources on the
        same node are distinct sources, both reported at the same distance. Ties
        between sources at equal distance are broken arbitrarily.

        Closure scenarios: with k=2, the nearest source once source c closes is the
        second where the first is c, else the first (`nearest_after_closing`); that is
        exact for one closed source, and all that a closure needs. Closing several at
        once needs `nearest_sources_excluding`.
        """
        if k not in (1, 2):
            raise ValueError("k must be 1 or 2.")
        source_node, source_offset = self.nodes_nearest(source_xy)
        target_node, target_offset = self.nodes_nearest(target_xy)
        node_distance, node_source = self.node_nearest_sources(
            source_node, source_offset, k
        )
        if not len(self.node_xy):
            m = len(target_node)
            return np.full((m, k), np.inf), np.full((m, k), -1, dtype=np.int64)
        distance = node_distance[target_node] + target_offset[:, None]
        return distance, node_source[target_node]

    def source_labels(self, source_xy: np.ndarray) -> "SourceLabels":
        """The two nearest distinct sources of every node, kept for scenarios:
        `.at(target_xy)` answers as `nearest_sources(..., k=2)` and
        `.without(closed)` closes sources, recomputing only where they counted."""
        source_xy = np.asarray(source_xy, dtype=np.float64).reshape(-1, 2)
        source_node, source_offset = self.nodes_nearest(source_xy)
        distance, source = self.node_nearest_sources(source_node, source_offset, 2)
        return SourceLabels(
            self,
            source_node,
            source_offset,
            distance,
            source,
            np.zeros(len(source_xy), dtype=bool),
        )

    def nearest_sources_excluding(
        self,
        source_xy: np.ndarray,
        target_xy: np.ndarray,
        excluded,
        k: int = 1,
    ) -> tuple[np.ndarray, np.ndarray]:
        """`nearest_sources` as if the sources with the `excluded` indices were gone.

        Indices in the result still refer to `source_xy`. One Dijkstra run (two for
        k=2): use it when several sources close at once.
        """
        source_xy = np.asarray(source_xy, dtype=np.float64).reshape(-1, 2)
        remaining = np.setdiff1d(np.arange(len(source_xy)), np.asarray(excluded))
        distance, source = self.nearest_sources(source_xy[remaining], target_xy, k=k)
        return distance, np.where(source >= 0, remaining[source], -1)

    def distances_from(
        self, point_xy, target_xy: np.ndarray, limit: float = np.inf
    ) -> np.ndarray:
        """Road distance from one point (e.g. a new outlet) to each target, in metres.

        Targets farther than `limit` get inf; a finite limit (e.g. the largest current
        nearest distance) keeps the search local. For an added outlet, the new nearest
        distance is the minimum of the current one and this.
        """
        (node,), (offset,) = self.nodes_nearest(np.asarray(point_xy).reshape(1, 2))
        target_node, target_offset = self.nodes_nearest(target_xy)
        if node < 0 or offset > limit:
            return np.full(len(target_node), np.inf)
        path = dijkstra(self.graph, directed=True, indices=node, limit=limit - offset)
        distance = path[target_node] + offset + target_offset
        distance[distance > limit] = np.inf
        return distance

    def _edge_rows(self) -> np.ndarray:
        if self._rows is None:
            self._rows = np.repeat(
                np.arange(self.graph.shape[0], dtype=np.int32),
                np.diff(self.graph.indptr),
            )
        return self._rows

    def node_nearest_sources(
        self, source_node: np.ndarray, source_offset: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per node, the k (1 or 2) nearest distinct sources: (n, k) distances, indices.

        A source j at node v_j with offset o_j is at o_j + path(v_j, u) from node u.

        First nearest: one multi-source Dijkstra from a virtual node per source (edge
        o_j to v_j) gives d1(u) and its source s1(u); the nodes with the same s1 form
        s1's cell.

        Second nearest, exactly, with one more Dijkstra: take u's second source j and
        its shortest path P from v_j to u. If every node of P lies in u's cell, j sits
        at a node of the cell with j != s1 there: seed o_j. Otherwise let w be the last
        node of P outside the cell and x the next one: s1(w) != s1(u) and d1(w) <= the
        distance of j to w, so the seed d1(w) + |wx| at x, with source s1(w), is no
        worse, and the rest of P runs inside the cell. So d2 is the shortest distance
        from the seeds (the best one per node) along edges inside cells; every such
        value is a real walk from a source other than s1(u), so nothing smaller can
        come out.
        """
        if k not in (1, 2):
            raise ValueError("k must be 1 or 2.")
        source_node = np.asarray(source_node, dtype=np.int64)
        source_offset = np.asarray(source_offset, dtype=np.float64)
        chains = self._chains()
        if chains is None:
            return _nearest_labels(
                self.graph, self._edge_rows(), source_node, source_offset, k
            )
        return chains.nearest_labels(source_node, source_offset, k)

    def _chains(self) -> "_Chains | None":
        """The network's chains of two-road nodes, if contracting them pays."""
        if self._chain_cache is None:
            self._chain_cache = _Chains.of(self.graph) or False
        return self._chain_cache or None


class SourceLabels:
    """Per node of a network, its two nearest distinct sources (distance, source index),
    for answering many target sets and closure scenarios without a full search.
    Made by `RoadNetwork.source_labels`."""

    def __init__(self, network, source_node, source_offset, distance, source, closed):
        self.network = network
        self.source_node = source_node
        self.source_offset = source_offset
        self.distance = distance
        self.source = source
        self.closed = closed

    def at(self, target_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The two nearest open sources of each target: (m, 2) metres, (m, 2) indices;
        inf and -1 where there are fewer."""
        target_node, target_offset = self.network.nodes_nearest(target_xy)
        if not len(self.network.node_xy):
            m = len(target_node)
            return np.full((m, 2), np.inf), np.full((m, 2), -1, dtype=np.int64)
        distance = self.distance[target_node] + target_offset[:, None]
        return distance, self.source[target_node]

    def without(self, closed) -> "SourceLabels":
        """The labels once the sources with the indices `closed` have closed too.

        Exact, and local: only the nodes where a closed source was first or second
        change. Their new labels come from a search on those nodes alone, entered
        from each neighbouring node outside them with both of its (unchanged)
        labels, and from the open sources among them: a path from any source into
        the changed nodes passes a last outside node, whose two labels are at least
        as near, and distinct.
        """
        closed_now = self.closed.copy()
        closed_now[np.asarray(closed, dtype=np.int64)] = True
        # A spare last entry answers for the label -1.
        gone = np.r_[closed_now, False]
        changed = gone[self.source[:, 0]] | gone[self.source[:, 1]]
        distance, source = self.distance.copy(), self.source.copy()
        nodes = np.flatnonzero(changed)
        if len(nodes):
            graph = self.network.graph
            # The roads of the changed nodes only (the graph is symmetric).
            degree = graph.indptr[nodes + 1] - graph.indptr[nodes]
            rows = np.repeat(nodes, degree)
            stored = np.repeat(graph.indptr[nodes] - np.cumsum(degree) + degree, degree)
            stored += np.arange(len(rows))
            cols, lengths = graph.indices[stored], graph.data[stored]
            local = np.full(len(changed), -1, dtype=np.int64)
            local[nodes] = np.arange(len(nodes))
            inside = changed[cols]
            indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
            np.cumsum(
                np.bincount(local[rows[inside]], minlength=len(nodes)), out=indptr[1:]
            )
            part = scipy.sparse.csr_matrix(
                (lengths[inside], local[cols[inside]].astype(np.int32), indptr),
                shape=(len(nodes), len(nodes)),
            )
            # Entries from each outside neighbour, with both of its labels.
            entering = np.flatnonzero(~inside)
            entry_node, entry_value, entry_source = [], [], []
            for label in range(2):
                known = self.source[cols[entering], label] >= 0
                edge = entering[known]
                entry_node.append(local[rows[edge]])
                entry_value.append(self.distance[cols[edge], label] + lengths[edge])
                entry_source.append(self.source[cols[edge], label])
            here = np.flatnonzero(~closed_now & changed[self.source_node])
            entry_node.append(local[self.source_node[here]])
            entry_value.append(self.source_offset[here])
            entry_source.append(here)
            distance[nodes], source[nodes] = _nearest_labels(
                part,
                np.repeat(np.arange(len(nodes), dtype=np.int32), np.diff(indptr)),
                np.concatenate(entry_node),
                np.concatenate(entry_value),
                2,
                np.concatenate(entry_source),
            )
        return SourceLabels(
            self.network,
            self.source_node,
            self.source_offset,
            distance,
            source,
            closed_now,
        )


def _nearest_labels(graph, rows, source_node, source_offset, k, source_id=None):
    """`RoadNetwork.node_nearest_sources` on a CSR graph whose expanded row index
    per stored edge is `rows`.

    With `source_id`, entry i is source source_id[i] reached at node source_node[i]
    after source_offset[i] metres; a source may have several entries (it is then
    the nearest of them). The proof above holds for such sources too: a path from a
    source starts with one of its entries.
    """
    n = graph.shape[0]
    s = len(source_node)
    distance = np.full((n, k), np.inf)
    source = np.full((n, k), -1, dtype=np.int64)
    if n == 0 or s == 0:
        return distance, source
    source_offset = np.asarray(source_offset, dtype=np.float64)
    own = np.arange(s) if source_id is None else np.asarray(source_id, np.int64)
    d1, entry = _seeded_dijkstra(
        graph.indptr,
        graph.indices,
        graph.data,
        n,
        source_node,
        source_offset,
    )
    s1 = np.where(entry >= 0, own[entry], -1)
    distance[:, 0], source[:, 0] = d1, s1
    if k == 1:
        return distance, source

    cols, lengths = graph.indices, graph.data
    row_source, col_source = s1[rows], s1[cols]
    boundary = row_source != col_source
    elsewhere = s1[source_node] != own
    seed_node = np.concatenate([cols[boundary], source_node[elsewhere]])
    seed_value = np.concatenate(
        [d1[rows[boundary]] + lengths[boundary], source_offset[elsewhere]]
    )
    seed_source = np.concatenate([row_source[boundary], own[elsewhere]])
    order = np.lexsort((seed_value, seed_node))
    seed_node, seed_value, seed_source = (
        seed_node[order],
        seed_value[order],
        seed_source[order],
    )
    if not len(seed_node):
        return distance, source
    best = np.ones(len(seed_node), dtype=bool)
    best[1:] = seed_node[1:] != seed_node[:-1]

    inside = ~boundary
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[inside], minlength=n), out=indptr[1:])
    d2, seed = _seeded_dijkstra(
        indptr,
        cols[inside],
        lengths[inside],
        n,
        seed_node[best],
        seed_value[best],
    )
    distance[:, 1] = d2
    source[:, 1] = np.where(seed >= 0, seed_source[best][seed], -1)
    return distance, source


def _simple_edges(n, a, b, length):
    """Undirected edges, no loops, the shortest of parallel ones: low, high, length."""
    keep = a != b
    a, b, length = a[keep], b[keep], length[keep]
    key = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    if not len(key):
        return key, key, length
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    length = np.minimum.reduceat(length[order], first)
    key = key[first]
    return key // n, key % n, length


def _symmetric_csr(n, low, high, length) -> scipy.sparse.csr_matrix:
    graph = scipy.sparse.csr_matrix(
        (
            np.concatenate([length, length]),
            (np.concatenate([low, high]), np.concatenate([high, low])),
        ),
        shape=(n, n),
    )
    graph.sort_indices()
    return graph


class _Chains:
    """The network's chains: runs of nodes with exactly two roads (a road's shape
    points) between junctions, laid out end to end for numpy.

    Nearest sources are searched on a contracted graph of the junctions and the
    chain nodes where sources lie ("special" nodes), one edge per stretch of chain
    between special nodes, then carried along the chains: a walk from any source to
    another chain node enters its stretch at one of the two special nodes ending it,
    so the node's k best distinct sources are among the k best of either end plus
    the way along the chain.

    The layout `seq_*` holds, chain after chain, its first junction (position 0),
    its nodes in order (position = distance along the chain) and its last junction
    (position = the chain's length). A chain with no junction at all (a ring road
    on its own) gets its lowest node as a junction.
    """

    @classmethod
    def of(cls, graph) -> "_Chains | None":
        """The chains of `graph`, or None when too few nodes lie on chains to pay."""
        n = graph.shape[0]
        degree = np.diff(graph.indptr)
        kept = degree != 2
        rows = np.repeat(np.arange(n), degree)
        cols = graph.indices
        for _attempt in range(2):
            interior = ~kept
            if interior.sum() < _CONTRACT_MIN_SHARE * n or not interior.any():
                return None
            inner = interior[rows] & interior[cols]
            links = scipy.sparse.csr_matrix(
                (np.ones(int(inner.sum())), (rows[inner], cols[inner])), shape=(n, n)
            )
            component = connected_components(links, directed=False)[1]
            ends = np.bincount(rows[interior[rows] & kept[cols]], minlength=n)
            has_end = np.bincount(
                component[interior], weights=ends[interior], minlength=n
            )
            ring = interior & (has_end[component] == 0)
            if not ring.any():
                break
            ring_nodes = np.flatnonzero(ring)
            first = np.unique(component[ring_nodes], return_index=True)[1]
            kept[ring_nodes[first]] = True
        candidates = np.flatnonzero(interior & (ends > 0))
        first = np.unique(component[candidates], return_index=True)[1]
        start = candidates[first]

        # From a virtual root, with an edge to each chain's start as long as the
        # road from its junction, the shortest path to a chain node runs along the
        # chain: its length is the node's position.
        step_in = np.where(
            kept[cols[graph.indptr[start]]],
            graph.data[graph.indptr[start]],
            graph.data[graph.indptr[start] + 1],
        )
        root = n
        tree = scipy.sparse.csr_matrix(
            (
                np.concatenate([graph.data[inner], step_in]),
                (
                    np.concatenate([rows[inner], np.full(len(start), root)]),
                    np.concatenate([cols[inner], start]),
                ),
            ),
            shape=(n + 1, n + 1),
        )
        reach, predecessor = dijkstra(
            tree, directed=True, indices=root, return_predecessors=True
        )
        node = np.flatnonzero(interior)
        node = node[np.lexsort((reach[node], component[node]))]
        position = reach[node]
        first_of_chain = predecessor[node] == root
        chain = np.cumsum(first_of_chain) - 1
        neighbour = np.stack(
            [cols[graph.indptr[node]], cols[graph.indptr[node] + 1]], axis=1
        )
        weight = np.stack(
            [graph.data[graph.indptr[node]], graph.data[graph.indptr[node] + 1]],
            axis=1,
        )
        # The neighbour towards the chain's start: the predecessor, or for the first
        # node its junction.
        towards_start = np.where(kept[neighbour[:, 0]], 0, 1)
        later = ~first_of_chain
        towards_start[later] = np.where(
            neighbour[later, 0] == predecessor[node[later]], 0, 1
        )
        away = 1 - towards_start
        chain_first = np.flatnonzero(first_of_chain)
        chain_last = np.r_[chain_first[1:] - 1, len(node) - 1]
        length = position[chain_last] + weight[chain_last, away[chain_last]]

        chains = cls()
        chains.n = n
        chains.kept = kept
        both = kept[rows] & kept[cols] & (rows < cols)
        chains.kept_edges = rows[both], cols[both], graph.data[both]
        count = len(chain_first)
        size = len(node) + 2 * count
        inside = np.arange(len(node)) + 2 * chain + 1
        opening = chain_first + 2 * np.arange(count)
        closing = chain_last + 2 * np.arange(count) + 2
        chains.seq_node = np.empty(size, dtype=np.int64)
        chains.seq_position = np.empty(size)
        chains.seq_node[inside], chains.seq_position[inside] = node, position
        chains.seq_node[opening] = neighbour[chain_first, towards_start[chain_first]]
        chains.seq_position[opening] = 0.0
        chains.seq_node[closing] = neighbour[chain_last, away[chain_last]]
        chains.seq_position[closing] = length
        chains.seq_junction = np.zeros(size, dtype=bool)
        chains.seq_junction[opening] = chains.seq_junction[closing] = True
        chains.seq_closing = np.zeros(size, dtype=bool)
        chains.seq_closing[closing] = True
        return chains

    def nearest_labels(self, source_node, source_offset, k):
        """`RoadNetwork.node_nearest_sources` through the contracted graph."""
        special = self.kept.copy()
        special[source_node] = True
        count = int(special.sum())
        contracted = np.full(self.n, -1, dtype=np.int64)
        contracted[special] = np.arange(count)

        seq_special = self.seq_junction | special[self.seq_node]
        at = np.flatnonzero(seq_special)
        stretch = ~self.seq_closing[at[:-1]]
        kept_low, kept_high, kept_length = self.kept_edges
        low, high, length = _simple_edges(
            count,
            np.concatenate(
                [contracted[self.seq_node[at[:-1][stretch]]], contracted[kept_low]]
            ),
            np.concatenate(
                [contracted[self.seq_node[at[1:][stretch]]], contracted[kept_high]]
            ),
            np.concatenate([np.diff(self.seq_position[at])[stretch], kept_length]),
        )
        graph = _symmetric_csr(count, low, high, length)
        rows = np.repeat(np.arange(count, dtype=np.int32), np.diff(graph.indptr))
        label_distance, label_source = _nearest_labels(
            graph, rows, contracted[source_node], source_offset, k
        )

        distance = np.full((self.n, k), np.inf)
        source = np.full((self.n, k), -1, dtype=np.int64)
        distance[special], source[special] = label_distance, label_source
        index = np.arange(len(self.seq_node))
        left = np.maximum.accumulate(np.where(seq_special, index, 0))
        right = np.minimum.accumulate(np.where(seq_special, index, len(index))[::-1])[
            ::-1
        ]
        plain = np.flatnonzero(~seq_special)
        left, right = left[plain], right[plain]
        position = self.seq_position[plain]
        # Candidates: the k best of the stretch's two ends, carried to the node.
        candidate_distance = np.concatenate(
            [
                label_distance[contracted[self.seq_node[left]]]
                + (position - self.seq_position[left])[:, None],
                label_distance[contracted[self.seq_node[right]]]
                + (self.seq_position[right] - position)[:, None],
            ],
            axis=1,
        )
        candidate_source = np.concatenate(
            [
                label_source[contracted[self.seq_node[left]]],
                label_source[contracted[self.seq_node[right]]],
            ],
            axis=1,
        )
        order = np.argsort(candidate_distance, axis=1, kind="stable")
        candidate_distance = np.take_along_axis(candidate_distance, order, axis=1)
        candidate_source = np.take_along_axis(candidate_source, order, axis=1)
        node = self.seq_node[plain]
        distance[node, 0] = candidate_distance[:, 0]
        source[node, 0] = candidate_source[:, 0]
        if k == 2:
            other = (candidate_source != candidate_source[:, [0]]) & (
                candidate_source >= 0
            )
            has_other = other.any(axis=1)
            pick = other.argmax(axis=1)
            rows_all = np.arange(len(node))
            distance[node, 1] = np.where(
                has_other, candidate_distance[rows_all, pick], np.inf
            )
            source[node, 1] = np.where(has_other, candidate_source[rows_all, pick], -1)
        return distance, source


def _seeded_dijkstra(indptr, indices, data, n, seed_node, seed_value):
    """Multi-source Dijkstra where seed i starts at node seed_node[i] with distance
    seed_value[i]: per node, the least distance and the seed it comes from (-1 if none).
    A virtual node per seed, with one edge of the seed's value, carries the start."""
    q = len(seed_node)
    if q == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    start = int(indptr[-1])
    graph = scipy.sparse.csr_matrix(
        (
            np.concatenate([data, seed_value]),
            np.concatenate([indices, seed_node]).astype(np.int32),
            np.concatenate([indptr, start + np.arange(1, q + 1)]),
        ),
        shape=(n + q, n + q),
    )
    distance, _predecessor, origin = dijkstra(
        graph,
        directed=True,
        indices=np.arange(n, n + q),
        min_only=True,
        return_predecessors=True,
    )
    origin = origin[:n].astype(np.int64)
    return distance[:n], np.where(origin >= 0, origin - n, -1)


def nearest_after_closing(
    distance: np.ndarray, source: np.ndarray, closed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each target's nearest source once source `closed` has closed, from a k=2 result
    of `nearest_sources`: the second where the first was `closed`, else the first.
    Exact for one closed source."""
    moved = source[:, 0] == closed
    return (
        np.where(moved, distance[:, 1], distance[:, 0]),
        np.where(moved, source[:, 1], source[:, 0]),
    )


def _snapped_nodes(xy: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Node index per vertex and node coordinates (the first vertex of each group)."""
    keys = np.ascontiguousarray(xy).view(np.dtype((np.void, 16))).ravel()
    first, vertex_point = np.unique(keys, return_index=True, return_inverse=True)[1:]
    points = xy[first]
    if snap_m > 0 and len(points) > 1:
        pairs = cKDTree(points).query_pairs(snap_m, output_type="ndarray")
        if len(pairs):
            m = len(points)
            links = scipy.sparse.csr_matrix(
                (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
            )
            group = connected_components(links, directed=False)[1]
            representative, point_node = np.unique(
                group, return_index=True, return_inverse=True
            )[1:]
            return point_node[vertex_point], points[representative]
    return vertex_point.ravel(), points


# --- Synthetic networks for tests and benchmarks --------------------------------------


def synthetic_road_lines(
    n_edges: int, seed: int = 0, bbox=SWEDEN_BBOX, bends: int = 0
) -> list[np.ndarray]:
    """Lines of a jittered grid road network over `bbox` with about n_edges segments.

    Rows and columns of the grid are roads; 8 % of their links are removed (splitting
    the road there) and 15 % of the cells get a diagonal link. Rows and columns share
    their crossing vertices exactly, as digitised roads share junctions. With
    `bends`, every link between junctions is drawn with that many shape points (the
    segment count stays about n_edges, with fewer junctions).
    """
    removed, diagonal = 0.08, 0.15
    west, south, east, north = bbox
    links = n_edges / (1 + bends)
    per_node = 2 * (1 - removed) + diagonal
    spacing = np.sqrt((east - west) * (north - south) * per_node / links)
    nx = max(2, int(round((east - west) / spacing)) + 1)
    ny = max(2, int(np.ceil(links / per_node / nx)))
    spacing_y = (north - south) / (ny - 1)
    spacing_x = (east - west) / (nx - 1)
    rng = np.random.default_rng(seed)
    x = west + spacing_x * (np.arange(nx)[None, :] + rng.uniform(-0.3, 0.3, (ny, nx)))
    y = south + spacing_y * (np.arange(ny)[:, None] + rng.uniform(-0.3, 0.3, (ny, nx)))
    grid = np.stack([x, y], axis=-1)  # (ny, nx, 2)
    lines = []
    for roads in (grid, grid.transpose(1, 0, 2)):
        for road in roads:
            cut = np.flatnonzero(rng.random(len(road) - 1) < removed) + 1
            lines.extend(piece for piece in np.split(road, cut) if len(piece) >= 2)
    cells = np.argwhere(rng.random((ny - 1, nx - 1)) < diagonal)
    rising = rng.random(len(cells)) < 0.5
    for (j, i), up in zip(cells, rising, strict=True):
        if up:
            lines.append(np.array([grid[j, i], grid[j + 1, i + 1]]))
        else:
            lines.append(np.array([grid[j, i + 1], grid[j + 1, i]]))
    if bends:
        lines = _with_bends(lines, bends, 0.05 * min(spacing_x, spacing_y), rng)
    return lines


def _with_bends(lines, bends, spread, rng) -> list[np.ndarray]:
    """The lines with `bends` jittered shape points inside each segment."""
    counts = np.array([len(line) for line in lines])
    xy = np.concatenate(lines)
    line_of_vertex = np.repeat(np.arange(len(lines)), counts)
    new_counts = counts + (counts - 1) * bends
    new_start = np.r_[0, np.cumsum(new_counts)[:-1]]
    vertex_in_line = np.arange(len(xy)) - np.repeat(
        np.r_[0, np.cumsum(counts)[:-1]], counts
    )
    target = new_start[line_of_vertex] + vertex_in_line * (bends + 1)
    result = np.empty((int(new_counts.sum()), 2))
    result[target] = xy
    segment = np.flatnonzero(vertex_in_line < counts[line_of_vertex] - 1)
    for bend in range(1, bends + 1):
        share = bend / (bends + 1)
        result[target[segment] + bend] = (
            xy[segment] * (1 - share)
            + xy[segment + 1] * share
            + rng.normal(0, spread, (len(segment), 2))
        )
    return np.split(result, np.cumsum(new_counts)[:-1])


def synthetic_road_network(
    n_edges: int, seed: int = 0, bbox=SWEDEN_BBOX, bends: int = 0
) -> RoadNetwork:
    """RoadNetwork.from_lines of `synthetic_road_lines`."""
    return RoadNetwork.from_lines(synthetic_road_lines(n_edges, seed, bbox, bends))
