"""Demo data of the service analysis: a synthetic population for Nordmaling."""

from analysis.models import PopulationImport


def seed_population(nordmaling):
    """A synthetic population for the service analysis, stored once: every store adds
    an import to the municipality's history."""
    # numpy and scipy load only when a demo is built, not when this module is imported.
    from analysis.services import population_synthetic_store

    if not PopulationImport.objects.filter(municipality=nordmaling).exists():
        population_synthetic_store(municipality=nordmaling)
