"""The commands on the register: import_population, generate_population,
service_analysis (its JSON contract), and the result cache.

The same hand-computed grid as test_engine, stored for real: shops A, B, C as register
outlets (WGS84, converted from SWEREF 99 TM) and 1 km squares from the CSV template.
"""

import io
import json
import math
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement
from agreements.tests.factories import AgreementFactory
from analysis.models import (
    AGE_COLUMNS,
    AnalysisResult,
    PopulationImport,
    PopulationSquare,
    Scenario,
    ScenarioAddedOutlet,
    ScenarioMovedOutlet,
)
from analysis.services import (
    population_synthetic_store,
    scenario_spec,
    service_analysis_run,
)
from outlets.geo import sweref_from_wgs84, wgs84_from_sweref
from outlets.models import Municipality, Outlet
from outlets.tests.factories import LocalityFactory, OutletFactory, municipality

pytestmark = pytest.mark.django_db

E0, N0 = 500_500, 7_000_500
AGE_HEADER = ",".join(
    [f"age_{low}_{low + 4}" for low in range(0, 90, 5)] + ["age_90_plus"]
)


def at(x_km, y_km):
    return wgs84_from_sweref(N0 + y_km * 1000, E0 + x_km * 1000)


def square(x_km, y_km, people_by_class):
    ages = [0] * 19
    for klass, people in people_by_class.items():
        ages[klass] = people
    corner = (E0 + x_km * 1000 - 500, N0 + y_km * 1000 - 500)
    return ",".join(map(str, [*corner, 1000, sum(ages), *ages]))


HAND_GRID = "\n".join(
    [
        f"easting,northing,size_m,population,{AGE_HEADER}",
        square(3, 0, {0: 100}),
        square(-7, 0, {4: 40, 14: 10}),
        square(16, 0, {15: 30}),
        square(0, 25, {13: 20}),
        square(0, 45, {16: 10}),
    ]
)


def run(*args):
    stdout = io.StringIO()
    call_command(*map(str, args), stdout=stdout)
    return stdout.getvalue()


