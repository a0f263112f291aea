"""The road network: a graph built from road lines, stored as bytes, and asked for
the nearest sources of target points (the searches are in `search`)."""

import hashlib
import io
import threading
import zipfile

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from analysis.roads.graph import (
    Chains,
    simple_edges,
    snapped_nodes,
    spatial_order,
    symmetric_csr,
)
from analysis.roads.search import SourceLabels, chain_nearest_labels, nearest_labels

_FORMAT_VERSION = 1
_SNAP_CACHE_MIN_POINTS = 10_000
_SNAP_CACHE_SIZE = 4
_SNAP_ORDER_CELL_M = 5_000.0


class RoadNetwork:
    """An undirected road graph: nodes with SWEREF 99 TM coordinates, edges in metres.

    Every vertex of the road lines is a node (vertices closer than `snap_m` are one
    node), so squares snap to the road near them, not only to junctions. Roads that
    cross without a shared vertex (bridges, tunnels) do not connect. Where most
    nodes are shape points with two roads, as on digitised roads, searches run on the
    junctions and carry the result along the roads between them (`Chains`).
    """

    def __init__(self, node_xy: np.ndarray, graph: scipy.sparse.csr_matrix):
        self.node_xy = np.ascontiguousarray(node_xy, dtype=np.float64).reshape(-1, 2)
        self.graph = scipy.sparse.csr_matrix(graph, dtype=np.float64)
        self._tree = None
        self._snapped = {}
        self._chain_cache = None
        # The kinds of an analysis search on threads side by side; they share the
        # k-d tree, the snapped squares and the chains, each made once.
        self._lock = threading.RLock()

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
        vertex_node, node_xy = snapped_nodes(xy, snap_m)
        a = vertex_node[segment_start]
        b = vertex_node[segment_start + 1]
        length = np.hypot(*(xy[segment_start + 1] - xy[segment_start]).T)
        return cls._from_edges(node_xy, a, b, length)

    @classmethod
    def _from_edges(cls, node_xy, a, b, length) -> "RoadNetwork":
        """Network from undirected edges; loops dropped, parallel edges: shortest kept,
        nodes without an edge dropped, the others numbered in Z order
        (`spatial_order`)."""
        low, high, length = simple_edges(len(node_xy), a, b, length)
        used = np.zeros(len(node_xy), dtype=bool)
        used[low] = used[high] = True
        kept = np.flatnonzero(used)
        kept = kept[spatial_order(node_xy[kept])]
        renumbered = np.full(len(node_xy), -1, dtype=np.int64)
        renumbered[kept] = np.arange(len(kept))
        graph = symmetric_csr(len(kept), renumbered[low], renumbered[high], length)
        return cls(node_xy[kept], graph)

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
        with self._lock:
            return self._nodes_nearest(xy)

    def _nodes_nearest(self, xy):
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

    def node_nearest_sources(
        self, source_node: np.ndarray, source_offset: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per node, the k (1 or 2) nearest distinct sources: (n, k) distances, indices.

        A source j at node v_j with offset o_j is at o_j + path(v_j, u) from node u.

        First nearest: one multi-source Dijkstra, each source starting at its node
        with its offset, gives d1(u) and its source s1(u); the nodes with the same s1
        form s1's cell.

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
            return nearest_labels(self.graph, source_node, source_offset, k)
        return chain_nearest_labels(chains, source_node, source_offset, k)

    def _chains(self) -> "Chains | None":
        """The network's chains of two-road nodes, if contracting them pays."""
        with self._lock:
            if self._chain_cache is None:
                self._chain_cache = Chains.of(self.graph) or False
        return self._chain_cache or None
