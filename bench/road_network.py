"""Benchmark: nearest outlets by road on a national-size synthetic road network.

A jittered grid over Sweden's extent with over 1 million road segments, 10 000 outlets
("sources") and 600 000 populated 250 m squares ("targets"), both clustered around
2 000 localities. Measured in one run, with the data in memory:

- building the network from its lines, and storing/loading it as bytes;
- the two nearest outlets of every square (multi-source Dijkstra), on the first
  query (snapping the squares to the network included) and once they are snapped
  (the network keeps the last snapping, as every kind and scenario reuses it);
- the nearest outlet only, and the snapping alone;
- closing one outlet: from the two-nearest result (what a closure needs), and
  recomputed from scratch as when several close at once;
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
    return f"{wall:.2f} s", f"{cpu:.2f} s"


def milliseconds(timing):
    wall, cpu = timing
    return f"{wall * 1000:.1f} ms", f"{cpu * 1000:.1f} ms"


def clustered_points(rng, centres, count, spread_m):
    points = centres[rng.integers(0, len(centres), count)]
    return points + rng.normal(0, spread_m, (count, 2))


def main():
    from analysis.roads import (
        SWEDEN_BBOX,
        RoadNetwork,
        nearest_after_closing,
        synthetic_road_lines,
    )

    rng = np.random.default_rng(SEED)
    west, south, east, north = SWEDEN_BBOX
    lines = synthetic_road_lines(EDGES, seed=SEED)
    network, build = timed(lambda: RoadNetwork.from_lines(lines))
    assert network.edge_count >= 1_000_000, network.edge_count
    stored, save = timed(network.to_bytes)
    network, load = timed(lambda: RoadNetwork.from_bytes(stored))

    localities = rng.uniform((west, south), (east, north), (LOCALITIES, 2))
    sources = clustered_points(rng, localities, SOURCES, 2_000)
    squares = clustered_points(rng, localities, TARGETS, 5_000)
    targets = (np.floor(squares / 250) * 250) + 125  # 250 m square centres

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

    new_outlet = localities[0] + 3_000
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
    in_memory = (
        network.node_xy.nbytes
        + graph.data.nbytes
        + graph.indices.nbytes
        + graph.indptr.nbytes
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nearest_km = np.median(distance[:, 0]) / 1000
    second_km = np.median(distance[:, 1]) / 1000

    rows = [
        ("network: nodes", f"{len(network.node_xy):,}".replace(",", " "), ""),
        (
            "network: road segments (edges)",
            f"{network.edge_count:,}".replace(",", " "),
            "",
        ),
        ("build the network from its lines", *seconds(build)),
        ("network in memory (nodes + CSR graph)", f"{in_memory / 2**20:.0f} MiB", ""),
        ("stored as bytes (npz)", f"{len(stored) / 2**20:.0f} MiB", ""),
        ("save to bytes", *seconds(save)),
        ("load from bytes", *seconds(load)),
        (
            f"snap {TARGETS:,} squares to nodes (k-d tree)".replace(",", " "),
            *seconds(snap),
        ),
        ("two nearest outlets (k=2), first query: with snapping", *seconds(cold)),
        ("two nearest outlets (k=2), squares already snapped", *seconds(both)),
        ("nearest outlet (k=1), squares already snapped", *seconds(first_only)),
        ("squares with no outlet reachable by road", f"{int((~reached).sum())}", ""),
        (
            "median road distance: nearest / second",
            f"{nearest_km:.1f} / {second_km:.1f} km",
            "",
        ),
        (f"close one outlet from k=2 ({moved} squares move)", *milliseconds(closing)),
        ("close one outlet, recomputed (k=1 without it)", *seconds(recompute)),
        (f"open one outlet, road search to 30 km ({gaining} gain)", *seconds(opening)),
        (
            f"k=2 checked against Dijkstra per square ({CHECKED})",
            "exact" if exact else "DIFFERS",
            "",
        ),
        ("peak memory of the process", f"{peak:.0f} MiB", ""),
        (
            "load average (1 min) at the end, on 2 cores",
            f"{os.getloadavg()[0]:.1f}",
            "",
        ),
    ]
    print()
    heading = "measure (road network, synthetic)"
    print(f"| {heading:<56} | {'wall / value':>15} | {'CPU':>9} |")
    print(f"|{'-' * 58}|{'-' * 17}|{'-' * 11}|")
    for measure, value, cpu in rows:
        print(f"| {measure:<56} | {value:>15} | {cpu:>9} |")
    if not exact:
        sys.exit("The two nearest outlets differ from the per-square check.")


if __name__ == "__main__":
    main()