def import_file(tmp_path, text, name="rutor.csv", code="2401", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return run("import_population", path, "--municipality", code)


def shop(name, x_km, y_km, **fields):
    latitude, longitude = at(x_km, y_km)
    return OutletFactory(
        name=name, latitude=latitude, longitude=longitude, locality=None, **fields
    )


@pytest.fixture
def hand_register(tmp_path):
    """Shops A, B, C of Nordmaling, localities at A and C, and the five squares."""
    nordmaling = municipality("2401")
    for name, x, y in [("Byn A", 0, 0), ("Byn C", 0, 40)]:
        latitude, longitude = at(x, y)
        LocalityFactory(
            municipality=nordmaling, name=name, latitude=latitude, longitude=longitude
        )
    shops = {
        "A": shop("Handlarn A", 0, 0, organisation_number="556036-0793"),
        "B": shop("Handlarn B", 12, 0),
        # C is across the border: people shop in the neighbouring municipality.
        "C": shop("Handlarn C", 0, 40, municipality=municipality("2460")),
    }
    import_file(tmp_path, HAND_GRID)
    return shops


def analysis_json(*args):
    return json.loads(
        run("service_analysis", "--municipality", "2401", "--format", "json", *args)
    )


# import_population ---------------------------------------------------------------


def test_the_template_is_imported_with_its_ages(tmp_path):
    output = import_file(tmp_path, HAND_GRID)
    assert "5 rutor, 210 personer" in output
    record = PopulationImport.objects.get()
    assert (record.format, record.square_count, record.population, record.has_ages) == (
        "template",
        5,
        210,
        True,
    )
    first = PopulationSquare.objects.get(easting=E0 + 3000 - 500)
    assert (first.northing, first.size_m, first.population, first.age_0_4) == (
        N0 - 500,
        1000,
        100,
        100,
    )


def test_a_new_import_replaces_the_municipalitys_squares_and_keeps_the_history(
    tmp_path,
):
    import_file(tmp_path, HAND_GRID)
    import_file(tmp_path, "easting,northing,size_m,population\n500000,7000000,250,7\n")
    assert PopulationSquare.objects.count() == 1
    assert PopulationSquare.objects.get().age_0_4 is None
    assert PopulationImport.objects.count() == 2


def test_scb_grid_statistics_are_read_by_their_square_ids(tmp_path):
    ages = ",".join(f"ald{low}_{low + 5}" for low in range(0, 100, 5)) + ",ald100w"
    text = "\n".join(
        [
            f"rutid_scb;rutid_inspire;rutstorl;beftotalt;kvinna;man;{ages}".replace(
                ",", ";"
            ),
            "3940006133000;SE_CRS3006RES1000mN6133000E394000;1000;7;4;4;"
            + ";".join(["0"] * 14 + ["4", "2", "0", "0", "1", "0", "0"]),
            "3950006133000;SE_CRS3006RES1000mN6133000E395000;1000;22;11;11;"
            + ";".join(["1"] * 21),
        ]
    )
    output = import_file(tmp_path, text, name="befolkning_1km_2024.csv")
    squares = list(PopulationSquare.objects.order_by("easting"))
    assert [(s.easting, s.northing, s.size_m, s.population) for s in squares] == [
        (394000, 6133000, 1000, 7),
        (395000, 6133000, 1000, 22),
    ]
    # 4+2+1 = 7 as published: ald90_95 … ald100w go to 90+.
    assert (squares[0].age_70_74, squares[0].age_75_79, squares[0].age_90_plus) == (
        4,
        2,
        1,
    )
    # 21 classes of 1 add up to 21, not 22 (disclosure control): scaled to the total.
    assert sum(getattr(squares[1], name) for name in AGE_COLUMNS) == 22
    assert "1 rutor" in output
    assert PopulationImport.objects.get().format == "scb"


def test_pipos_squares_are_250_m_by_default(tmp_path):
    text = "ruta;befolkning\n4870006170250;12\n4872506170250;3\n"
    import_file(tmp_path, text, name="pipos.csv")
    assert sorted(PopulationSquare.objects.values_list("easting", "size_m")) == [
        (487000, 250),
        (487250, 250),
    ]
    assert PopulationImport.objects.get().format == "pipos"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("easting,northing,population\n1,2,3\n", "Rad 1: kolumnerna size_m saknas"),
        (
            "easting,northing,size_m,population\n500000,7000000,250,tolv\n",
            "Rad 2, kolumn ”population”: ”tolv” är inte ett heltal",
        ),
        (
            "easting,northing,size_m,population\n500000,7000000,250,5\n"
            "500250,7000000,250,-3\n",
            "Rad 3, kolumn ”population”: -3 är negativt",
        ),
        (
            "easting,northing,size_m,population\n500000,7000000,250,99999999999\n",
            "Rad 2, kolumn ”population”: 99999999999 är för stort för en ruta",
        ),
        (
            "easting,northing,size_m,population\n500100,7000000,250,5\n",
            "Rad 2: hörnet 500100, 7000000 ligger inte på rutnätet för 250 m-rutor",
        ),
        (
            "easting,northing,size_m,population\n7000000,500000,250,5\n",
            "Rad 2: 7000000, 500000 ligger utanför Sverige",
        ),
        (
            "easting,northing,size_m,population\n500000,7000000,250,5\n"
            "500000,7000000,250,6\n",
            "Rad 3: rutan 500000, 7000000 förekommer två gånger",
        ),
        ("easting,northing,size_m,population\n", "Filen har inga rutor"),
        ("", "Filen är tom"),
        (
            f"easting,northing,size_m,population,{AGE_HEADER}\n"
            "500000,7000000,250,5," + ",".join(["0"] * 18 + ["4"]) + "\n",
            "Rad 2, kolumn ”population”: åldersgrupperna summerar till 4, inte 5",
        ),
    ],
)
def test_a_bad_file_gets_one_swedish_message_and_nothing_is_stored(
    tmp_path, text, message
):
    import_file(tmp_path, HAND_GRID)
    with pytest.raises(CommandError, match=message):
        import_file(tmp_path, text)
    assert PopulationSquare.objects.count() == 5
    assert PopulationImport.objects.count() == 1


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    text = "easting,northing,size_m,population\n# Nordmaling, Gräsmyr\n"
    with pytest.raises(CommandError, match="Rad 2: filen är inte UTF-8-kodad"):
        import_file(tmp_path, text, encoding="cp1252")
    assert not PopulationSquare.objects.exists()


