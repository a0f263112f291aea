"""Benchmark: nearest outlets by road on national-size synthetic road networks.

Two networks over Sweden's extent, each with over 1 million road segments: a jittered
grid whose every vertex is a junction, and the same kind of grid drawn with two shape
points on every road between junctions, as digitised roads are (most nodes then have
two roads, and the search contracts them). 10 000 outlets ("sources") and 600 000
populated 250 m squares ("targets"), both clustered around 2 000 localities.
Measured in one run, with the data in memory:

- building the network from its lines, and storing/loading it as bytes;
- the two nearest outlets of every square (multi-source Dijkstra), on the first
  query (snapping the squares to the network, finding the chains of two-road
  nodes, and loading the compiled search, included) and once they are snapped
  (the network keeps the last snapping, as every kind and scenario reuses it);
- the nearest outlet only, and the snapping alone;
- closing one outlet: from the two-nearest result (the new nearest), recomputed
  from scratch, and on the kept labels of every node (the new two nearest, searched
  again only where the closed outlet was first or second);
- opening one outlet: the road distance from it, searched up to 30 km;
- a check of the two-nearest result against one Dijkstra per square for a sample.

Run with `.venv/bin/python bench/road_network.py`.
"""

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import dijkstra

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

EDGES = 1_050_000
SOURCES = 10_000
TARGETS = 600_000
LOCALITIES = 2_000
CHECKED = 12
SEED = 2026


