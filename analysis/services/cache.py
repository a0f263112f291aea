"""The results' cache: every result is stored under a fingerprint of its inputs,
read back while they are unchanged, and pruned to the recently used."""

import hashlib
import json

import numpy as np
from django.utils import timezone

from analysis.models import AnalysisResult

# Bumped when the engine's figures change meaning, so cached results are not reused.
ENGINE_VERSION = 1


def inputs_fingerprint(
    *, municipality, settings, population_import, road_network, table, localities
):
    """A hash of the inputs every kind, band and scenario of a municipality share."""
    outlets = table.outlets
    digest = hashlib.sha256()
    digest.update(outlets.ids.tobytes())
    digest.update(np.round(outlets.xy, 2).tobytes())
    digest.update(outlets.kinds.tobytes())
    payload = {
        "engine": ENGINE_VERSION,
        "municipality": municipality.pk,
        "detour_factor": settings.detour_factor,
        "threshold": settings.strategic_threshold,
        "population_import": population_import.pk,
        "road_network": road_network.pk if road_network else None,
        "localities": [(p.pk, p.name, p.latitude, p.longitude) for p in localities],
    }
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def analysis_fingerprint(*, kind, bands, scenario, inputs=None, **shared):
    """A hash of every input of one analysis; a changed input gives a new key.

    `inputs` is `inputs_fingerprint` of the shared inputs, computed from `shared`
    when not given.
    """
    inputs = inputs or inputs_fingerprint(**shared)
    payload = {"kind": kind, "bands": bands, "scenario": scenario.as_json()}
    digest = hashlib.sha256(inputs.encode())
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# At most so many results are kept per municipality: today's (kinds and bands) and
# scenarios' each, the least recently used deleted first.
KEPT_RESULTS = 20
KEPT_SCENARIO_RESULTS = 30


def results_prune(*, municipality, inputs):
    """Delete the municipality's results of other inputs (stale: no run asks for them
    again) and the least recently used beyond the kept numbers."""
    results = AnalysisResult.objects.filter(municipality=municipality)
    results.exclude(inputs=inputs).delete()
    for is_scenario, kept in [(False, KEPT_RESULTS), (True, KEPT_SCENARIO_RESULTS)]:
        surplus = list(
            results.filter(is_scenario=is_scenario)
            .order_by("-used_at", "-pk")
            .values_list("pk", flat=True)[kept:]
        )
        if surplus:
            AnalysisResult.objects.filter(pk__in=surplus).delete()


def result_cached(fingerprint):
    """The stored result under `fingerprint`, marked as used now; None if none."""
    cached = (
        AnalysisResult.objects.filter(fingerprint=fingerprint)
        .only("pk", "result")
        .first()
    )
    if cached is None:
        return None
    AnalysisResult.objects.filter(pk=cached.pk).update(used_at=timezone.now())
    return contract_order(cached.result)


def result_store(
    *,
    fingerprint,
    municipality,
    kind,
    inputs,
    bands,
    scenario,
    result,
    seconds,
    input_versions=None,
):
    """Store a computed result under its fingerprint, with the versions of the
    inputs it was computed from."""
    AnalysisResult.objects.update_or_create(
        fingerprint=fingerprint,
        defaults={
            "municipality": municipality,
            "kind": kind,
            "inputs": inputs,
            "bands_km": [float(edge) for edge in bands],
            "is_scenario": not scenario.is_empty(),
            "method": result["method"],
            "seconds": seconds,
            "result": result,
            "used_at": timezone.now(),
            "input_versions": input_versions or {},
        },
    )


CONTRACT_KEYS = ["method", "detour_factor", "total_population", "bands", "outlets"]


def contract_order(result):
    """The contract's keys first, for readers of the raw JSON (jsonb keeps no order)."""
    return {key: result[key] for key in CONTRACT_KEYS} | {
        key: value for key, value in result.items() if key not in CONTRACT_KEYS
    }