def test_an_unknown_municipality_is_refused(tmp_path):
    with pytest.raises(CommandError, match="”9999” är inte en svensk kommunkod"):
        import_file(tmp_path, HAND_GRID, code="9999")


# generate_population -------------------------------------------------------------


def test_generated_population_is_synthetic_and_clusters_around_the_localities():
    nordmaling = municipality("2401")
    LocalityFactory(
        municipality=nordmaling,
        name="Gräsmyr",
        latitude=63.64,
        longitude=19.60,
        population=300,
    )
    LocalityFactory(
        municipality=nordmaling,
        name="Rundvik",
        latitude=63.53,
        longitude=19.44,
        population=900,
    )
    output = run("generate_population", "--municipality", "2401", "--seed", "3")
    assert "SYNTETISK" in output
    record = PopulationImport.objects.get()
    assert record.synthetic and record.format == "synthetic"
    assert record.population == 1200
    squares = PopulationSquare.objects.all()
    assert {s.size_m for s in squares} == {250}
    assert sum(s.population for s in squares) == 1200
    # Most people live within 2 km of a locality.
    centres = [
        sweref_from_wgs84(63.64, 19.60)[::-1],
        sweref_from_wgs84(63.53, 19.44)[::-1],
    ]
    near = sum(
        s.population
        for s in squares
        if min(
            math.dist((s.easting + 125, s.northing + 125), centre) for centre in centres
        )
        < 2000
    )
    assert near > 0.6 * 1200
    again = run("generate_population", "--municipality", "2401", "--seed", "3")
    assert again == output


def test_generating_needs_localities_with_a_position():
    with pytest.raises(CommandError, match="har inga orter med position"):
        run("generate_population", "--municipality", "2480")


# service_analysis and its JSON contract --------------------------------------------


@pytest.mark.parametrize("run_before", [0, 1], ids=["computed", "from-the-cache"])
def test_the_json_contract(hand_register, run_before):
    for _ in range(run_before):
        analysis_json()
    result = analysis_json()
    assert result["method"] == "straight_line"
    assert result["detour_factor"] == 1.3
    assert result["total_population"] == 210
    assert list(result)[:5] == [
        "method",
        "detour_factor",
        "total_population",
        "bands",
        "outlets",
    ]
    # Straight line × 1.3: s1 3.9 km; s2 9.1, s3 5.2 and s5 6.5; s4 19.5.
    assert result["bands"] == [
        {
            "from_km": 0,
            "to_km": 5,
            "population": 100,
            "by_age": {"0-19": 100, "20-64": 0, "65-79": 0, "80+": 0, "70+": 0},
        },
        {
            "from_km": 5,
            "to_km": 10,
            "population": 90,
            "by_age": {"0-19": 0, "20-64": 40, "65-79": 40, "80+": 10, "70+": 50},
        },
        {
            "from_km": 10,
            "to_km": 20,
            "population": 20,
            "by_age": {"0-19": 0, "20-64": 0, "65-79": 20, "80+": 0, "70+": 0},
        },
        {
            "from_km": 20,
            "to_km": 30,
            "population": 0,
            "by_age": {"0-19": 0, "20-64": 0, "65-79": 0, "80+": 0, "70+": 0},
        },
        {
            "from_km": 30,
            "to_km": None,
            "population": 0,
            "by_age": {"0-19": 0, "20-64": 0, "65-79": 0, "80+": 0, "70+": 0},
        },
    ]
    a, b, c = (hand_register[name] for name in "ABC")
    contract = ["id", "name", "org_number", "municipality_code"]
    contract += ["dependent_population", "beyond_10_km_if_closed"]
    assert [{key: o[key] for key in contract} for o in result["outlets"]] == [
        {
            "id": a.pk,
            "name": "Handlarn A",
            "org_number": "556036-0793",
            "municipality_code": "2401",
            "dependent_population": 150,
            # With the factor, B is 9 × 1.3 = 11.7 km from s1 too.
            "beyond_10_km_if_closed": 150,
        },
        {
            "id": b.pk,
            "name": "Handlarn B",
            "org_number": "",
            "municipality_code": "2401",
            "dependent_population": 30,
            "beyond_10_km_if_closed": 30,
        },
        {
            "id": c.pk,
            "name": "Handlarn C",
            "org_number": "",
            "municipality_code": "2460",
            "dependent_population": 30,
            "beyond_10_km_if_closed": 30,
        },
    ]
    assert all(isinstance(o["id"], int) for o in result["outlets"])
    # 70+ transport need: s2's ten at 9.1 km; s3's thirty at 5.2 km; s5's ten 6.5 km.
    assert [o["transport_need_70_plus_km"] for o in result["outlets"]] == [
        91.0,
        156.0,
        65.0,
    ]
    assert result["population_source"]["synthetic"] is False
    assert [(loc["name"], loc["population"]) for loc in result["localities"]] == [
        ("Byn A", 180),
        ("Byn C", 30),
    ]
    assert result["strategic_candidates"] == []


