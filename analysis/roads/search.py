"""Nearest sources by road: multi-source Dijkstra searches that label each node with
its one or two nearest distinct sources, on the whole graph or through its
contracted chains, and the labels kept for closure scenarios (`SourceLabels`)."""

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import dijkstra

from analysis.roads.graph import simple_edges, symmetric_csr


def seeded_dijkstra(indptr, indices, data, n, seed_node, seed_value):
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


def nearest_labels(graph, rows, source_node, source_offset, k, source_id=None):
    """`RoadNetwork.node_nearest_sources` on a CSR graph whose expanded row index
    per stored edge is `rows`.

    With `source_id`, entry i is source source_id[i] reached at node source_node[i]
    after source_offset[i] metres; a source may have several entries (it is then
    the nearest of them). The proof there holds for such sources too: a path from a
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
    d1, entry = seeded_dijkstra(
        graph.indptr,
        graph.indices,
        graph.data,
        n,
        source_node,
        source_offset,
    )
    s1 = np.where(entry >= 0, own[entry], -1)
    distance[:, 0], source[:, 0] = d1, s1
    if k == 2:
        distance[:, 1], source[:, 1] = _second_labels(
            graph, rows, source_node, source_offset, own, d1, s1
        )
    return distance, source


def _second_labels(graph, rows, source_node, source_offset, own, d1, s1):
    """Per node, its nearest source other than its first (`s1`), and the distance:
    a search from the seeds of `_cell_seeds` along the edges inside cells."""
    n = graph.shape[0]
    cols, lengths = graph.indices, graph.data
    boundary = s1[rows] != s1[cols]
    seed_node, seed_value, seed_source = _cell_seeds(
        graph, rows, boundary, source_node, source_offset, own, d1, s1
    )
    if not len(seed_node):
        return np.inf, -1
    inside = ~boundary
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[inside], minlength=n), out=indptr[1:])
    d2, seed = seeded_dijkstra(
        indptr,
        cols[inside],
        lengths[inside],
        n,
        seed_node,
        seed_value,
    )
    return d2, np.where(seed >= 0, seed_source[seed], -1)


def _cell_seeds(graph, rows, boundary, source_node, source_offset, own, d1, s1):
    """The seeds of the second search, the best one per node: across each edge
    between two cells, the first label of the node on the other side; and each
    source at a node of another source's cell. Returns node, value, source."""
    cols, lengths = graph.indices, graph.data
    elsewhere = s1[source_node] != own
    seed_node = np.concatenate([cols[boundary], source_node[elsewhere]])
    seed_value = np.concatenate(
        [d1[rows[boundary]] + lengths[boundary], source_offset[elsewhere]]
    )
    seed_source = np.concatenate([s1[rows][boundary], own[elsewhere]])
    order = np.lexsort((seed_value, seed_node))
    seed_node, seed_value, seed_source = (
        seed_node[order],
        seed_value[order],
        seed_source[order],
    )
    best = np.ones(len(seed_node), dtype=bool)
    best[1:] = seed_node[1:] != seed_node[:-1]
    return seed_node[best], seed_value[best], seed_source[best]


def chain_nearest_labels(chains, source_node, source_offset, k):
    """`RoadNetwork.node_nearest_sources` through the contracted graph of `chains`
    (a `graph.Chains`): a search on the special nodes, carried along the chains."""
    special = chains.kept.copy()
    special[source_node] = True
    count = int(special.sum())
    contracted = np.full(chains.n, -1, dtype=np.int64)
    contracted[special] = np.arange(count)
    seq_special = chains.seq_junction | special[chains.seq_node]

    graph = _contracted_graph(chains, contracted, count, seq_special)
    rows = np.repeat(np.arange(count, dtype=np.int32), np.diff(graph.indptr))
    label_distance, label_source = nearest_labels(
        graph, rows, contracted[source_node], source_offset, k
    )

    distance = np.full((chains.n, k), np.inf)
    source = np.full((chains.n, k), -1, dtype=np.int64)
    distance[special], source[special] = label_distance, label_source
    node, candidate_distance, candidate_source = _stretch_candidates(
        chains, contracted, seq_special, label_distance, label_source
    )
    distance[node, 0] = candidate_distance[:, 0]
    source[node, 0] = candidate_source[:, 0]
    if k == 2:
        distance[node, 1], source[node, 1] = _second_distinct(
            candidate_distance, candidate_source
        )
    return distance, source


