"""A saved scenario's page tells who saved it and who changed it, and when."""

import pghistory
import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from analysis.models import Scenario, ScenarioEvent
from analysis.tests.grids import hand_grid, sweref
from outlets.tests.history import history_rows, recorded_an_hour_ago, when

pytestmark = pytest.mark.django_db


def test_a_scenarios_page_tells_who_saved_and_who_changed_it_and_when(client, official):
    shops = hand_grid()
    easting, northing = sweref(0, 24)
    client.force_login(official)
    client.post(
        reverse("analysis:scenario_save"),
        {
            "name": "Ny butik",
            "close": [shops["A"].pk],
            "add_name": "Nya butiken",
            "add_kind": "grocery",
            "add_easting": easting,
            "add_northing": northing,
            "move_outlet": shops["B"].pk,
            "move_easting": easting + 1000,
            "move_northing": northing,
        },
    )
    scenario = Scenario.objects.get()
    recorded_an_hour_ago()
    # The app keeps a scenario as saved; a change made otherwise (the shell, a
    # script) is in its history all the same, with who made it.
    administrator = UserFactory(administrator=True, full_name="Ada Administratör")
    with pghistory.context(user=administrator.pk):
        scenario.name = "Ny butik, A öppen"
        scenario.save()
        scenario.closed_outlets.clear()
        scenario.moved_outlets.all().delete()

    rows = history_rows(
        client.get(reverse("analysis:scenario_detail", args=[scenario.pk]))
    )

    change = ScenarioEvent.objects.get(pgh_label="update")
    saving = ScenarioEvent.objects.get(pgh_label="insert")
    assert sorted(rows) == sorted(
        [
            (
                when(change),
                "Ada Administratör",
                "Scenario ändrades: namn, stängda försäljningsställen",
            ),
            (when(change), "Ada Administratör", "Flyttat försäljningsställe togs bort"),
            (when(saving), official.full_name, "Scenario skapades"),
            (when(saving), official.full_name, "Tillagt försäljningsställe skapades"),
            (when(saving), official.full_name, "Flyttat försäljningsställe skapades"),
        ]
    )
    assert rows[0][0] == when(change)
