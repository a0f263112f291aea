"""A hand-computable grid for the page tests, stored through the real services.

Straight line, detour factor 1.0, 1 km squares, positions in km from an origin:

    shop A at (0, 0), shop B at (12, 0); localities Byn A at (0, 0), Byn B at (12, 0)
    S1 (3, 0):  100 aged 0-4            A 3 km,  next B 9 km
    S2 (-7, 0): 40 aged 20-24, 10 70-74 A 7 km,  next B 19 km
    S3 (16, 0): 30 aged 75-79           B 4 km,  next A 16 km
    S4 (0, 25): 20 aged 65-69           A 25 km, next B 27.7 km

Bands 0-5, 5-10, 10-20, 20-30, 30+: 130, 50, 0, 20, 0 people (200 in all).
With A closed: 30, 100, 50, 20, 0.
"""

import numpy as np

from analysis.models import AnalysisSettings
from analysis.population import PopulationGrid
from analysis.services import population_store
from outlets.geo import wgs84_from_sweref
from outlets.tests.factories import LocalityFactory, OutletFactory, municipality

E0, N0 = 500_500, 7_000_500

SQUARES = [
    # (x km, y km, {age class: people})
    (3, 0, {0: 100}),
    (-7, 0, {4: 40, 14: 10}),
    (16, 0, {15: 30}),
    (0, 25, {13: 20}),
]


def at(x_km, y_km):
    return wgs84_from_sweref(N0 + y_km * 1000, E0 + x_km * 1000)


def sweref(x_km, y_km):
    """(easting, northing) of a point of the grid."""
    return E0 + x_km * 1000, N0 + y_km * 1000


def hand_grid(code="2401", threshold=40):
    """Shops A and B, localities, the four squares; returns the shops by letter."""
    place = municipality(code)
    localities = {}
    for name, x in [("Byn A", 0), ("Byn B", 12)]:
        latitude, longitude = at(x, 0)
        localities[name] = LocalityFactory(
            municipality=place, name=name, latitude=latitude, longitude=longitude
        )
    shops = {}
    for letter, x, locality in [("A", 0, "Byn A"), ("B", 12, "Byn B")]:
        latitude, longitude = at(x, 0)
        shops[letter] = OutletFactory(
            municipality=place,
            name=f"Handlarn {letter}",
            kind="grocery",
            latitude=latitude,
            longitude=longitude,
            locality=localities[locality],
        )
    AnalysisSettings.objects.update_or_create(
        municipality=place,
        defaults={"detour_factor": 1.0, "strategic_threshold": threshold},
    )
    ages = np.zeros((len(SQUARES), 19), dtype=np.int64)
    for row, (_x, _y, people) in enumerate(SQUARES):
        for klass, count in people.items():
            ages[row, klass] = count
    grid = PopulationGrid(
        format="template",
        easting=np.array([E0 + x * 1000 - 500 for x, _y, _p in SQUARES]),
        northing=np.array([N0 + y * 1000 - 500 for _x, y, _p in SQUARES]),
        size_m=np.full(len(SQUARES), 1000),
        population=ages.sum(axis=1),
        ages=ages,
        note="",
    )
    population_store(municipality=place, grid=grid, file_name="rutor.csv")
    return shops
