"""Saving and deleting scenarios (Swedish: *scenario*); the register stays untouched."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from analysis.models import Scenario, ScenarioAddedOutlet, ScenarioMovedOutlet
from analysis.permissions import can_delete_scenario, can_save_scenario
from analysis.services import ScenarioSpec
from outlets.models import Outlet


@transaction.atomic
def scenario_create(*, municipality, name: str, spec: ScenarioSpec, by) -> Scenario:
    """Keep a scenario's changes under a name."""
    if not can_save_scenario(by, municipality):
        raise PermissionDenied
    scenario = Scenario(municipality=municipality, name=name, created_by=by)
    scenario.full_clean()
    scenario.save()
    scenario.closed_outlets.set(Outlet.objects.filter(pk__in=spec.closed))
    for added_name, kinds, easting, northing in spec.added:
        kind = next(
            (k for k in ("grocery_full", "grocery", "fuel", "agent") if k in kinds),
            "other",
        )
        added = ScenarioAddedOutlet(
            scenario=scenario,
            name=added_name,
            kind=kind,
            is_agent="agent" in kinds,
            is_service_point="service_point" in kinds,
            easting=easting,
            northing=northing,
        )
        added.full_clean()
        added.save()
    for outlet_id, easting, northing in spec.moved:
        moved = ScenarioMovedOutlet(
            scenario=scenario, outlet_id=outlet_id, easting=easting, northing=northing
        )
        moved.full_clean()
        moved.save()
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: Scenario, by) -> None:
    """Delete a scenario; only the one who saved it may."""
    if not can_delete_scenario(by, scenario):
        raise PermissionDenied
    scenario.delete()
