"""Saving and deleting scenarios: the services' own checks, behind the views'."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from analysis.models import Scenario
from analysis.scenarios import scenario_create, scenario_delete
from analysis.services import ScenarioSpec

pytestmark = pytest.mark.django_db


def test_those_who_may_not_keep_a_scenario_are_refused_by_the_services(
    nordmaling, official, administrator, regional_viewer, umea_official
):
    """The views answer 403 or 404 first; called directly, the services refuse as
    the last line of defence."""
    for reader in (regional_viewer, umea_official):
        with pytest.raises(PermissionDenied):
            scenario_create(
                municipality=nordmaling, name="Utan A", spec=ScenarioSpec(), by=reader
            )
    scenario = scenario_create(
        municipality=nordmaling, name="Utan A", spec=ScenarioSpec(), by=official
    )
    colleague = UserFactory(email="kollega@nordmaling.example")
    assert Scenario.objects.visible_to(colleague).filter(pk=scenario.pk).exists()
    for reader in (regional_viewer, umea_official, colleague):
        with pytest.raises(PermissionDenied):
            scenario_delete(scenario=scenario, by=reader)
    assert list(Scenario.objects.values_list("name", flat=True)) == ["Utan A"]
    scenario_delete(scenario=scenario, by=administrator)
    assert not Scenario.objects.exists()
