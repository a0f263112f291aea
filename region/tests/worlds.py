"""Small worlds for the county page: Nordmaling's hand grid (analysis/tests/grids.py)
beside Umeå, whose people and one village live east of shop B, with no shop of
their own.

    Umeå's square (14, 0): 10 people aged 20-24; shop B 2 km × 1.3 = 2.6 km away,
    shop A 18.2 km. Umeå's village Byn U at (14, 1): its nearest shop is B.

So shop B is the nearest for 30 people of Nordmaling (S3) and 10 of Umeå, all of
them more than 10 km from the next shop if it closed; shop A only for Nordmaling's.
"""

from datetime import date

import numpy as np

from agreements.models import Agreement, AgreementVersion, Party, Payout
from analysis.population import PopulationGrid
from analysis.services import population_store
from analysis.tests.grids import E0, N0, at, hand_grid
from outlets.models import County, Municipality
from outlets.tests.factories import LocalityFactory, OutletFactory, municipality
from programme.tests.factories import ProgrammeGoalsFactory


def square_grid(place, squares):
    """A population of 1 km squares: (x km, y km, people aged 20-24)."""
    ages = np.zeros((len(squares), 19), dtype=np.int64)
    for row, (_x, _y, people) in enumerate(squares):
        ages[row, 4] = people
    grid = PopulationGrid(
        format="template",
        easting=np.array([E0 + x * 1000 - 500 for x, _y, _p in squares]),
        northing=np.array([N0 + y * 1000 - 500 for _x, y, _p in squares]),
        size_m=np.full(len(squares), 1000),
        population=ages.sum(axis=1),
        ages=ages,
        note="",
    )
    return population_store(municipality=place, grid=grid, file_name="rutor.csv")


def two_municipalities():
    """Nordmaling's hand grid and Umeå's square and village; the shops by letter."""
    shops = hand_grid()
    umea = municipality("2480")
    latitude, longitude = at(14, 1)
    LocalityFactory(
        municipality=umea, name="Byn U", latitude=latitude, longitude=longitude
    )
    square_grid(umea, [(14, 0, 10)])
    return shops


def in_force(outlet, *, compensation=40_000, paid=20_000, year=2026):
    """An agreement in force from the year's start, with half a year paid."""
    party = Party.objects.create(
        municipality=outlet.municipality,
        name=f"{outlet.name} AB",
        organisation_number="556036-0793",
        bankgiro="123-4567",
        signatory_name="Per Lindberg",
        signatory_title="VD",
    )
    agreement = Agreement.objects.create(
        municipality=outlet.municipality,
        outlet=outlet,
        party=party,
        reference=f"SP-{outlet.municipality.code}-{year}-{outlet.pk}",
        state=Agreement.State.SIGNED,
        signed_on=date(year - 1, 12, 1),
        starts_on=date(year, 1, 1),
    )
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        effective_on=date(year, 1, 1),
        decision_registration_number="KS 1",
        decision_body="Kommunstyrelsen",
        decision_date=date(year - 1, 11, 1),
        annual_compensation=compensation,
        starts_on=date(year, 1, 1),
        initial_term_months=36,
        extension_months=12,
        notice_period_months=3,
        decision_lead_days=30,
        signed_at=f"{year - 1}-12-01T10:00:00+01:00",
    )
    Payout.objects.create(
        agreement=agreement,
        agreement_year=1,
        period_start=date(year, 1, 1),
        period_end=date(year, 6, 30),
        due_on=date(year, 7, 30),
        amount=paid,
        vat_amount=paid // 4,
        status=Payout.Status.PAID,
    )
    return agreement


def county_of(size):
    """A county of `size` municipalities, each with a shop, a village and a square
    of people 3 km from the shop, 40 km apart in rows of five."""
    if size == 15:
        county = County.objects.get(code="24")
        places = list(county.municipalities.order_by("code"))
    else:
        county = County.objects.create(code="99", name="Provlän")
        places = [
            Municipality.objects.create(
                code=f"99{n:02}", name=f"Provkommun {n}", county=county
            )
            for n in range(size)
        ]
    assert len(places) == size
    for n, place in enumerate(places):
        x, y = 40 * (n % 5), 40 * (n // 5)
        latitude, longitude = at(x, y)
        village = LocalityFactory(
            municipality=place, name=f"By {n}", latitude=latitude, longitude=longitude
        )
        shop = OutletFactory(
            municipality=place,
            name=f"Handlarn {n}",
            kind="grocery",
            latitude=latitude,
            longitude=longitude,
            locality=village,
        )
        if n < 2:
            in_force(shop)
            ProgrammeGoalsFactory(municipality=place, year=2026, service_points=1)
        square_grid(place, [(x + 3, y, 50)])
    return county
