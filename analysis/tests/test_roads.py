"""The road network: reading road files, building the graph, nearest sources by road."""

import json
import math
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
import shapely
from django.utils import translation
from scipy.sparse.csgraph import dijkstra

from analysis.roads import (
    RoadFileError,
    RoadNetwork,
    nearest_after_closing,
    road_lines_read,
    synthetic_road_lines,
    synthetic_road_network,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sweref99tm(latitude, longitude):
    """GRS 80 latitude/longitude to SWEREF 99 TM (E, N) by Lantmäteriet's published
    Gauss-Krüger formulas: an independent check of what pyproj gives."""
    a, f = 6378137.0, 1 / 298.257222101
    e2, n = f * (2 - f), f / (2 - f)
    a_roof = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    big_a = e2
    big_b = (5 * e2**2 - e2**3) / 6
    big_c = (104 * e2**3 - 45 * e2**4) / 120
    big_d = 1237 * e2**4 / 1260
    phi, dlambda = math.radians(latitude), math.radians(longitude - 15)
    s = math.sin(phi)
    conformal = phi - s * math.cos(phi) * (
        big_a + big_b * s**2 + big_c * s**4 + big_d * s**6
    )
    xi = math.atan(math.tan(conformal) / math.cos(dlambda))
    eta = math.atanh(math.cos(conformal) * math.sin(dlambda))
    beta = [
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    ]
    north = (
        0.9996
        * a_roof
        * (
            xi
            + sum(
                b * math.sin(2 * i * xi) * math.cosh(2 * i * eta)
                for i, b in enumerate(beta, 1)
            )
        )
    )
    east = 500_000 + 0.9996 * a_roof * (
        eta
        + sum(
            b * math.cos(2 * i * xi) * math.sinh(2 * i * eta)
            for i, b in enumerate(beta, 1)
        )
    )
    return east, north


# --- A hand-drawn network -------------------------------------------------------------
#
#   B(0,1000) ------- C(1000,1000)
#   |                 |
#   A(0,0)            D(1000,0)      two lines, A-B-C and C-D, sharing C
#
# Target t near A at (-30,-40): 50 m to A. Source 0 near D at (1000,-10): 10 m to D.
# Source 1 near B at (0,1020): 20 m to B.


def u_network(snap_m=1.0, gap=0.0):
    return RoadNetwork.from_lines(
        [
            np.array([[0, 0], [0, 1000], [1000, 1000]], dtype=float),
            np.array([[1000 + gap, 1000], [1000 + gap, 0]], dtype=float),
        ],
        snap_m=snap_m,
    )


def test_road_distance_goes_round_the_road_not_straight_across():
    network = u_network()
    sources = np.array([[1000, -10], [0, 1020]], dtype=float)
    target = np.array([[-30, -40]], dtype=float)

    distance, source = network.nearest_sources(sources, target, k=2)

    # Source 1: 50 + A-B 1000 + 20. Source 0: 50 + A-B-C-D 3000 + 10, though it is
    # only about 1 000 m away in a straight line.
    assert source.tolist() == [[1, 0]]
    assert distance.tolist() == [[1070.0, 3060.0]]
    assert network.edge_count == 3
    assert len(network.node_xy) == 4


def test_nodes_nearest_gives_the_node_and_the_straight_line_to_it():
    network = u_network()
    node, distance = network.nodes_nearest(np.array([[-30, -40], [1003, 996]]))
    assert network.node_xy[node].tolist() == [[0, 0], [1000, 1000]]
    assert distance.tolist() == [50.0, 5.0]


def test_lines_whose_ends_are_closer_than_the_snap_distance_connect():
    joined = u_network(snap_m=1.0, gap=0.4)
    apart = u_network(snap_m=0.1, gap=0.4)
    sources = np.array([[1000.4, -10]], dtype=float)
    target = np.array([[-30, -40]], dtype=float)

    assert joined.edge_count == 3
    # The C-D segment keeps its drawn length; only the ends are joined.
    assert joined.nearest_sources(sources, target, k=1)[0].tolist() == [[3060.0]]
    assert apart.edge_count == 3
    assert len(apart.node_xy) == 5
    distance, source = apart.nearest_sources(sources, target, k=1)
    assert distance.tolist() == [[np.inf]]
    assert source.tolist() == [[-1]]


def test_a_segment_drawn_twice_counts_once_with_the_shorter_length():
    network = RoadNetwork.from_lines(
        [
            np.array([[0, 0], [100, 0]], dtype=float),
            np.array([[100, 0], [50, 30], [0, 0]], dtype=float),
            np.array([[0, 0], [100, 0]], dtype=float),
        ]
    )
    assert network.edge_count == 3
    distance, _ = network.nearest_sources(
        np.array([[0.0, 0.0]]), np.array([[100.0, 0.0]]), k=1
    )
    assert distance.tolist() == [[100.0]]


def test_sources_on_the_same_node_are_both_reported_at_the_same_distance():
    network = u_network()
    sources = np.array([[1000, 1000], [1000, 1000], [0, 0]], dtype=float)
    distance, source = network.nearest_sources(sources, np.array([[1000.0, 0.0]]))
    assert sorted(source[0].tolist()) == [0, 1]
    assert distance.tolist() == [[1000.0, 1000.0]]


def test_unreachable_targets_and_missing_second_sources_are_inf_and_minus_one():
    network = RoadNetwork.from_lines(
        [
            np.array([[0, 0], [100, 0]], dtype=float),
            np.array([[5000, 0], [5100, 0]], dtype=float),
        ]
    )
    sources = np.array([[0, 0]], dtype=float)
    targets = np.array([[100, 0], [5100, 0]], dtype=float)

    distance, source = network.nearest_sources(sources, targets, k=2)

    assert distance.tolist() == [[100.0, np.inf], [np.inf, np.inf]]
    assert source.tolist() == [[0, -1], [-1, -1]]
    assert source.dtype == np.int64


def test_no_sources_and_an_empty_network_give_inf_and_minus_one():
    network = u_network()
    distance, source = network.nearest_sources(np.empty((0, 2)), np.zeros((3, 2)))
    assert distance.shape == (3, 2) and np.isinf(distance).all()
    assert (source == -1).all()
    empty = RoadNetwork.from_lines([])
    distance, source = empty.nearest_sources(np.zeros((1, 2)), np.zeros((2, 2)), k=1)
    assert np.isinf(distance).all() and (source == -1).all()


def test_round_trip_through_bytes_keeps_the_network_and_its_answers():
    network = synthetic_road_network(3_000, seed=4, bbox=(0, 0, 20_000, 20_000))
    stored = RoadNetwork.from_bytes(network.to_bytes())

    assert np.array_equal(stored.node_xy, network.node_xy)
    assert (stored.graph != network.graph).nnz == 0
    assert stored.edge_count == network.edge_count
    rng = np.random.default_rng(4)
    sources, targets = rng.uniform(0, 20_000, (20, 2)), rng.uniform(0, 20_000, (50, 2))
    for got, expected in zip(
        stored.nearest_sources(sources, targets),
        network.nearest_sources(sources, targets),
        strict=True,
    ):
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("cut", [0, 100, -100])
def test_bytes_that_are_not_a_whole_stored_network_are_refused(cut):
    stored = u_network().to_bytes()
    data = b"not a network" if cut == 0 else stored[:cut]
    with pytest.raises(ValueError):
        RoadNetwork.from_bytes(data)


def test_synthetic_network_has_about_the_edges_asked_for_and_stays_in_its_box():
    network = synthetic_road_network(20_000, seed=1, bbox=(0, 0, 50_000, 80_000))
    assert 19_000 <= network.edge_count <= 21_500
    assert network.node_xy.min() >= -0.3 * 1_000
    assert network.node_xy[:, 0].max() <= 50_000 + 1_000
    assert network.node_xy[:, 1].max() <= 80_000 + 1_000
    assert len(synthetic_road_lines(20_000, seed=1)) > 100


def test_synthetic_roads_with_bends_keep_the_segment_count_with_fewer_junctions():
    box = (0, 0, 50_000, 80_000)
    straight = synthetic_road_network(20_000, seed=1, bbox=box)
    bent = synthetic_road_network(20_000, seed=1, bbox=box, bends=2)
    assert 19_000 <= bent.edge_count <= 21_500
    two_roads = np.diff(bent.graph.indptr) == 2
    assert two_roads.mean() > 0.6
    assert np.diff(straight.graph.indptr).tolist().count(2) < 0.1 * len(
        straight.node_xy
    )


# --- Exactness against brute force ----------------------------------------------------


@pytest.fixture(params=["plain", "contracted"])
def contraction(request, monkeypatch):
    """Run a test on the full graph and on the graph with its chains contracted."""
    share = 2.0 if request.param == "plain" else 0.0
    monkeypatch.setattr("analysis.roads.graph.CONTRACT_MIN_SHARE", share)
    return request.param


def random_network(rng, nodes, links, shape_points=0):
    """Random roads between near neighbours; with shape_points, each road gets up to
    that many bends (nodes with two roads), and some ring roads are added."""
    points = rng.uniform(0, 1000, (nodes, 2))
    neighbours = np.argsort(
        np.linalg.norm(points[:, None] - points[None], axis=-1), axis=1
    )[:, 1 : min(5, nodes)]
    start = rng.integers(0, nodes, links)
    end = neighbours[start, rng.integers(0, neighbours.shape[1], links)]
    lines = []
    for i, j in np.c_[start, end]:
        bends = int(rng.integers(0, shape_points + 1))
        along = np.sort(rng.uniform(0, 1, bends))[:, None]
        middle = (
            points[i] + along * (points[j] - points[i]) + rng.normal(0, 5, (bends, 2))
        )
        lines.append(np.vstack([points[i], middle, points[j]]))
    if shape_points:
        for _ring in range(int(rng.integers(0, 3))):
            centre = rng.uniform(0, 1000, 2)
            angle = np.linspace(0, 2 * np.pi, int(rng.integers(4, 9)))[:, None]
            ring = centre + 40 * np.hstack([np.cos(angle), np.sin(angle)])
            ring[-1] = ring[0]
            if rng.random() < 0.5:  # a loop road leaving a junction and coming back
                ring[0] = ring[-1] = points[int(rng.integers(0, nodes))]
            lines.append(ring)
    return RoadNetwork.from_lines(lines)


def brute_force(network, source_xy, target_xy):
    """(targets, sources) road distances from all-pairs shortest paths, snapping by
    scanning every node."""

    def snap(xy):
        gap = np.linalg.norm(xy[:, None] - network.node_xy[None], axis=-1)
        return gap.argmin(axis=1), gap.min(axis=1)

    paths = dijkstra(network.graph, directed=False)
    source_node, source_offset = snap(source_xy)
    target_node, target_offset = snap(target_xy)
    return (
        target_offset[:, None]
        + paths[np.ix_(target_node, source_node)]
        + source_offset[None, :]
    )


def assert_k_nearest(distance, source, every):
    """distance/source (m, k) are the k nearest distinct sources given every (m, s)."""
    k = distance.shape[1]
    expected = np.sort(every, axis=1)[:, :k]
    if expected.shape[1] < k:
        expected = np.pad(
            expected,
            ((0, 0), (0, k - expected.shape[1])),
            "constant",
            constant_values=np.inf,
        )
    np.testing.assert_allclose(distance, expected, rtol=1e-12, atol=1e-9)
    assert ((source == -1) == np.isinf(distance)).all()
    found = source >= 0
    rows = np.nonzero(found)[0]
    np.testing.assert_allclose(
        every[rows, source[found]], distance[found], rtol=1e-12, atol=1e-9
    )
    if k == 2:
        both = found.all(axis=1)
        assert (source[both, 0] != source[both, 1]).all()


@pytest.mark.parametrize("seed", range(60))
def test_two_nearest_sources_match_brute_force_on_random_networks(seed, contraction):
    rng = np.random.default_rng(seed)
    network = random_network(
        rng, nodes=int(rng.integers(5, 80)), links=90, shape_points=seed % 4
    )
    sources = rng.uniform(0, 1000, (int(rng.integers(1, 12)), 2))
    # Some sources share a spot, so they share a node.
    sources[rng.integers(0, len(sources), 3)] = sources[0]
    targets = rng.uniform(0, 1000, (200, 2))

    distance, source = network.nearest_sources(sources, targets, k=2)

    assert_k_nearest(distance, source, brute_force(network, sources, targets))
    first = network.nearest_sources(sources, targets, k=1)
    assert np.array_equal(first[0][:, 0], distance[:, 0])


@pytest.mark.parametrize("seed", range(200))
def test_node_labels_match_brute_force_with_many_ties(seed, contraction):
    """Integer lengths and offsets make equal distances common: ties must not confuse
    the second nearest."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 40))
    edges = int(rng.integers(1, 3 * n))
    a, b = rng.integers(0, n, edges), rng.integers(0, n, edges)
    network = RoadNetwork._from_edges(
        rng.uniform(0, 10, (n, 2)), a, b, rng.integers(1, 4, edges).astype(float)
    )
    n = len(network.node_xy)
    if n == 0:
        return
    s = int(rng.integers(1, 8))
    source_node = rng.integers(0, n, s)
    source_offset = rng.integers(0, 3, s).astype(float)

    distance, source = network.node_nearest_sources(source_node, source_offset, k=2)

    paths = dijkstra(network.graph, directed=False)
    every = (paths[source_node] + source_offset[:, None]).T
    assert_k_nearest(distance, source, every)


def test_closing_one_source_leaves_each_target_with_its_nearest_other_source(
    contraction,
):
    rng = np.random.default_rng(7)
    for attempt in range(20):
        network = random_network(rng, nodes=60, links=100, shape_points=attempt % 3)
        sources = rng.uniform(0, 1000, (8, 2))
        targets = rng.uniform(0, 1000, (150, 2))
        every = brute_force(network, sources, targets)
        distance, source = network.nearest_sources(sources, targets, k=2)
        for closed in range(len(sources)):
            others = np.delete(every, closed, axis=1)
            after, after_source = nearest_after_closing(distance, source, closed)
            np.testing.assert_allclose(after, others.min(axis=1), rtol=1e-12)
            assert (after_source != closed).all()

            gone = [closed, (closed + 1) % len(sources)]
            excluded = network.nearest_sources_excluding(sources, targets, gone)
            left = np.delete(every, gone, axis=1)
            np.testing.assert_allclose(excluded[0][:, 0], left.min(axis=1), rtol=1e-12)
            assert not np.isin(excluded[1], gone).any()


@pytest.mark.parametrize("seed", range(40))
def test_kept_labels_close_sources_one_step_after_another_as_brute_force_says(
    seed, contraction
):
    rng = np.random.default_rng(500 + seed)
    network = random_network(
        rng, nodes=int(rng.integers(5, 70)), links=80, shape_points=seed % 3
    )
    sources = rng.uniform(0, 1000, (int(rng.integers(2, 10)), 2))
    sources[rng.integers(0, len(sources), 2)] = sources[-1]
    targets = rng.uniform(0, 1000, (150, 2))
    every = brute_force(network, sources, targets)

    labels = network.source_labels(sources)
    assert_k_nearest(*labels.at(targets), every)
    for _step in range(3):
        closed = rng.choice(len(sources), int(rng.integers(1, 3)), replace=False)
        at_once = labels.at_without(targets, closed)
        labels = labels.without(closed)
        every[:, closed] = np.inf
        assert_k_nearest(*labels.at(targets), every)
        assert np.array_equal(at_once[0], labels.at(targets)[0])
        assert np.array_equal(at_once[1], labels.at(targets)[1])


def test_distances_from_a_new_point_match_brute_force_within_the_limit():
    rng = np.random.default_rng(11)
    network = random_network(rng, nodes=70, links=120)
    point = rng.uniform(0, 1000, (1, 2))
    targets = rng.uniform(0, 1000, (100, 2))
    every = brute_force(network, point, targets)[:, 0]

    np.testing.assert_allclose(
        network.distances_from(point[0], targets), every, rtol=1e-12
    )
    limited = network.distances_from(point[0], targets, limit=600.0)
    expected = np.where(every <= 600.0, every, np.inf)
    np.testing.assert_allclose(limited, expected, rtol=1e-12)


# --- Reading road files ---------------------------------------------------------------


def test_geojson_without_crs_is_wgs84_and_is_projected_to_sweref99tm():
    lines = road_lines_read(DATA / "umea_wgs84.geojson")

    # Umeå, 63.825 N 20.263 E: about E 758 811, N 7 088 192 in SWEREF 99 TM.
    expected = sweref99tm(63.825, 20.263)
    assert lines[0][0] == pytest.approx(expected, abs=0.01)
    assert lines[0][0] == pytest.approx((758_811, 7_088_192), abs=1)
    # A LineString and a MultiLineString of two parts; the point is ignored.
    assert [len(line) for line in lines] == [3, 2, 2]


def test_geojson_naming_sweref99tm_is_taken_as_is():
    lines = road_lines_read(DATA / "roads_sweref99tm.geojson")
    assert [line.tolist() for line in lines] == [
        [[700000.0, 7000000.0], [700100.0, 7000000.0]],
        [[700100.0, 7000000.0], [700100.0, 7000250.0]],
    ]
    network = RoadNetwork.from_lines(lines)
    assert network.edge_count == 2


def write_geopackage(path, layers):
    """A minimal GeoPackage; layers: (table, srs_id, organization, code, geometries)."""
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        PRAGMA application_id = 1196444487;
        PRAGMA user_version = 10200;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,
            srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
            organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
            description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY,
            data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '',
            last_change DATETIME,
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,
            column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
            srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);
        """
    )
    for table, srs_id, organization, code, geometries in layers:
        connection.execute(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, '')",
            (f"{organization}:{code}", srs_id, organization, code, "undefined"),
        )
        connection.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, srs_id)"
            " VALUES (?, 'features', ?)",
            (table, srs_id),
        )
        connection.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', ?, 0, 0)",
            (table, srs_id),
        )
        connection.execute(
            f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY, geom BLOB, name TEXT)'
        )
        for geometry in geometries:
            if geometry is None:
                blob = None
            elif geometry.is_empty:
                blob = (
                    b"GP\x00\x11" + struct.pack("<i", srs_id) + shapely.to_wkb(geometry)
                )
            else:
                # Little-endian header with an x/y envelope, as most writers do.
                envelope = struct.pack("<4d", *np.array(geometry.bounds)[[0, 2, 1, 3]])
                blob = (
                    b"GP\x00\x03"
                    + struct.pack("<i", srs_id)
                    + envelope
                    + shapely.to_wkb(geometry, byte_order=0)
                )
            connection.execute(
                f'INSERT INTO "{table}" (geom, name) VALUES (?, ?)', (blob, "väg")
            )
    connection.commit()
    connection.close()


