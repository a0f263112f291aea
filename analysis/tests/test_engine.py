"""The engine on a small grid whose every figure can be worked out by hand.

Grocery shops A, B and C; five populated squares (centres, km from A at the origin):

    s1 (3, 0)   100 people aged 0-4     A 3 km,  B 9 km
    s2 (-7, 0)   50: 40 aged 20-24, 10 aged 70-74   A 7 km, B 19 km
    s3 (16, 0)   30 aged 75-79          B 4 km,  A 16 km
    s4 (0, 25)   20 aged 65-69          C 15 km, A 25 km
    s5 (0, 45)   10 aged 80-84          C 5 km,  A 45 km

A (0, 0), B (12, 0), C (0, 40). Localities L0 at A and L1 at C.
"""

import numpy as np
import pytest

from analysis.engine import (
    KINDS,
    Analysis,
    Outlets,
    RoadDistance,
    Squares,
    StraightLine,
    kind_flags,
    localities_assign,
)

E0, N0 = 500_000.0, 7_000_000.0
KM = 1000.0
A, B, C = 11, 12, 13


def at(x_km, y_km):
    return (E0 + x_km * KM, N0 + y_km * KM)


def ages_of(people_by_class):
    row = np.zeros(19, dtype=np.int64)
    for klass, people in people_by_class.items():
        row[klass] = people
    return row


def hand_grid():
    xy = np.array([at(3, 0), at(-7, 0), at(16, 0), at(0, 25), at(0, 45)])
    ages = np.stack(
        [
            ages_of({0: 100}),
            ages_of({4: 40, 14: 10}),
            ages_of({15: 30}),
            ages_of({13: 20}),
            ages_of({16: 10}),
        ]
    )
    localities = localities_assign(xy, np.array([at(0, 0), at(0, 40)]))
    return Squares(xy=xy, population=ages.sum(axis=1), ages=ages, locality=localities)


def hand_outlets():
    grocery = kind_flags("grocery")
    return Outlets(
        ids=[A, B, C],
        xy=np.array([at(0, 0), at(12, 0), at(0, 40)]),
        kinds=np.stack([grocery, grocery, grocery]),
    )


def hand_analysis(detour_factor=1.0):
    return Analysis(hand_grid(), hand_outlets(), StraightLine(detour_factor))


def band_people(report):
    return [band["population"] for band in report["bands"]]


def by_id(report):
    return {entry["id"]: entry for entry in report["outlets"]}


def test_bands_count_each_square_at_its_nearest_shop_lower_edge_included():
    report = hand_analysis().report("grocery")
    assert report["method"] == "straight_line"
    assert report["total_population"] == 210
    # s5 is exactly 5 km from C: it belongs to 5–10, not to 0–5.
    assert band_people(report) == [130, 60, 20, 0, 0]
    assert [(b["from_km"], b["to_km"]) for b in report["bands"]] == [
        (0, 5),
        (5, 10),
        (10, 20),
        (20, 30),
        (30, None),
    ]
    assert report["bands"][0]["by_age"] == {
        "0-19": 100,
        "20-64": 0,
        "65-79": 30,
        "80+": 0,
        "70+": 30,
    }
    assert report["by_age"] == {
        "0-19": 100,
        "20-64": 40,
        "65-79": 60,
        "80+": 10,
        "70+": 50,
    }


def test_detour_factor_stretches_straight_line_distances():
    report = hand_analysis(detour_factor=1.3).report("grocery")
    # s1 3.9 km; s2 9.1, s3 5.2, s5 6.5; s4 19.5.
    assert band_people(report) == [100, 90, 20, 0, 0]
    assert report["detour_factor"] == 1.3


def test_user_bands_replace_the_default_ones():
    report = hand_analysis().report("grocery", bands_km=[4, 8])
    # s1 3 km; s3 4 km (lower edge of 4–8), s2 7, s5 5; s4 15.
    assert band_people(report) == [100, 90, 20]
    assert report["bands"][-1] == {
        "from_km": 8,
        "to_km": None,
        "population": 20,
        "by_age": {"0-19": 0, "20-64": 0, "65-79": 20, "80+": 0, "70+": 0},
    }


