"""The compiled search: per node, its two nearest distinct sources, by Dijkstra.

numba compiles these loops to machine code (cached on disk after the first run), and
they release the GIL, so the kinds of an analysis are searched side by side on
threads. scipy's `dijkstra` did the same work in two runs per kind with a Fibonacci
heap and held the GIL; its `min_only` search gave the same labels.
"""

import numpy as np
from numba import njit


def compiled(**options):
    """numba's njit, releasing the GIL, with its on-disk cache where a folder for it
    is writable (beside this file, NUMBA_CACHE_DIR or the user's cache). numba
    refuses to decorate when none is, as on a deployment with read-only code and no
    home: the search is then compiled once per process instead."""

    def decorate(function):
        try:
            return njit(cache=True, nogil=True, **options)(function)
        except RuntimeError:
            return njit(nogil=True, **options)(function)

    return decorate


@compiled(inline="always")
def _push(heap_key, heap_node, size, key, node):
    """Push (key, node) on the binary min-heap of `size` entries; the new size."""
    j = size
    while j > 0:
        parent = (j - 1) >> 1
        if heap_key[parent] <= key:
            break
        heap_key[j] = heap_key[parent]
        heap_node[j] = heap_node[parent]
        j = parent
    heap_key[j] = key
    heap_node[j] = node
    return size + 1


@compiled(inline="always")
def _pop(heap_key, heap_node, size):
    """Remove the least entry of the heap (read it from [0] first); the new size."""
    size -= 1
    last_key = heap_key[size]
    last_node = heap_node[size]
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        child_key = heap_key[child]
        if child + 1 < size and heap_key[child + 1] < child_key:
            child += 1
            child_key = heap_key[child]
        if child_key >= last_key:
            break
        heap_key[j] = child_key
        heap_node[j] = heap_node[child]
        j = child
    heap_key[j] = last_key
    heap_node[j] = last_node
    return size


@compiled()
def _search(indptr, indices, data, distance, label, cell, within_cells):
    """Dijkstra from every node with a finite `distance`, carrying `label` along;
    with `within_cells`, only along roads between nodes of the same `cell`.

    The heap holds (distance, node) with stale entries skipped when popped: keys in
    the heap itself keep its comparisons in one array. Every push follows a road
    from a node settled once, so there are at most nodes + roads of them.
    """
    n = len(distance)
    capacity = n + len(indices) + 1
    heap_key = np.empty(capacity)
    heap_node = np.empty(capacity, dtype=np.int32)
    settled = np.zeros(n, dtype=np.bool_)
    size = 0
    for v in range(n):
        if distance[v] < np.inf:
            size = _push(heap_key, heap_node, size, distance[v], v)
    while size > 0:
        reached = heap_key[0]
        u = heap_node[0]
        size = _pop(heap_key, heap_node, size)
        if settled[u] or reached > distance[u]:
            continue
        settled[u] = True
        source = label[u]
        for edge in range(indptr[u], indptr[u + 1]):
            v = indices[edge]
            if within_cells and cell[v] != cell[u]:
                continue
            candidate = reached + data[edge]
            if candidate < distance[v]:
                distance[v] = candidate
                label[v] = source
                size = _push(heap_key, heap_node, size, candidate, v)


@compiled()
def two_nearest(indptr, indices, data, seed_node, seed_value, seed_source, k):
    """Per node of the CSR graph, its k (1 or 2) nearest distinct sources.

    Seed i is source seed_source[i] reached at node seed_node[i] after
    seed_value[i] metres (a source may have several seeds). Returns (n, k)
    distances (inf where none) and sources (-1 where none).

    First: one multi-source search gives d1 and s1; the nodes with the same s1 are
    s1's cell. Second: a search along roads inside cells, from the best of these
    seeds per node: across each road into the cell, the other cell's d1 plus the
    road, with its s1; and the seeds of other sources than the cell's. Why that is
    exact: `RoadNetwork.node_nearest_sources`.
    """
    n = len(indptr) - 1
    d1 = np.full(n, np.inf)
    s1 = np.full(n, -1, dtype=np.int64)
    for i in range(len(seed_node)):
        v = seed_node[i]
        if seed_value[i] < d1[v]:
            d1[v] = seed_value[i]
            s1[v] = seed_source[i]
    _search(indptr, indices, data, d1, s1, s1, False)
    # Made (k, n) and returned transposed: each label's column is contiguous, as
    # closures scan them one by one.
    distance = np.full((k, n), np.inf)
    source = np.full((k, n), -1, dtype=np.int64)
    distance[0] = d1
    source[0] = s1
    if k == 1:
        return distance.T, source.T
    d2 = np.full(n, np.inf)
    s2 = np.full(n, -1, dtype=np.int64)
    for i in range(len(seed_node)):
        v = seed_node[i]
        if seed_source[i] != s1[v] and seed_value[i] < d2[v]:
            d2[v] = seed_value[i]
            s2[v] = seed_source[i]
    for u in range(n):
        cell = s1[u]
        if cell < 0:
            continue
        for edge in range(indptr[u], indptr[u + 1]):
            v = indices[edge]
            if s1[v] != cell:
                candidate = d1[u] + data[edge]
                if candidate < d2[v]:
                    d2[v] = candidate
                    s2[v] = cell
    _search(indptr, indices, data, d2, s2, s1, True)
    distance[1] = d2
    source[1] = s2
    return distance.T, source.T
