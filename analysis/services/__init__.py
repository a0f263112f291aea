"""Service analysis: storing population grids, loading the engine's inputs, results.

The engine (`analysis.engine`) knows nothing of Django; these functions feed it the
register's outlets, the municipality's squares and settings, and cache what it returns
under a fingerprint of every input. One module per job: `storage` (squares, road
networks, settings), `synthetic_population`, `inputs` (what the engine reads),
`cache` (fingerprints and stored results), `runs` (one analysis, scenarios) and
`jobs` (analyses too large for a request, computed in the background).
"""

from analysis.services.cache import (
    ENGINE_VERSION,
    analysis_fingerprint,
    inputs_fingerprint,
    results_prune,
)
from analysis.services.errors import AnalysisError, NoPopulationError
from analysis.services.inputs import (
    OutletTable,
    distance_for,
    localities_load,
    outlets_load,
    road_network_covers,
    road_network_loaded,
    squares_load,
)
from analysis.services.runs import (
    ScenarioSpec,
    analysis_with_scenario,
    municipality_by_code,
    parse_bands,
    scenario_spec,
    service_analysis_run,
)
from analysis.services.storage import (
    analysis_settings_save,
    population_store,
    road_network_current,
    road_network_store,
    squares_copy_in,
    squares_copy_out,
)
from analysis.services.synthetic_population import (
    SYNTHETIC_SQUARE_M,
    population_generate,
    population_synthetic_store,
)

__all__ = [
    "ENGINE_VERSION",
    "SYNTHETIC_SQUARE_M",
    "AnalysisError",
    "NoPopulationError",
    "OutletTable",
    "ScenarioSpec",
    "analysis_fingerprint",
    "analysis_settings_save",
    "analysis_with_scenario",
    "distance_for",
    "inputs_fingerprint",
    "localities_load",
    "municipality_by_code",
    "outlets_load",
    "parse_bands",
    "population_generate",
    "population_store",
    "population_synthetic_store",
    "results_prune",
    "road_network_covers",
    "road_network_current",
    "road_network_loaded",
    "road_network_store",
    "scenario_spec",
    "service_analysis_run",
    "squares_copy_in",
    "squares_copy_out",
    "squares_load",
]