def test_each_outlet_has_the_people_it_is_nearest_for_and_who_would_be_far_without_it():
    outlets = by_id(hand_analysis().report("grocery"))
    assert {i: o["dependent_population"] for i, o in outlets.items()} == {
        A: 150,
        B: 30,
        C: 30,
    }
    # Without A, s2 has B 19 km away (s1 still has B at 9 km); without B, s3 has A at
    # 16 km; without C, s4 and s5 have A at 25 and 45 km.
    assert {i: o["beyond_10_km_if_closed"] for i, o in outlets.items()} == {
        A: 50,
        B: 30,
        C: 30,
    }
    assert outlets[A]["dependent_by_age"] == {
        "0-19": 100,
        "20-64": 40,
        "65-79": 10,
        "80+": 0,
        "70+": 10,
    }


def test_transport_need_sums_the_distance_of_people_over_70_living_5_km_or_more_away():
    outlets = by_id(hand_analysis().report("grocery"))
    # A: the ten 70-74 year-olds of s2, 7 km away (s1's children don't count).
    # B: s3's thirty are 4 km away, under 5. C: s5's ten at exactly 5 km count.
    assert {i: o["transport_need_70_plus_km"] for i, o in outlets.items()} == {
        A: 70.0,
        B: 0.0,
        C: 50.0,
    }


def test_localities_get_their_squares_and_strategic_candidates_their_sole_shop():
    report = hand_analysis().report("grocery", threshold=10)
    assert [(loc["locality"], loc["population"]) for loc in report["localities"]] == [
        (0, 180),
        (1, 30),
    ]
    assert report["localities"][0]["bands"] == [130, 50, 0, 0, 0]
    # The only shop within 10 km: A for s2 (next 19 km), B for s3, C for s5;
    # s1 has two within 10 km, s4 none.
    candidates = [
        (c["locality"], c["outlet_id"], c["population"])
        for c in report["strategic_candidates"]
    ]
    assert candidates == [(0, A, 50), (0, B, 30), (1, C, 10)]
    high = hand_analysis().report("grocery", threshold=40)
    assert [c["outlet_id"] for c in high["strategic_candidates"]] == [A]


def test_closing_a_shop_moves_its_people_to_the_next_one_and_changes_the_bands():
    scenario = hand_analysis().scenario(closed=[A])
    report = scenario.report("grocery")
    # s1 now 9 km and s2 19 km from B.
    assert band_people(report) == [30, 110, 70, 0, 0]
    outlets = by_id(report)
    assert A not in outlets
    assert outlets[B]["dependent_population"] == 180
    # Next alternative for B's people is C: 40.1, 40.6 and 43.1 km away.
    assert outlets[B]["beyond_10_km_if_closed"] == 180
    assert outlets[C]["dependent_population"] == 30


def test_adding_and_moving_shops_in_a_scenario():
    analysis = hand_analysis()
    new_shop = Outlets(ids=[-1], xy=[at(-7, 0)], kinds=[kind_flags("grocery")])
    added = by_id(analysis.scenario(added=new_shop).report("grocery"))
    assert added[-1]["dependent_population"] == 50
    assert added[A]["dependent_population"] == 100
    # s2 is now next to the new shop, A is 7 km further.
    assert added[-1]["beyond_10_km_if_closed"] == 0

    moved = analysis.scenario(moved={C: at(0, 25)}).report("grocery")
    # s4 now has C in the square; s5 is 20 km from it.
    assert band_people(moved) == [150, 50, 0, 10, 0]
    # Without C, s4 would have A at 25 km and s5 A at 45 km.
    assert by_id(moved)[C]["beyond_10_km_if_closed"] == 30


def test_scenarios_do_not_change_the_analysis_they_start_from():
    analysis = hand_analysis()
    analysis.scenario(closed=[A, B])
    assert band_people(analysis.report("grocery")) == [130, 60, 20, 0, 0]


def test_a_scenario_can_build_on_another():
    analysis = hand_analysis()
    stepwise = analysis.scenario(moved={C: at(0, 25)}).scenario(closed=[A, C])
    at_once = analysis.scenario(closed=[A, C])
    assert stepwise.report("grocery") == at_once.report("grocery")
    # Only B is left: s1 9, s2 19, s3 4, s4 27.7 and s5 46.6 km away.
    assert band_people(at_once.report("grocery")) == [30, 100, 50, 20, 10]