def test_geopackage_layers_are_read_in_their_own_coordinate_systems(tmp_path):
    path = tmp_path / "roads.gpkg"
    write_geopackage(
        path,
        [
            (
                "vagar",
                3006,
                "EPSG",
                3006,
                [
                    shapely.LineString([(700000, 7000000), (700100, 7000000)]),
                    shapely.MultiLineString(
                        [[(700100, 7000000), (700100, 7000300)], [(0, 0), (3, 4)]]
                    ),
                    shapely.LineString(),
                    None,
                ],
            ),
            ("platser", 3006, "EPSG", 3006, [shapely.Point(700000, 7000000)]),
            (
                "vagar_wgs84",
                4326,
                "EPSG",
                4326,
                [shapely.LineString([(20.263, 63.825, 12.0), (20.264, 63.825, 13.0)])],
            ),
        ],
    )

    lines = road_lines_read(path)

    assert [line.tolist() for line in lines[:3]] == [
        [[700000.0, 7000000.0], [700100.0, 7000000.0]],
        [[700100.0, 7000000.0], [700100.0, 7000300.0]],
        [[0.0, 0.0], [3.0, 4.0]],
    ]
    assert len(lines) == 4
    assert lines[3][0] == pytest.approx(sweref99tm(63.825, 20.263), abs=0.01)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither GeoJSON nor GeoPackage"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "neither GeoJSON nor GeoPackage"),
        (b'{"name": "not geojson"}', "neither GeoJSON nor GeoPackage"),
        (
            json.dumps(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [20, 64]},
                }
            ).encode(),
            "holds no lines",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "EPSG:999999"}},
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {
                                "type": "LineString",
                                "coordinates": [[0, 0], [1, 1]],
                            },
                        }
                    ],
                }
            ).encode(),
            "coordinate system",
        ),
        (
            json.dumps(
                {
                    "type": "LineString",
                    "coordinates": [[700000, 7000000], [700100, 7000000]],
                }
            ).encode(),
            "must say so in a crs member",
        ),
        (
            json.dumps(
                {"type": "LineString", "coordinates": [["a", "b"], [1, 2]]}
            ).encode(),
            "not pairs of numbers",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_road_file_is_refused_with_a_reason(
    tmp_path, content, message
):
    path = tmp_path / "vagar.geojson"
    path.write_bytes(content)
    with pytest.raises(RoadFileError, match=message):
        road_lines_read(path)


def sql(path, statement, *parameters):
    connection = sqlite3.connect(path)
    connection.execute(statement, parameters)
    connection.commit()
    connection.close()


def test_a_sqlite_file_that_is_not_a_geopackage_is_refused(tmp_path):
    path = tmp_path / "vagar.gpkg"
    sql(path, "CREATE TABLE t (x)")
    with pytest.raises(RoadFileError, match="not a GeoPackage"):
        road_lines_read(path)


def test_a_geopackage_with_a_damaged_geometry_is_refused(tmp_path):
    path = tmp_path / "vagar.gpkg"
    write_geopackage(path, [("vagar", 3006, "EPSG", 3006, [shapely.Point(0, 0)])])
    broken = b"GP\x00\x01" + struct.pack("<i", 3006) + b"\x01\x02\x00\x00\x00broken"
    sql(path, "UPDATE vagar SET geom = ?", broken)
    with pytest.raises(RoadFileError, match="not a GeoPackage, or it is damaged"):
        road_lines_read(path)


def test_empty_lines_in_geojson_are_skipped(tmp_path):
    path = tmp_path / "vagar.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "LineString", "coordinates": []},
                    {"type": "LineString", "coordinates": [[20.0, 64.0], [20.1, 64.0]]},
                ],
            }
        )
    )
    lines = road_lines_read(path)
    assert len(lines) == 1
    assert lines[0][0] == pytest.approx(sweref99tm(64.0, 20.0), abs=0.01)


