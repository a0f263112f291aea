"""The road graph's building blocks: nodes from snapped vertices, simple undirected
edges in a symmetric CSR matrix, and the chains of two-road nodes between junctions
that searches contract."""

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

# Contract chains of two-road nodes when at least this share of nodes lie on them.
CONTRACT_MIN_SHARE = 0.3


def simple_edges(n, a, b, length):
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


def symmetric_csr(n, low, high, length) -> scipy.sparse.csr_matrix:
    graph = scipy.sparse.csr_matrix(
        (
            np.concatenate([length, length]),
            (np.concatenate([low, high]), np.concatenate([high, low])),
        ),
        shape=(n, n),
    )
    graph.sort_indices()
    return graph


def spatial_order(xy: np.ndarray, bits: int = 16) -> np.ndarray:
    """The points in Z order (their Morton codes sorted): numbered so, nodes near
    each other on the map lie near each other in memory, and a search over a
    national network runs about a quarter faster than on nodes in random order."""
    if not len(xy):
        return np.zeros(0, dtype=np.int64)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    cell = (xy - low) / np.where(span > 0, span, 1.0) * (2**bits - 1)
    cell = cell.astype(np.uint64)
    code = np.zeros(len(xy), dtype=np.uint64)
    for bit in range(bits):
        for axis in range(2):
            code |= ((cell[:, axis] >> np.uint64(bit)) & np.uint64(1)) << np.uint64(
                2 * bit + axis
            )
    return np.argsort(code, kind="stable")


def snapped_nodes(xy: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
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


class Chains:
    """The network's chains: runs of nodes with exactly two roads (a road's shape
    points) between junctions, laid out end to end for numpy.

    Nearest sources are searched on a contracted graph of the junctions and the
    chain nodes where sources lie ("special" nodes), one edge per stretch of chain
    between special nodes, then carried along the chains: a walk from any source to
    another chain node enters its stretch at one of the two special nodes ending it,
    so the node's k best distinct sources are among the k best of either end plus
    the way along the chain (`search.chain_nearest_labels`).

    The layout `seq_*` holds, chain after chain, its first junction (position 0),
    its nodes in order (position = distance along the chain) and its last junction
    (position = the chain's length). A chain with no junction at all (a ring road
    on its own) gets its lowest node as a junction.
    """

    @classmethod
    def of(cls, graph) -> "Chains | None":
        """The chains of `graph`, or None when too few nodes lie on chains to pay."""
        n = graph.shape[0]
        degree = np.diff(graph.indptr)
        rows = np.repeat(np.arange(n), degree)
        cols = graph.indices
        found = _chain_components(n, degree != 2, rows, cols)
        if found is None:
            return None
        kept, interior, inner, component, ends = found
        root = n
        reach, predecessor = _positions_along_chains(
            graph, kept, interior, inner, component, ends, rows, cols, root
        )
        node = np.flatnonzero(interior)
        node = node[np.lexsort((reach[node], component[node]))]

        chains = cls()
        chains.n = n
        chains.kept = kept
        both = kept[rows] & kept[cols] & (rows < cols)
        chains.kept_edges = rows[both], cols[both], graph.data[both]
        chains._lay_out(graph, kept, node, reach[node], predecessor[node], root)
        return chains

    def _lay_out(self, graph, kept, node, position, previous, root):
        """Fill `seq_*`: each chain's nodes in order between its two junctions."""
        first_of_chain = previous == root
        chain = np.cumsum(first_of_chain) - 1
        chain_first, chain_last, opening_junction, closing_junction, length = (
            _chain_ends(graph, kept, node, position, previous, first_of_chain)
        )
        count = len(chain_first)
        size = len(node) + 2 * count
        inside = np.arange(len(node)) + 2 * chain + 1
        opening = chain_first + 2 * np.arange(count)
        closing = chain_last + 2 * np.arange(count) + 2
        self.seq_node = np.empty(size, dtype=np.int64)
        self.seq_position = np.empty(size)
        self.seq_node[inside], self.seq_position[inside] = node, position
        self.seq_node[opening] = opening_junction
        self.seq_position[opening] = 0.0
        self.seq_node[closing] = closing_junction
        self.seq_position[closing] = length
        self.seq_junction = np.zeros(size, dtype=bool)
        self.seq_junction[opening] = self.seq_junction[closing] = True
        self.seq_closing = np.zeros(size, dtype=bool)
        self.seq_closing[closing] = True


def _chain_components(n, kept, rows, cols):
    """The two-road nodes ("interior") and the connected runs they form.

    Returns (kept, interior, inner, component, ends): the nodes kept as junctions
    (a lone ring road's lowest node joins them), the interior nodes, the edges
    between two interior nodes, each node's run, and per node its number of roads
    to a junction. None when too few nodes are interior for contraction to pay.
    """
    for _attempt in range(2):
        interior = ~kept
        if interior.sum() < CONTRACT_MIN_SHARE * n or not interior.any():
            return None
        inner = interior[rows] & interior[cols]
        links = scipy.sparse.csr_matrix(
            (np.ones(int(inner.sum())), (rows[inner], cols[inner])), shape=(n, n)
        )
        component = connected_components(links, directed=False)[1]
        ends = np.bincount(rows[interior[rows] & kept[cols]], minlength=n)
        has_end = np.bincount(component[interior], weights=ends[interior], minlength=n)
        ring = interior & (has_end[component] == 0)
        if not ring.any():
            break
        ring_nodes = np.flatnonzero(ring)
        first = np.unique(component[ring_nodes], return_index=True)[1]
        kept[ring_nodes[first]] = True
    return kept, interior, inner, component, ends


def _positions_along_chains(
    graph, kept, interior, inner, component, ends, rows, cols, root
):
    """Each node's distance along its chain from the chain's first junction, and
    its predecessor on the way (`root` for a chain's first node).

    From a virtual root, with an edge to each chain's start as long as the road
    from its junction, the shortest path to a chain node runs along the chain: its
    length is the node's position.
    """
    n = graph.shape[0]
    candidates = np.flatnonzero(interior & (ends > 0))
    first = np.unique(component[candidates], return_index=True)[1]
    start = candidates[first]
    step_in = np.where(
        kept[cols[graph.indptr[start]]],
        graph.data[graph.indptr[start]],
        graph.data[graph.indptr[start] + 1],
    )
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
    return dijkstra(tree, directed=True, indices=root, return_predecessors=True)


def _chain_ends(graph, kept, node, position, previous, first_of_chain):
    """Per chain (its nodes in order in `node`): the index in `node` of its first
    and last node, the junctions at its start and end, and its length."""
    cols = graph.indices
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
    towards_start[later] = np.where(neighbour[later, 0] == previous[later], 0, 1)
    away = 1 - towards_start
    chain_first = np.flatnonzero(first_of_chain)
    chain_last = np.r_[chain_first[1:] - 1, len(node) - 1]
    length = position[chain_last] + weight[chain_last, away[chain_last]]
    return (
        chain_first,
        chain_last,
        neighbour[chain_first, towards_start[chain_first]],
        neighbour[chain_last, away[chain_last]],
        length,
    )