def test_closing_every_shop_leaves_everyone_unreachable_in_the_last_band():
    report = hand_analysis().scenario(closed=[A, B, C]).report("grocery")
    assert band_people(report) == [0, 0, 0, 0, 210]
    assert report["unreachable_population"] == 210
    assert report["outlets"] == []


def test_an_unknown_outlet_cannot_be_closed():
    with pytest.raises(KeyError):
        hand_analysis().scenario(closed=[999])


def test_squares_without_ages_report_no_age_figures():
    squares = hand_grid()
    squares = Squares(xy=squares.xy, population=squares.population)
    report = Analysis(squares, hand_outlets(), StraightLine(1.0)).report("grocery")
    assert band_people(report) == [130, 60, 20, 0, 0]
    assert report["bands"][0]["by_age"] == dict.fromkeys(
        ["0-19", "20-64", "65-79", "80+", "70+"]
    )
    assert by_id(report)[A]["transport_need_70_plus_km"] is None


def test_a_shop_belongs_to_every_kind_it_counts_for():
    outlets = Outlets(
        ids=[1, 2],
        xy=[at(0, 0), at(20, 0)],
        kinds=[kind_flags("grocery_full", "grocery"), kind_flags("fuel")],
    )
    squares = Squares(xy=[at(1, 0), at(19, 0)], population=[5, 7])
    analysis = Analysis(squares, outlets, StraightLine(1.0))
    assert by_id(analysis.report("grocery_full"))[1]["dependent_population"] == 12
    assert by_id(analysis.report("fuel"))[2]["dependent_population"] == 12
    assert analysis.report("agent")["unreachable_population"] == 12


def test_a_one_shop_closure_gives_the_same_figures_as_computing_without_the_shop():
    rng = np.random.default_rng(7)
    squares = Squares(
        xy=rng.uniform([E0, N0], [E0 + 60_000, N0 + 60_000], size=(3000, 2)),
        population=rng.integers(1, 50, 3000),
        ages=rng.integers(0, 5, (3000, 19)),
    )
    squares.population = squares.ages.sum(axis=1)
    kinds = rng.random((80, len(KINDS))) < 0.5
    outlets = Outlets(
        ids=np.arange(100, 180),
        xy=rng.uniform([E0, N0], [E0 + 60_000, N0 + 60_000], size=(80, 2)),
        kinds=kinds,
    )
    analysis = Analysis(squares, outlets, StraightLine(1.3))
    closed = int(outlets.ids[np.flatnonzero(kinds[:, 1])[0]])
    keep = outlets.ids != closed
    fresh = Analysis(
        squares,
        Outlets(ids=outlets.ids[keep], xy=outlets.xy[keep], kinds=kinds[keep]),
        StraightLine(1.3),
    )
    scenario = analysis.scenario(closed=[closed])
    for kind in KINDS:
        assert scenario.report(kind) == fresh.report(kind)


# Along roads -----------------------------------------------------------------------
#
#   (0,10) ──── (6,10)        A road from A north to (0,10), east to (6,10), south to
#     │           │           s1 at (6,0) and on east to B at (20,0). In a straight
#   s2 (0,5)      │           line s1 is 6 km from A; by road it is 26 km from A and
#     │           │           14 km from B. s2 is 5 km from A either way, 35 km from B
#   A (0,0)     s1 (6,0) ──────────── B (20,0)      by road.


def road_analysis():
    from analysis.roads import RoadNetwork

    line = np.array([at(0, 0), at(0, 5), at(0, 10), at(6, 10), at(6, 0), at(20, 0)])
    network = RoadNetwork.from_lines([line])
    squares = Squares(
        xy=[at(6, 0), at(0, 5)],
        population=[10, 20],
        ages=[ages_of({14: 10}), ages_of({4: 20})],
    )
    grocery = kind_flags("grocery")
    outlets = Outlets(ids=[A, B], xy=[at(0, 0), at(20, 0)], kinds=[grocery, grocery])
    return squares, outlets, RoadDistance(network)