def test_closing_a_shop_on_the_command_line_moves_its_people_to_the_next_one(
    hand_register,
):
    a, b = hand_register["A"], hand_register["B"]
    result = analysis_json("--close", a.pk, "--bands", "5,10,20,30")
    # s1 at 9 × 1.3 = 11.7 km and s2 at 19 × 1.3 = 24.7 km from B.
    assert [band["population"] for band in result["bands"]] == [0, 40, 120, 50, 0]
    outlets = {o["id"]: o for o in result["outlets"]}
    assert a.pk not in outlets
    assert outlets[b.pk]["dependent_population"] == 180
    assert result["scenario"]["closed"] == [a.pk]
    # The register is untouched.
    assert Outlet.objects.get(pk=a.pk).status == "open"


def test_bands_and_kind_can_be_chosen(hand_register):
    result = analysis_json("--bands", "8,16", "--kind", "fuel")
    assert [(b["from_km"], b["to_km"]) for b in result["bands"]] == [
        (0, 8),
        (8, 16),
        (16, None),
    ]
    # No petrol station anywhere: everyone is in the last band.
    assert [b["population"] for b in result["bands"]] == [0, 0, 210]
    assert result["unreachable_population"] == 210


def test_an_outlet_with_an_agreement_in_force_is_a_service_point(hand_register):
    AgreementFactory(
        outlet=hand_register["B"],
        state=Agreement.State.SIGNED,
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
    )
    result = analysis_json("--kind", "service_point")
    assert [(o["name"], o["dependent_population"]) for o in result["outlets"]] == [
        ("Handlarn B", 210)
    ]


def test_the_table_says_how_distances_were_measured(hand_register):
    output = run("service_analysis", "--municipality", "2401")
    assert "avstånd fågelvägen × omvägsfaktor 1.3" in output
    assert "Handlarn A" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "9999"], "”9999” är inte en svensk kommunkod"),
        (
            ["--municipality", "2480"],
            "har inget befolkningsunderlag inläst ännu. Läs in ett i webbappen "
            "eller med import_population",
        ),
        (["--municipality", "2401", "--close", "987654"], "Det finns inget"),
        (["--municipality", "2401", "--close", "x1"], "”x1” är inte ett"),
        (["--municipality", "2401", "--bands", "10,5"], "”10,5” är inte avståndsband"),
        (["--municipality", "2401", "--bands", "fem"], "”fem” är inte avståndsband"),
    ],
)
def test_bad_input_gets_a_clear_message(hand_register, args, message):
    with pytest.raises(CommandError, match=message):
        run("service_analysis", *args)


def test_a_closed_register_outlet_cannot_be_closed_again(hand_register):
    b = hand_register["B"]
    Outlet.objects.filter(pk=b.pk).update(status="closed", closed_on=date(2026, 1, 1))
    with pytest.raises(CommandError, match="redan stängt"):
        run("service_analysis", "--municipality", "2401", "--close", b.pk)


# The cache ----------------------------------------------------------------------


