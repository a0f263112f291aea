"""Distances along a road network: read road lines, build a graph, find nearest sources.

Pure numpy/scipy, no Django models: the analysis app stores a network with
`RoadNetwork.to_bytes()` and asks it for the nearest outlets ("sources") of the
populated squares ("targets"). Coordinates are SWEREF 99 TM (EPSG:3006) metres,
float64.

A target's distance to a source is the straight line from the target to its nearest
network node, plus the shortest path between the nodes, plus the straight line from
the source's nearest node to the source.
"""

import hashlib
import io
import json
import sqlite3
from pathlib import Path

import numpy as np
import scipy.sparse
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
    import shapely

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
    cross without a shared vertex (bridges, tunnels) do not connect.
    """

    def __init__(self, node_xy: np.ndarray, graph: scipy.sparse.csr_matrix):
        self.node_xy = np.ascontiguousarray(node_xy, dtype=np.float64).reshape(-1, 2)
        self.graph = scipy.sparse.csr_matrix(graph, dtype=np.float64)
        self._tree = None
        self._rows = None
        self._snapped = {}

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
        arrays = [line[:, :2] for line in arrays if line.ndim == 2 and len(line) >= 2]
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
        keep = a != b
        a, b, length = a[keep], b[keep], length[keep]
        key = np.minimum(a, b).astype(np.int64) * len(node_xy) + np.maximum(a, b)
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        length = np.minimum.reduceat(length[order], first) if len(key) else length
        key = key[first]
        used = np.zeros(len(node_xy), dtype=bool)
        used[key // len(node_xy)] = used[key % len(node_xy)] = True
        renumbered = np.cumsum(used) - 1
        low, high = renumbered[key // len(node_xy)], renumbered[key % len(node_xy)]
        n = int(used.sum())
        graph = scipy.sparse.csr_matrix(
            (
                np.concatenate([length, length]),
                (np.concatenate([low, high]), np.concatenate([high, low])),
            ),
            shape=(n, n),
        )
        graph.sort_indices()
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
        except (OSError, KeyError, EOFError) as error:
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
        n = self.graph.shape[0]
        s = len(source_node)
        distance = np.full((n, k), np.inf)
        source = np.full((n, k), -1, dtype=np.int64)
        if n == 0 or s == 0:
            return distance, source
        source_offset = np.asarray(source_offset, dtype=np.float64)
        d1, s1 = _seeded_dijkstra(
            self.graph.indptr,
            self.graph.indices,
            self.graph.data,
            n,
            source_node,
            source_offset,
        )
        distance[:, 0], source[:, 0] = d1, s1
        if k == 1:
            return distance, source

        rows, cols, lengths = self._edge_rows(), self.graph.indices, self.graph.data
        row_source, col_source = s1[rows], s1[cols]
        boundary = row_source != col_source
        own = np.arange(s)
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
    distance, _, origin = dijkstra(
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
    _, first, vertex_point = np.unique(keys, return_index=True, return_inverse=True)
    points = xy[first]
    if snap_m > 0 and len(points) > 1:
        pairs = cKDTree(points).query_pairs(snap_m, output_type="ndarray")
        if len(pairs):
            m = len(points)
            links = scipy.sparse.csr_matrix(
                (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
            )
            _, group = connected_components(links, directed=False)
            _, representative, point_node = np.unique(
                group, return_index=True, return_inverse=True
            )
            return point_node[vertex_point], points[representative]
    return vertex_point.ravel(), points


# --- Synthetic networks for tests and benchmarks --------------------------------------


def synthetic_road_lines(
    n_edges: int, seed: int = 0, bbox=SWEDEN_BBOX
) -> list[np.ndarray]:
    """Lines of a jittered grid road network over `bbox` with about n_edges segments.

    Rows and columns of the grid are roads; 8 % of their links are removed (splitting
    the road there) and 15 % of the cells get a diagonal link. Rows and columns share
    their crossing vertices exactly, as digitised roads share junctions.
    """
    removed, diagonal = 0.08, 0.15
    west, south, east, north = bbox
    per_node = 2 * (1 - removed) + diagonal
    spacing = np.sqrt((east - west) * (north - south) * per_node / n_edges)
    nx = max(2, int(round((east - west) / spacing)) + 1)
    ny = max(2, int(np.ceil(n_edges / per_node / nx)))
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
    return lines


def synthetic_road_network(
    n_edges: int, seed: int = 0, bbox=SWEDEN_BBOX
) -> RoadNetwork:
    """RoadNetwork.from_lines of `synthetic_road_lines`."""
    return RoadNetwork.from_lines(synthetic_road_lines(n_edges, seed, bbox))