def test_a_geopackage_with_an_unknown_coordinate_system_is_refused(tmp_path):
    path = tmp_path / "vagar.gpkg"
    line = shapely.LineString([(0, 0), (1, 1)])
    write_geopackage(path, [("vagar", 99, "NONE", -1, [line])])
    with pytest.raises(RoadFileError, match="coordinate system"):
        road_lines_read(path)


def test_a_missing_file_is_refused():
    with pytest.raises(RoadFileError, match="could not be opened"):
        road_lines_read(DATA / "missing.geojson")


def test_networks_from_random_graphs_are_symmetric():
    rng = np.random.default_rng(3)
    network = random_network(rng, nodes=50, links=80)
    assert (network.graph != network.graph.T).nnz == 0
    assert scipy.sparse.isspmatrix_csr(network.graph)


def test_snapping_the_same_squares_again_gives_the_same_answer():
    network = synthetic_road_network(3_000, seed=2, bbox=(0, 0, 20_000, 20_000))
    squares = np.random.default_rng(2).uniform(0, 20_000, (12_000, 2))
    node, distance = network.nodes_nearest(squares)
    expected = node.copy(), distance.copy()
    node[:] = 0  # the caller's arrays are theirs to change
    again = network.nodes_nearest(squares)
    assert np.array_equal(again[0], expected[0])
    assert np.array_equal(again[1], expected[1])
    squares[0] = network.node_xy[5]
    assert network.nodes_nearest(squares)[0][0] == 5
