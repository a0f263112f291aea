"""Generating a plausible synthetic population for a municipality (for the demo,
tests and benchmarks, where no grid statistics are imported)."""

import numpy as np
from django.utils.translation import gettext as _

from analysis.models import SWEDEN_EASTING, SWEDEN_NORTHING
from analysis.population import PopulationGrid
from analysis.services.errors import AnalysisError
from analysis.services.inputs import localities_load
from analysis.services.storage import population_store

SYNTHETIC_SQUARE_M = 250

# Sweden's population by five-year class (0-4 … 85-89, 90+), in per mille, rounded.
SWEDISH_AGE_SHARES = np.array(
    [55, 58, 62, 60, 60, 66, 67, 65, 64, 63, 64, 62, 58, 55, 52, 50, 36, 20, 13],
    dtype=float,
)


def population_generate(*, municipality, seed=0, people=None) -> PopulationGrid:
    """A plausible synthetic 250 m grid clustered around the municipality's localities.

    Most people live close to a locality (more around the larger ones); a fifth are
    scattered over the countryside between them. Older people are a little more
    common outside the localities, as in rural Sweden.
    """
    localities, xy = localities_load(municipality=municipality)
    if not localities:
        raise AnalysisError(
            _(
                "%(municipality)s has no localities with a position to cluster the "
                "population around."
            )
            % {"municipality": municipality}
        )
    weights = np.array([place.population or 300 for place in localities], dtype=float)
    if people is None:
        people = int(weights.sum())
    if people <= 0:
        raise AnalysisError(_("Give a positive number of people."))
    rng = np.random.default_rng(seed)
    points, is_rural = _people_placed(rng, xy, weights, people)
    corners, population, rural_share = _squares_counted(points, is_rural)
    return PopulationGrid(
        format="synthetic",
        easting=corners[:, 0],
        northing=corners[:, 1],
        size_m=np.full(len(corners), SYNTHETIC_SQUARE_M),
        population=population.astype(np.int64),
        ages=_ages_drawn(rng, population, rural_share).astype(np.int64),
        note=_("Synthetic: generated around the localities (seed %(seed)s).")
        % {"seed": seed},
    )


def _people_placed(rng, xy, weights, people):
    """Each person's position: four in five near a locality (drawn by its weight,
    spread more around larger ones), the rest anywhere within a few kilometres of
    one; kept inside Sweden. Returns the positions and which are rural."""
    village = int(round(people * 0.8))
    centres = rng.choice(len(xy), size=village, p=weights / weights.sum())
    spread = 400 + 400 * np.sqrt(weights / weights.max())
    positions = [xy[centres] + rng.normal(size=(village, 2)) * spread[centres, None]]
    rural = people - village
    positions.append(
        xy[rng.integers(0, len(xy), rural)] + rng.normal(size=(rural, 2)) * 6000
    )
    points = np.concatenate(positions)
    points[:, 0] = points[:, 0].clip(SWEDEN_EASTING[0] + 1, SWEDEN_EASTING[1] - 1)
    points[:, 1] = points[:, 1].clip(SWEDEN_NORTHING[0] + 1, SWEDEN_NORTHING[1] - 1)
    return points, np.r_[np.zeros(village, bool), np.ones(rural, bool)]


def _squares_counted(points, is_rural):
    """The occupied squares' corners, their people and each one's rural share."""
    corners = (np.floor(points / SYNTHETIC_SQUARE_M) * SYNTHETIC_SQUARE_M).astype(
        np.int64
    )
    unique, inverse = np.unique(corners, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    population = np.bincount(inverse, minlength=len(unique))
    rural_share = np.bincount(inverse, weights=is_rural, minlength=len(unique))
    rural_share = rural_share / np.maximum(population, 1)
    return unique, population, rural_share


def _ages_drawn(rng, population, rural_share):
    """Each square's people by age class, Sweden's shares with older people a
    little more common the more rural the square."""
    shares = SWEDISH_AGE_SHARES / SWEDISH_AGE_SHARES.sum()
    older = np.r_[np.full(13, 0.85), np.full(6, 1.6)]
    square_shares = shares * (1 + (older - 1) * rural_share[:, None])
    square_shares /= square_shares.sum(axis=1, keepdims=True)
    return np.stack(
        [rng.multinomial(n, p) for n, p in zip(population, square_shares, strict=True)]
    )


def population_synthetic_store(*, municipality, seed=0, people=None):
    """Generate and store a synthetic population (for the demo and benchmarks)."""
    grid = population_generate(municipality=municipality, seed=seed, people=people)
    return population_store(
        municipality=municipality,
        grid=grid,
        file_name=_("synthetic (seed %(seed)s)") % {"seed": seed},
        synthetic=True,
    )
