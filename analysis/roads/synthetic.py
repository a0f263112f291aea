"""Synthetic road networks for tests and benchmarks: jittered grids over Sweden."""

import numpy as np

from analysis.roads.network import RoadNetwork

# SWEREF 99 TM extent of Sweden (west, south, east, north), for synthetic networks.
SWEDEN_BBOX = (265_000.0, 6_130_000.0, 925_000.0, 7_680_000.0)


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