def test_along_roads_the_nearest_shop_can_be_another_than_in_a_straight_line():
    squares, outlets, roads = road_analysis()
    report = Analysis(squares, outlets, roads).report("grocery")
    assert report["method"] == "road_network"
    assert report["detour_factor"] is None
    # s2 5 km from A (lower edge of 5–10), s1 14 km from B.
    assert band_people(report) == [0, 20, 10, 0, 0]
    outlets_by_id = by_id(report)
    assert outlets_by_id[B]["dependent_population"] == 10
    # s1's next is A, 26 km by road; s2's next is B, 35 km.
    assert outlets_by_id[B]["beyond_10_km_if_closed"] == 10
    assert outlets_by_id[A]["beyond_10_km_if_closed"] == 20
    # s1's ten people aged 70-74 live 14 km from B.
    assert outlets_by_id[B]["transport_need_70_plus_km"] == 140.0

    straight = Analysis(squares, outlets, StraightLine(1.0)).report("grocery")
    assert straight["method"] == "straight_line"
    assert band_people(straight) == [0, 30, 0, 0, 0]
    assert by_id(straight)[A]["dependent_population"] == 30


def test_closing_a_shop_along_roads_sends_its_people_the_long_way_round():
    squares, outlets, roads = road_analysis()
    report = Analysis(squares, outlets, roads).scenario(closed=[B]).report("grocery")
    assert band_people(report) == [0, 20, 0, 10, 0]
    assert by_id(report)[A]["dependent_population"] == 30
    assert by_id(report)[A]["transport_need_70_plus_km"] == 260.0


def test_a_shop_added_on_the_road_takes_the_people_it_is_nearest_to():
    squares, outlets, roads = road_analysis()
    new_shop = Outlets(ids=[-1], xy=[at(6, 10)], kinds=[kind_flags("grocery")])
    report = (
        Analysis(squares, outlets, roads).scenario(added=new_shop).report("grocery")
    )
    # s1 is 10 km from the new shop by road, s2 still 5 km from A.
    assert by_id(report)[-1]["dependent_population"] == 10
    assert band_people(report) == [0, 20, 10, 0, 0]


# Scenarios against fresh analyses ---------------------------------------------------


