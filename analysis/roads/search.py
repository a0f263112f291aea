"""Nearest sources by road: multi-source Dijkstra searches that label each node with
its one or two nearest distinct sources, on the whole graph or through its
contracted chains, and the labels kept for closure scenarios (`SourceLabels`)."""

import numpy as np
import scipy.sparse

from analysis.roads.graph import simple_edges, symmetric_csr
from analysis.roads.kernel import two_nearest


def nearest_labels(graph, source_node, source_offset, k, source_id=None):
    """`RoadNetwork.node_nearest_sources` on a CSR graph.

    With `source_id`, entry i is source source_id[i] reached at node source_node[i]
    after source_offset[i] metres; a source may have several entries (it is then
    the nearest of them). The proof there holds for such sources too: a path from a
    source starts with one of its entries.
    """
    n = graph.shape[0]
    s = len(source_node)
    if n == 0 or s == 0:
        return np.full((n, k), np.inf), np.full((n, k), -1, dtype=np.int64)
    own = np.arange(s) if source_id is None else np.asarray(source_id, np.int64)
    return two_nearest(
        graph.indptr,
        graph.indices,
        graph.data,
        np.asarray(source_node, dtype=np.int64),
        np.asarray(source_offset, dtype=np.float64),
        own.astype(np.int64),
        k,
    )


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
    label_distance, label_source = nearest_labels(
        graph, contracted[source_node], source_offset, k
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
        return self.at_nodes(*self.network.nodes_nearest(target_xy))

    def at_nodes(self, target_node, target_offset):
        """`at` for targets already snapped: their nodes and offsets."""
        if not len(self.network.node_xy):
            m = len(target_node)
            return np.full((m, 2), np.inf), np.full((m, 2), -1, dtype=np.int64)
        distance = _gathered(self.distance, target_node)
        distance += target_offset[:, None]
        return distance, _gathered(self.source, target_node)

    def without(self, closed) -> "SourceLabels":
        """The labels once the sources with the indices `closed` have closed too.

        Exact, and local: only the nodes where a closed source was first or second
        change. Their new labels come from a search on those nodes alone, entered
        from each neighbouring node outside them with both of its (unchanged)
        labels, and from the open sources among them: a path from any source into
        the changed nodes passes a last outside node, whose two labels are at least
        as near, and distinct.
        """
        closed_now, nodes, new_distance, new_source = self._changes(closed)
        distance, source = self.distance.copy(), self.source.copy()
        distance[nodes], source[nodes] = new_distance, new_source
        return SourceLabels(
            self.network,
            self.source_node,
            self.source_offset,
            distance,
            source,
            closed_now,
        )

    def at_without(self, target_xy: np.ndarray, closed) -> tuple:
        """`without(closed).at(target_xy)` for a one-off closure: only the changed
        nodes' labels are made, not a copy of every node's."""
        target_node, target_offset = self.network.nodes_nearest(target_xy)
        return self.at_nodes_without(target_node, target_offset, closed)

    def at_nodes_without(self, target_node, target_offset, closed) -> tuple:
        """`at_without` for targets already snapped: their nodes and offsets."""
        _closed_now, nodes, new_distance, new_source = self._changes(closed)
        if not len(self.network.node_xy):
            m = len(target_node)
            return np.full((m, 2), np.inf), np.full((m, 2), -1, dtype=np.int64)
        distance = _gathered(self.distance, target_node)
        source = _gathered(self.source, target_node)
        # `nodes` is sorted: find each target's node among them.
        at = np.minimum(np.searchsorted(nodes, target_node), max(len(nodes) - 1, 0))
        moved = np.flatnonzero(nodes[at] == target_node) if len(nodes) else at[:0]
        distance[moved], source[moved] = new_distance[at[moved]], new_source[at[moved]]
        return distance + target_offset[:, None], source

    def _changes(self, closed):
        """What closing `closed` too changes: the closed sources, the changed nodes
        (sorted) and their new distances and sources."""
        closed_now = self.closed.copy()
        closed_now[np.asarray(closed, dtype=np.int64)] = True
        # Label by label, comparing with each of a few closed sources (isin's "sort"
        # kind does): that costs less than a gather over every node.
        closed_sources = np.flatnonzero(closed_now)
        changed = np.isin(self.source[:, 0], closed_sources, kind="sort")
        changed |= np.isin(self.source[:, 1], closed_sources, kind="sort")
        nodes = np.flatnonzero(changed)
        if not len(nodes):
            return closed_now, nodes, self.distance[nodes], self.source[nodes]
        return closed_now, nodes, *self._relabelled(nodes, changed, closed_now)

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


def _gathered(labels, nodes):
    """labels[nodes], gathered column by column into contiguous columns: gathering
    rows of labels stored by column is several times slower."""
    found = np.empty((len(nodes), labels.shape[1]), dtype=labels.dtype, order="F")
    for column in range(labels.shape[1]):
        np.take(labels[:, column], nodes, out=found[:, column])
    return found


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
