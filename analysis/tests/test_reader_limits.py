"""Population and road files are read within bounds: real tables only, a number of
features, a time limit for SQLite, and the bytes of a GeoJSON file before parsing.

The memory bound under test: refusing a 20 KB GeoPackage whose layer is a recursive
view of 200 000 squares allocates at most 50 MB (tracemalloc). Before the bounds it
stored all 200 000 squares.
"""

import json
import sqlite3
import struct
import tracemalloc

import pytest
import shapely
from django.core.management import CommandError, call_command

from analysis.models import PopulationImport, PopulationSquare, RoadNetwork
from analysis.roads import RoadFileError, road_lines_read

pytestmark = pytest.mark.django_db

MEMORY_BOUND = 50 * 1024 * 1024
SQUARE = shapely.to_wkb(shapely.box(394000, 6133000, 394250, 6133250))
BLOB = b"GP\x00\x01" + struct.pack("<i", 3006) + SQUARE
LINE = shapely.to_wkb(shapely.LineString([(394000, 6133000), (395000, 6134000)]))
LINE_BLOB = b"GP\x00\x01" + struct.pack("<i", 3006) + LINE
METADATA = """
    CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
        organization TEXT, organization_coordsys_id INTEGER, definition TEXT);
    CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT);
    CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
        geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
    INSERT INTO gpkg_spatial_ref_sys VALUES ('SWEREF99 TM', 3006, 'EPSG', 3006, '');
"""


def geopackage(path, layer_sql, *, name="rutor", blob=BLOB):
    """A GeoPackage whose one feature layer `name` is made by `layer_sql` (a view or
    a table); `?` in it stands for the geometry blob."""
    connection = sqlite3.connect(path)
    connection.executescript(METADATA)
    connection.execute("INSERT INTO gpkg_contents VALUES (?, 'features')", [name])
    connection.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', 3006, 0, 0)",
        [name],
    )
    connection.execute(layer_sql.replace("?", "X'" + blob.hex() + "'"))
    connection.commit()
    connection.close()
    return path


def recursive_view(count, name="rutor"):
    """A view of `count` squares in rows of 400, from a recursive query."""
    return (
        f"CREATE VIEW {name} AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
        f"SELECT i + 1 FROM n WHERE i < {count - 1}) "
        "SELECT i AS fid, ? AS geom, 300000 + (i % 400) * 250 AS easting, "
        "6500000 + (i / 400) * 250 AS northing, 250 AS size_m, 1 AS population FROM n"
    )