def _contracted_graph(chains, contracted, count, seq_special):
    """The graph of the special nodes (numbered by `contracted`): one edge per
    stretch of chain between two of them, and the roads between junctions."""
    at = np.flatnonzero(seq_special)
    stretch = ~chains.seq_closing[at[:-1]]
    kept_low, kept_high, kept_length = chains.kept_edges
    low, high, length = simple_edges(
        count,
        np.concatenate(
            [contracted[chains.seq_node[at[:-1][stretch]]], contracted[kept_low]]
        ),
        np.concatenate(
            [contracted[chains.seq_node[at[1:][stretch]]], contracted[kept_high]]
        ),
        np.concatenate([np.diff(chains.seq_position[at])[stretch], kept_length]),
    )
    return symmetric_csr(count, low, high, length)


def _stretch_candidates(chains, contracted, seq_special, label_distance, label_source):
    """Per chain node that is not special: the labels of its stretch's two ends,
    carried to the node, nearest first. Returns node, distances, sources."""
    index = np.arange(len(chains.seq_node))
    left = np.maximum.accumulate(np.where(seq_special, index, 0))
    right = np.minimum.accumulate(np.where(seq_special, index, len(index))[::-1])[::-1]
    plain = np.flatnonzero(~seq_special)
    left, right = left[plain], right[plain]
    position = chains.seq_position[plain]
    left_label = contracted[chains.seq_node[left]]
    right_label = contracted[chains.seq_node[right]]
    candidate_distance = np.concatenate(
        [
            label_distance[left_label]
            + (position - chains.seq_position[left])[:, None],
            label_distance[right_label]
            + (chains.seq_position[right] - position)[:, None],
        ],
        axis=1,
    )
    candidate_source = np.concatenate(
        [label_source[left_label], label_source[right_label]], axis=1
    )
    order = np.argsort(candidate_distance, axis=1, kind="stable")
    return (
        chains.seq_node[plain],
        np.take_along_axis(candidate_distance, order, axis=1),
        np.take_along_axis(candidate_source, order, axis=1),
    )


def _second_distinct(candidate_distance, candidate_source):
    """Per row of candidates (nearest first), the first one from another source
    than the first candidate's: distance and source, or inf and -1."""
    other = (candidate_source != candidate_source[:, [0]]) & (candidate_source >= 0)
    has_other = other.any(axis=1)
    pick = other.argmax(axis=1)
    rows_all = np.arange(len(candidate_source))
    return (
        np.where(has_other, candidate_distance[rows_all, pick], np.inf),
        np.where(has_other, candidate_source[rows_all, pick], -1),
    )


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
            distance[nodes], source[nodes] = self._relabelled(
                nodes, changed, closed_now
            )
        return SourceLabels(
            self.network,
            self.source_node,
            self.source_offset,
            distance,
            source,
            closed_now,
        )

    def _relabelled(self, nodes, changed, closed_now):
        """The new labels of the changed `nodes`, from a search on them alone."""
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
        entry_node, entry_value, entry_source = self._entries(
            local, rows, cols, lengths, np.flatnonzero(~inside), changed, closed_now
        )
        return nearest_labels(
            part,
            np.repeat(np.arange(len(nodes), dtype=np.int32), np.diff(indptr)),
            entry_node,
            entry_value,
            2,
            entry_source,
        )

    def _entries(self, local, rows, cols, lengths, entering, changed, closed_now):
        """Where the search on the changed nodes starts: from each outside
        neighbour (the edges `entering`) with both of its labels, and from the open
        sources at changed nodes. Returns local node, distance, source."""
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
        return (
            np.concatenate(entry_node),
            np.concatenate(entry_value),
            np.concatenate(entry_source),
        )


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