def test_results_are_cached_and_recomputed_when_an_input_changes(
    hand_register, tmp_path
):
    first = analysis_json()
    assert AnalysisResult.objects.count() == 1
    assert analysis_json() == first
    fingerprints = set(AnalysisResult.objects.values_list("fingerprint", flat=True))
    assert len(fingerprints) == 1

    def recomputed():
        """Stored under a new fingerprint, the stale result of the old inputs gone."""
        stored = set(AnalysisResult.objects.values_list("fingerprint", flat=True))
        fresh = len(stored) == 1 and not stored & fingerprints
        fingerprints.update(stored)
        return fresh

    # B moves next to s3 (16 km east): s3 is now 0 km away.
    b = hand_register["B"]
    b.latitude, b.longitude = at(16, 0)
    b.save()
    moved = analysis_json()
    assert recomputed()
    assert moved["bands"][0]["population"] == 130

    # A closes in the register: its 150 people go to B, now 19 and 23 km away.
    Outlet.objects.filter(pk=hand_register["A"].pk).update(
        status="closed", closed_on=date(2026, 1, 1)
    )
    closed = analysis_json()
    assert recomputed()
    assert {o["name"] for o in closed["outlets"]} == {"Handlarn B", "Handlarn C"}

    # A new population replaces the old.
    import_file(tmp_path, "easting,northing,size_m,population\n500000,7000000,250,7\n")
    assert analysis_json()["total_population"] == 7
    assert recomputed()


# Along roads -----------------------------------------------------------------------


def road_file(tmp_path, points_km):
    coordinates = [[E0 + x * 1000, N0 + y * 1000] for x, y in points_km]
    path = tmp_path / "vagar.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "EPSG:3006"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "LineString", "coordinates": coordinates},
                    }
                ],
            }
        )
    )
    return path


def test_with_a_road_network_distances_follow_the_roads(tmp_path):
    """The road of test_engine: A to (0,10), east to (6,10), south to s1, east to B."""
    a = shop("Handlarn A", 0, 0)
    b = shop("Handlarn B", 20, 0)
    import_file(
        tmp_path,
        "\n".join(
            [
                f"easting,northing,size_m,population,{AGE_HEADER}",
                square(6, 0, {14: 10}),
                square(0, 5, {4: 20}),
            ]
        ),
    )
    straight = analysis_json()
    assert straight["method"] == "straight_line"
    assert [o["id"] for o in straight["outlets"]] == [a.pk]

    path = road_file(tmp_path, [(0, 0), (0, 5), (0, 10), (6, 10), (6, 0), (20, 0)])
    output = run("import_road_network", path, "--name", "Testvägar")
    assert "Vägnätet Testvägar sparat: 6 noder, 5 vägsegment" in output

    result = analysis_json()
    assert result["method"] == "road_network"
    assert result["detour_factor"] is None
    assert result["road_network"] == "Testvägar"
    assert [band["population"] for band in result["bands"]] == [0, 20, 10, 0, 0]
    outlets = {o["id"]: o for o in result["outlets"]}
    assert outlets[b.pk]["dependent_population"] == 10
    assert outlets[b.pk]["beyond_10_km_if_closed"] == 10
    assert outlets[b.pk]["transport_need_70_plus_km"] == 140.0
    closed = analysis_json("--close", b.pk)
    assert [band["population"] for band in closed["bands"]] == [0, 20, 0, 10, 0]
    table = run("service_analysis", "--municipality", "2401")
    assert "längs vägnätet Testvägar" in table


def test_a_road_network_far_from_the_people_is_not_used(tmp_path):
    """A network of another region would snap every square to a distant road."""
    shop("Handlarn A", 0, 0)
    import_file(
        tmp_path,
        "\n".join(
            [f"easting,northing,size_m,population,{AGE_HEADER}", square(6, 0, {14: 10})]
        ),
    )
    path = road_file(tmp_path, [(300, 300), (300, 310), (310, 310)])
    run("import_road_network", path, "--name", "Skånska vägar")

    result = analysis_json()

    assert result["method"] == "straight_line"
    assert result["detour_factor"] == 1.3
    assert result["road_network"] is None
    assert result["road_network_not_covering"] == "Skånska vägar"
    assert [band["population"] for band in result["bands"]] == [0, 10, 0, 0, 0]
    table = run("service_analysis", "--municipality", "2401")
    assert "Vägnätet Skånska vägar når inte kommunens invånare" in table
    assert "slag Dagligvarubutik (alla) (grocery): 10 personer" in table


def test_a_road_file_without_lines_is_refused(tmp_path):
    path = tmp_path / "tom.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(CommandError, match="tom.geojson"):
        run("import_road_network", path)


