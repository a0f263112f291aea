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

The package holds one module per job: `readers` (road files), `graph` (nodes,
edges and chains), `search` (nearest-source searches and their labels), `network`
(`RoadNetwork`) and `synthetic` (generated networks for tests and benchmarks).
"""

from analysis.roads.network import RoadNetwork
from analysis.roads.readers import SWEREF99TM, RoadFileError, road_lines_read
from analysis.roads.search import SourceLabels, nearest_after_closing
from analysis.roads.synthetic import (
    SWEDEN_BBOX,
    synthetic_road_lines,
    synthetic_road_network,
)

__all__ = [
    "SWEDEN_BBOX",
    "SWEREF99TM",
    "RoadFileError",
    "RoadNetwork",
    "SourceLabels",
    "nearest_after_closing",
    "road_lines_read",
    "synthetic_road_lines",
    "synthetic_road_network",
]