def random_region(seed, squares_count=4000, outlets_count=90):
    """Squares in towns (with localities, so strategic candidates occur) and outlets
    of random kinds, over 60 km × 60 km."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform([E0, N0], [E0 + 60_000, N0 + 60_000], size=(12, 2))
    xy = towns[rng.integers(0, 12, squares_count)] + rng.normal(
        scale=4000, size=(squares_count, 2)
    )
    ages = rng.integers(0, 6, (squares_count, 19))
    squares = Squares(
        xy=xy,
        population=ages.sum(axis=1),
        ages=ages,
        locality=localities_assign(xy, towns),
    )
    outlets = Outlets(
        ids=np.arange(100, 100 + outlets_count),
        xy=towns[rng.integers(0, 12, outlets_count)]
        + rng.normal(scale=6000, size=(outlets_count, 2)),
        kinds=rng.random((outlets_count, len(KINDS))) < 0.4,
    )
    return squares, outlets


def road_distance_over_region():
    from analysis.roads import synthetic_road_network

    network = synthetic_road_network(
        6000, seed=5, bbox=(E0 - 20_000, N0 - 20_000, E0 + 80_000, N0 + 80_000)
    )
    return RoadDistance(network)


def fresh_equivalent(outlets, closed=(), added=None, moved=None):
    """The scenario's outlet table made anew: the register without the closed and
    moved outlets, then the moved ones at their new places, then the added ones (the
    rows keep their order, as ties between figures are broken by it)."""
    moved = dict(moved or {})
    keep = ~np.isin(outlets.ids, [*closed, *moved])
    rows = [np.flatnonzero(outlets.ids == outlet_id)[0] for outlet_id in moved]
    parts = [
        Outlets(ids=outlets.ids[keep], xy=outlets.xy[keep], kinds=outlets.kinds[keep]),
        Outlets(
            ids=list(moved),
            xy=np.array(list(moved.values())).reshape(-1, 2),
            kinds=outlets.kinds[rows].reshape(-1, len(KINDS)),
        ),
    ]
    if added is not None:
        parts.append(added)
    table = parts[0]
    for part in parts[1:]:
        table = table.concatenated(part)
    return table


@pytest.mark.parametrize("along_roads", [False, True])
def test_scenario_reports_equal_reports_computed_from_scratch(along_roads):
    squares, outlets = random_region(11)
    distance = road_distance_over_region() if along_roads else StraightLine(1.3)
    analysis = Analysis(squares, outlets, distance)
    for kind in KINDS:
        analysis.report(kind)
    grocery = outlets.ids[outlets.kinds[:, KINDS.index("grocery")]]
    served = np.bincount(analysis.nearest["grocery"].idx[:, 0], minlength=90)
    busiest = [int(outlet_id) for outlet_id in outlets.ids[np.argsort(-served)[:3]]]
    new = Outlets(
        ids=[-1, -2],
        xy=[squares.xy[10], squares.xy[2000]],
        kinds=[kind_flags("grocery", "fuel"), kind_flags("grocery")],
    )
    cases = [
        {"closed": [busiest[0]]},
        {"closed": busiest},
        {"closed": [int(grocery[-1])]},
        {"added": new},
        {"moved": {busiest[1]: tuple(squares.xy[3000])}},
        {"closed": [busiest[2]], "added": new, "moved": {busiest[0]: at(5, 5)}},
    ]
    options = {"bands_km": (2, 4.5, 8), "threshold": 20}
    for case in cases:
        scenario = analysis.scenario(**case)
        fresh = Analysis(squares, fresh_equivalent(outlets, **case), distance)
        for kind in KINDS:
            assert scenario.report(kind) == fresh.report(kind), (case, kind)
            assert scenario.report(kind, **options) == fresh.report(kind, **options)
            np.testing.assert_array_equal(
                scenario.nearest[kind].dist, fresh.nearest[kind].dist
            )


@pytest.mark.parametrize("along_roads", [False, True])
def test_a_scenario_of_a_scenario_equals_the_whole_scenario_from_scratch(along_roads):
    squares, outlets = random_region(12)
    distance = road_distance_over_region() if along_roads else StraightLine(1.3)
    analysis = Analysis(squares, outlets, distance)
    new = Outlets(ids=[-1], xy=[squares.xy[7]], kinds=[kind_flags("grocery")])
    first = analysis.scenario(closed=[100, 101], moved={102: at(30, 30)}, added=new)
    for kind in KINDS:
        first.report(kind)
    second = first.scenario(closed=[103, 104, -1], kinds=["grocery", "agent"])
    fresh = Analysis(
        squares,
        fresh_equivalent(outlets, closed=[100, 101, 103, 104], moved={102: at(30, 30)}),
        distance,
    )
    for kind in ("grocery", "agent"):
        assert second.report(kind) == fresh.report(kind)


def test_a_closure_patches_the_nearest_outlets_without_copying_them_until_asked():
    squares, outlets = random_region(13)
    analysis = Analysis(squares, outlets, StraightLine(1.3))
    base = analysis.nearest["grocery"]
    closed = int(outlets.ids[np.argmax(np.bincount(base.idx[:, 0]))])
    nearest = analysis.scenario(closed=[closed]).nearest["grocery"]
    rows = np.array(
        [0, 5, *np.flatnonzero(base.idx[:, 0] == outlets.positions_of([closed])[0])]
    )
    dist, idx = nearest.at(rows)
    # Asked for whole, the arrays are the base's with the closed outlet's squares
    # searched again.
    np.testing.assert_array_equal(nearest.dist[rows], dist)
    np.testing.assert_array_equal(nearest.idx[rows], idx)
    assert not np.isin(nearest.idx, outlets.positions_of([closed])).any()
    unchanged = ~np.isin(base.idx, outlets.positions_of([closed])).any(axis=1)
    np.testing.assert_array_equal(nearest.dist[unchanged], base.dist[unchanged])


def test_localities_given_to_the_squares_later_are_the_ones_summed():
    squares, outlets = random_region(14)
    before = Analysis(squares, outlets, StraightLine(1.3)).report("grocery")
    squares.locality = np.zeros(len(squares), dtype=np.int64)
    after = Analysis(squares, outlets, StraightLine(1.3)).report("grocery")
    assert len(before["localities"]) > 1
    assert [entry["population"] for entry in after["localities"]] == [
        before["total_population"]
    ]