def geopackage(path, squares, srs=3006):
    """A minimal GeoPackage: one layer of square polygons with a beftotalt column."""
    import sqlite3
    import struct

    import shapely

    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
            organization TEXT, organization_coordsys_id INTEGER, definition TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
            geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
        CREATE TABLE rutor (fid INTEGER PRIMARY KEY, geom BLOB, beftotalt INTEGER);
        INSERT INTO gpkg_contents VALUES ('rutor', 'features');
        """
    )
    connection.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('SWEREF99 TM', ?, 'EPSG', ?, '')",
        [srs, srs],
    )
    connection.execute(
        "INSERT INTO gpkg_geometry_columns "
        "VALUES ('rutor', 'geom', 'POLYGON', ?, 0, 0)",
        [srs],
    )
    for easting, northing, size, people in squares:
        polygon = shapely.box(easting, northing, easting + size, northing + size)
        blob = b"GP\x00\x01" + struct.pack("<i", srs) + shapely.to_wkb(polygon)
        connection.execute(
            "INSERT INTO rutor (geom, beftotalt) VALUES (?, ?)", [blob, people]
        )
    connection.commit()
    connection.close()
    return path


def test_a_geopackage_of_square_polygons_is_read_from_their_bounds(tmp_path):
    path = geopackage(
        tmp_path / "rutor.gpkg",
        [(394000, 6133000, 1000, 7), (395000, 6133000, 1000, 22)],
    )
    run("import_population", path, "--municipality", "2401")
    assert sorted(
        PopulationSquare.objects.values_list(
            "easting", "northing", "size_m", "population"
        )
    ) == [(394000, 6133000, 1000, 7), (395000, 6133000, 1000, 22)]
    assert PopulationImport.objects.get().format == "geopackage"


def test_a_geopackage_in_another_coordinate_system_is_refused(tmp_path):
    path = geopackage(tmp_path / "rutor.gpkg", [(394000, 6133000, 1000, 7)], srs=4326)
    with pytest.raises(CommandError, match="SWEREF 99 TM"):
        run("import_population", path, "--municipality", "2401")
    assert not PopulationSquare.objects.exists()


def test_every_demo_municipality_with_localities_gets_a_synthetic_population(
    settings,
):
    """What seed_demo can call: population_synthetic_store for each municipality."""
    settings.DEBUG = True  # seed_demo runs with DEBUG on only
    call_command("seed_demo", stdout=io.StringIO())
    municipalities = Municipality.objects.filter(
        localities__latitude__isnull=False
    ).distinct()
    assert municipalities.filter(code="2401").exists()
    for place in municipalities:
        record = population_synthetic_store(municipality=place)
        assert record.synthetic and record.population > 0
    result = analysis_json()
    assert result["population_source"]["synthetic"] is True
    assert (
        result["total_population"]
        == PopulationImport.objects.filter(municipality__code="2401")
        .latest()
        .population
    )
    assert result["outlets"]


def test_a_saved_scenario_closes_adds_and_moves_without_touching_the_register(
    hand_register,
):
    a, c = hand_register["A"], hand_register["C"]
    scenario = Scenario.objects.create(
        municipality=municipality("2401"), name="Ny butik i s2, C flyttar"
    )
    scenario.closed_outlets.add(a)
    ScenarioAddedOutlet.objects.create(
        scenario=scenario,
        name="Nya butiken",
        kind="grocery",
        easting=E0 - 7000,
        northing=N0,
    )
    ScenarioMovedOutlet.objects.create(
        scenario=scenario, outlet=c, easting=E0, northing=N0 + 25_000
    )
    result = service_analysis_run(
        municipality=municipality("2401"), scenario=scenario_spec(scenario)
    )
    # × 1.3. s1: B 11.7 km (A closed); s2: the new shop, 0 km; s3: B 5.2 km;
    # s4: C, now in the square; s5: C 20 × 1.3 = 26 km.
    assert [band["population"] for band in result["bands"]] == [70, 30, 100, 10, 0]
    outlets = {o["name"]: o for o in result["outlets"]}
    assert outlets["Nya butiken"]["dependent_population"] == 50
    assert outlets["Nya butiken"]["added_in_scenario"] is True
    assert outlets["Handlarn C"]["dependent_population"] == 30
    assert "Handlarn A" not in outlets
    assert Outlet.objects.get(pk=c.pk).latitude == c.latitude
    # The register's own analysis is cached apart and unchanged.
    assert analysis_json()["bands"][0]["population"] == 100