def timed(function):
    """The result and (wall, CPU) seconds: the machine is shared, and on this
    single-threaded work CPU time is what the wall time would be on an idle one."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, (time.perf_counter() - started, time.process_time() - cpu)


def seconds(timing):
    wall, cpu = timing
    return f"{wall:.2f} s / {cpu:.2f} s"


def milliseconds(timing):
    wall, cpu = timing
    return f"{wall * 1000:.1f} / {cpu * 1000:.1f} ms"


def spaced(number):
    return f"{number:,}".replace(",", " ")


def clustered_points(rng, centres, count, spread_m):
    points = centres[rng.integers(0, len(centres), count)]
    return points + rng.normal(0, spread_m, (count, 2))


def measure(bends, sources, targets, new_outlet, rng):
    """Rows of (measure, value) for one synthetic network."""
    from analysis.roads import RoadNetwork, nearest_after_closing, synthetic_road_lines

    lines = synthetic_road_lines(EDGES, seed=SEED, bends=bends)
    network, build = timed(lambda: RoadNetwork.from_lines(lines))
    assert network.edge_count >= 1_000_000, network.edge_count
    stored, save = timed(network.to_bytes)
    network, load = timed(lambda: RoadNetwork.from_bytes(stored))
    two_roads = float(np.mean(np.diff(network.graph.indptr) == 2))

    (distance, source), cold = timed(
        lambda: network.nearest_sources(sources, targets, k=2)
    )
    _, first_only = timed(lambda: network.nearest_sources(sources, targets, k=1))
    (distance, source), both = timed(
        lambda: network.nearest_sources(sources, targets, k=2)
    )
    fresh = RoadNetwork.from_bytes(stored)
    _, snap = timed(lambda: fresh.nodes_nearest(targets))

    reached = source[:, 0] >= 0
    closed = int(np.bincount(source[reached, 0], minlength=SOURCES).argmax())
    moved = int((source[:, 0] == closed).sum())
    (after, _), closing = timed(lambda: nearest_after_closing(distance, source, closed))
    (again, _), recompute = timed(
        lambda: network.nearest_sources_excluding(sources, targets, [closed])
    )
    assert np.array_equal(after, again[:, 0])
    labels, keep = timed(lambda: network.source_labels(sources))
    # As the analysis does: ask again only for the squares where it was 1st or 2nd.
    touched = (source == closed).any(axis=1)
    (closing_two, _), local = timed(
        lambda: labels.without([closed]).at(targets[touched])
    )
    (closing_once, _), once = timed(
        lambda: labels.at_without(targets[touched], [closed])
    )
    assert np.array_equal(closing_once, closing_two)
    both_again, _ = network.nearest_sources_excluding(sources, targets, [closed], k=2)
    assert np.allclose(closing_two, both_again[touched], rtol=1e-12, atol=1e-6)
    changed_nodes = int((labels.source == closed).any(axis=1).sum())
    reach, opening = timed(
        lambda: network.distances_from(new_outlet, targets, limit=30_000)
    )
    gaining = int((reach < distance[:, 0]).sum())

    # Exactness on a sample: from each square's node, one Dijkstra to every node.
    sample = rng.choice(TARGETS, CHECKED, replace=False)
    target_node, target_offset = network.nodes_nearest(targets[sample])
    source_node, source_offset = network.nodes_nearest(sources)
    paths = dijkstra(network.graph, directed=False, indices=target_node)
    every = target_offset[:, None] + paths[:, source_node] + source_offset[None, :]
    expected = np.sort(every, axis=1)[:, :2]
    exact = np.allclose(distance[sample], expected, rtol=1e-12, atol=1e-6)

    graph = network.graph
    in_memory = sum(
        array.nbytes
        for array in (network.node_xy, graph.data, graph.indices, graph.indptr)
    )
    nearest_km, second_km = np.median(distance, axis=0) / 1000
    return exact, [
        ("nodes", spaced(len(network.node_xy))),
        ("road segments (edges)", spaced(network.edge_count)),
        ("share of nodes with two roads", f"{two_roads:.0%}"),
        ("build the network from its lines", seconds(build)),
        ("network in memory (nodes + CSR graph)", f"{in_memory / 2**20:.0f} MiB"),
        ("stored as bytes (npz)", f"{len(stored) / 2**20:.0f} MiB"),
        ("save to bytes", seconds(save)),
        ("load from bytes", seconds(load)),
        (f"snap {spaced(TARGETS)} squares to nodes", seconds(snap)),
        ("k=2 full, first query (snap, chains, kernel)", seconds(cold)),
        ("k=2 full, squares already snapped", seconds(both)),
        ("k=1 full, squares already snapped", seconds(first_only)),
        ("squares with no outlet reachable", spaced(int((~reached).sum()))),
        ("median road km: nearest / second", f"{nearest_km:.1f} / {second_km:.1f}"),
        ("close 1 outlet from the k=2 result", milliseconds(closing)),
        ("  squares whose nearest closes", spaced(moved)),
        ("close 1 outlet, recomputed (k=1)", seconds(recompute)),
        ("k=2 labels of every node, kept", seconds(keep)),
        ("close 1 outlet on kept labels, new k=2", milliseconds(local)),
        ("  the same, one-off (no copy of the labels)", milliseconds(once)),
        ("  nodes searched again", spaced(changed_nodes)),
        ("  squares asked again", spaced(int(touched.sum()))),
        ("open 1 outlet, road search to 30 km", seconds(opening)),
        ("  squares that get nearer", spaced(gaining)),
        (
            f"k=2 against Dijkstra per square ({CHECKED})",
            "exact" if exact else "DIFFERS",
        ),
    ]


def main():
    from analysis.roads import SWEDEN_BBOX

    rng = np.random.default_rng(SEED)
    west, south, east, north = SWEDEN_BBOX
    localities = rng.uniform((west, south), (east, north), (LOCALITIES, 2))
    sources = clustered_points(rng, localities, SOURCES, 2_000)
    squares = clustered_points(rng, localities, TARGETS, 5_000)
    targets = (np.floor(squares / 250) * 250) + 125  # 250 m square centres
    new_outlet = localities[0] + 3_000

    grid_exact, grid = measure(0, sources, targets, new_outlet, rng)
    bent_exact, bent = measure(2, sources, targets, new_outlet, rng)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(
        f"{spaced(SOURCES)} outlets, {spaced(TARGETS)} squares; times are wall / CPU"
        " (the machine is shared: CPU is what an idle machine would take)."
    )
    print()
    columns = ("grid, every node a junction", "grid, 2 shape points per road")
    print(f"| {'measure':<42} | {columns[0]:>29} | {columns[1]:>29} |")
    print(f"|{'-' * 44}|{'-' * 31}|{'-' * 31}|")
    for (measure_name, first), (_, second) in zip(grid, bent, strict=True):
        print(f"| {measure_name:<42} | {first:>29} | {second:>29} |")
    print(
        f"| {'peak memory of the process':<42} | {f'{peak:.0f} MiB':>29} | {'':>29} |"
    )
    print(
        f"| {'load average (1 min) at the end, 2 cores':<42} | "
        f"{os.getloadavg()[0]:>29.1f} | {'':>29} |"
    )
    if not (grid_exact and bent_exact):
        sys.exit("The two nearest outlets differ from the per-square check.")


if __name__ == "__main__":
    main()