def squares_table(path, count):
    geopackage(
        path,
        "CREATE TABLE rutor (fid INTEGER PRIMARY KEY, geom BLOB, easting INTEGER, "
        "northing INTEGER, size_m INTEGER, population INTEGER)",
    )
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO rutor (geom, easting, northing, size_m, population) "
        "VALUES (?, ?, ?, 250, 1)",
        [
            (BLOB, 300000 + (i % 400) * 250, 6500000 + (i // 400) * 250)
            for i in range(count)
        ],
    )
    connection.commit()
    connection.close()
    return path


def import_population(path):
    call_command("import_population", str(path), "--municipality", "2401")


def test_a_20_kb_geopackage_whose_layer_is_a_recursive_view_is_refused(tmp_path):
    path = geopackage(tmp_path / "rutor.gpkg", recursive_view(200_000))
    assert path.stat().st_size <= 20 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as refused:
            import_population(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND
    assert "GeoPackage-filens lager ”rutor” är inte en tabell" in str(refused.value)
    assert not PopulationSquare.objects.exists()
    assert not PopulationImport.objects.exists()


def test_a_geopackage_whose_own_tables_are_views_is_refused(tmp_path):
    path = tmp_path / "rutor.gpkg"
    connection = sqlite3.connect(path)
    connection.executescript(
        METADATA.replace(
            "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT);",
            "CREATE VIEW gpkg_contents AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
            "SELECT i + 1 FROM n WHERE i < 1000000) "
            "SELECT 'rutor' AS table_name, 'features' AS data_type FROM n;",
        )
    )
    connection.close()
    with pytest.raises(CommandError, match="gpkg_contents"):
        import_population(path)
    assert not PopulationSquare.objects.exists()


def test_a_population_geopackage_with_more_squares_than_the_bound_is_refused(
    tmp_path, settings
):
    settings.POPULATION_MAX_SQUARES = 3
    path = squares_table(tmp_path / "rutor.gpkg", 4)
    with pytest.raises(CommandError, match="har fler än 3 objekt"):
        import_population(path)
    assert not PopulationSquare.objects.exists()
    import_population(squares_table(tmp_path / "tre.gpkg", 3))
    assert PopulationSquare.objects.count() == 3


def test_a_population_csv_with_more_squares_than_the_bound_is_refused(
    tmp_path, settings
):
    settings.POPULATION_MAX_SQUARES = 2
    path = tmp_path / "rutor.csv"
    path.write_text(
        "easting,northing,size_m,population\n"
        "394000,6133000,250,1\n394250,6133000,250,1\n394500,6133000,250,1\n"
    )
    with pytest.raises(CommandError, match="fler än 2 rutor"):
        import_population(path)
    assert not PopulationSquare.objects.exists()


def test_reading_a_geopackage_stops_at_the_time_limit(tmp_path, settings):
    settings.GEOPACKAGE_READ_SECONDS = 0
    path = squares_table(tmp_path / "rutor.gpkg", 5000)
    with pytest.raises(CommandError, match="tog längre tid än 0 sekunder"):
        import_population(path)
    assert not PopulationSquare.objects.exists()


def test_a_road_geopackage_whose_layer_is_a_recursive_view_is_refused(tmp_path):
    path = geopackage(
        tmp_path / "vagar.gpkg",
        "CREATE VIEW vagar AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
        "SELECT i + 1 FROM n) SELECT i AS fid, ? AS geom FROM n",
        name="vagar",
        blob=LINE_BLOB,
    )
    with pytest.raises(CommandError, match="”vagar” är inte en tabell"):
        call_command("import_road_network", str(path))
    assert not RoadNetwork.objects.exists()


def test_a_road_geopackage_with_more_features_than_the_bound_is_refused(
    tmp_path, settings
):
    settings.ROAD_NETWORK_MAX_FEATURES = 2
    path = geopackage(
        tmp_path / "vagar.gpkg",
        "CREATE TABLE vagar AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
        "SELECT i + 1 FROM n WHERE i < 2) SELECT i AS fid, ? AS geom FROM n",
        name="vagar",
        blob=LINE_BLOB,
    )
    with pytest.raises(RoadFileError, match="fler än 2 objekt"):
        road_lines_read(path)
    settings.ROAD_NETWORK_MAX_FEATURES = 3
    assert len(road_lines_read(path)) == 3


def geojson_lines(path, count):
    line = {"type": "LineString", "coordinates": [[19.0, 63.7], [19.1, 63.8]]}
    features = [{"type": "Feature", "geometry": line, "properties": {}}] * count
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_geojson_file_with_more_features_than_the_bound_is_refused(
    tmp_path, settings
):
    settings.ROAD_NETWORK_MAX_FEATURES = 2
    path = geojson_lines(tmp_path / "vagar.geojson", 3)
    with pytest.raises(CommandError, match="fler än 2 objekt"):
        call_command("import_road_network", str(path))
    assert not RoadNetwork.objects.exists()


def test_a_geojson_file_over_the_byte_bound_is_refused_before_it_is_parsed(
    tmp_path, settings, monkeypatch
):
    path = geojson_lines(tmp_path / "vagar.geojson", 3)
    settings.ROAD_NETWORK_GEOJSON_MAX_BYTES = path.stat().st_size - 1
    parsed = []
    monkeypatch.setattr(
        "analysis.roads.readers.json.loads",
        lambda *args, **kwargs: parsed.append(args),
    )
    with pytest.raises(RoadFileError, match="större än"):
        road_lines_read(path)
    assert parsed == []
