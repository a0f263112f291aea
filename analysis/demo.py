"""Demo data of the service analysis: synthetic populations for Nordmaling and its
county's other municipalities with localities (the county page compares them)."""

from outlets.models import Municipality


def seed_population(nordmaling):
    """A synthetic population for the service analysis, stored once per
    municipality: every store adds an import to the municipality's history."""
    # numpy and scipy load only when a demo is built, not when this module is imported.
    from analysis.services import population_synthetic_store

    county = (
        Municipality.objects.filter(
            county=nordmaling.county, localities__latitude__isnull=False
        )
        .exclude(population_imports__isnull=False)
        .distinct()
        .order_by("code")
    )
    for municipality in county:
        population_synthetic_store(municipality=municipality)
