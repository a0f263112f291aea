"""Crisis readiness at a glance: the outlets with a crisis role, their backup power
and its last test, for the municipality's crisis management."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outlets.crisis import TestState, backup_test_state
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from outlets.tests.test_import import plan_for

pytestmark = pytest.mark.django_db

PAGE = reverse("outlets:crisis_readiness")
EXPORT = reverse("outlets:crisis_readiness_export")


@pytest.fixture
def crisis_world():
    today = timezone.localdate()
    return {
        "tested": OutletFactory(
            name="Handlarn Rundvik",
            crisis_role=Outlet.CrisisRole.READINESS_POINT,
            backup_power=True,
            backup_power_kva=20,
            backup_power_tested_on=today - datetime.timedelta(days=30),
            crisis_contact="Ingrid Öberg 070-111 22 33",
        ),
        "overdue": OutletFactory(
            name="ICA Lundins",
            crisis_role=Outlet.CrisisRole.FUEL,
            backup_power=True,
            backup_power_tested_on=today - datetime.timedelta(days=400),
        ),
        "never": OutletFactory(
            name="Pers Livs", crisis_role=Outlet.CrisisRole.SUPPLY, backup_power=True
        ),
        "none": OutletFactory(name="Tempo Sunnansjö"),
        "umea": OutletFactory(
            name="Coop Sävar",
            municipality=municipality("2480"),
            crisis_role=Outlet.CrisisRole.SUPPLY,
        ),
        "stockholm": OutletFactory(
            name="Lanthandeln Stockholm",
            municipality=municipality("0180"),
            crisis_role=Outlet.CrisisRole.SUPPLY,
        ),
    }


def row_of(page, name):
    (row,) = [row for row in page.split("<tr") if f">{name}</a>" in row]
    return row


@pytest.mark.smoke
def test_the_official_sees_their_outlets_with_a_crisis_role_and_the_tests_due(
    client, official, crisis_world
):
    client.force_login(official)
    response = client.get(PAGE)
    page = response.content.decode()

    names = [row.outlet.name for row in response.context["rows"]]
    assert names == ["Handlarn Rundvik", "ICA Lundins", "Pers Livs"]
    assert "Testad det senaste året" in row_of(page, "Handlarn Rundvik")
    assert "Ingrid Öberg 070-111 22 33" in row_of(page, "Handlarn Rundvik")
    assert "Testet är äldre än ett år" in row_of(page, "ICA Lundins")
    assert "Aldrig testad" in row_of(page, "Pers Livs")
    assert response.context["counts"]["attention"] == 2
    markers = {m["name"]: m for m in response.context["map_data"]["markers"]}
    assert markers["ICA Lundins"]["category"] == "attention"
    assert "Testet är äldre än ett år" in markers["ICA Lundins"]["label"]
    assert markers["Handlarn Rundvik"]["category"] == Outlet.Kind.GROCERY
    # On a phone the table scrolls sideways, and says so, like the other wide tables.
    assert 'aria-describedby="crisis-caption-hint"' in page
    assert (
        '<p class="scroll-hint" id="crisis-caption-hint">Tabellen är bredare än '
        "sidan: rulla i sidled för att se alla kolumner.</p>"
    ) in page
    assert "js/tables." in page


def test_the_regional_viewer_sees_the_county_and_may_pick_a_municipality(
    client, regional_viewer, crisis_world
):
    client.force_login(regional_viewer)
    response = client.get(PAGE)
    names = {row.outlet.name for row in response.context["rows"]}
    assert names == {"Handlarn Rundvik", "ICA Lundins", "Pers Livs", "Coop Sävar"}

    response = client.get(PAGE, {"municipality": "2480"})
    assert [row.outlet.name for row in response.context["rows"]] == ["Coop Sävar"]
    # A municipality outside the county is not theirs to pick: the county is shown.
    response = client.get(PAGE, {"municipality": "0180"})
    assert len(response.context["rows"]) == 4


def test_staff_of_another_municipality_see_only_their_own(
    client, umea_official, crisis_world
):
    client.force_login(umea_official)
    response = client.get(PAGE, {"municipality": "2401"})
    assert [row.outlet.name for row in response.context["rows"]] == ["Coop Sävar"]
    export = client.get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert "ICA Lundins" not in export


def test_shop_owners_are_refused_and_visitors_sent_to_sign_in(client, shop_owner):
    client.force_login(shop_owner)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    client.logout()
    assert client.get(PAGE).status_code == 302


def test_the_export_lists_the_same_outlets_with_the_test_in_words(
    client, official, crisis_world
):
    client.force_login(official)
    csv_lines = (
        client.get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig").splitlines()
    )
    assert csv_lines[0].startswith("Kommun;Namn;Ort;Servicepunkt;Krisroll;Reservkraft")
    assert len(csv_lines) == 4
    (lundins,) = [line for line in csv_lines if "ICA Lundins" in line]
    assert "Testet är äldre än ett år" in lundins

    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 4
    assert "Aldrig testad" in rows[3]


def test_a_test_exactly_a_year_ago_is_in_time_a_day_more_is_not():
    today = datetime.date(2026, 12, 7)
    outlet = Outlet(
        backup_power=True, backup_power_tested_on=datetime.date(2025, 12, 7)
    )
    assert backup_test_state(outlet, today) == TestState.TESTED
    outlet.backup_power_tested_on = datetime.date(2025, 12, 6)
    assert backup_test_state(outlet, today) == TestState.OVERDUE
    outlet.backup_power = None
    assert backup_test_state(outlet, today) == TestState.UNKNOWN


def test_the_crisis_role_is_kept_in_the_form_and_read_from_an_import(client, official):
    outlet = OutletFactory(name="Pers Livs")
    client.force_login(official)
    response = client.post(
        reverse("outlets:outlet_update", args=[outlet.pk]),
        {
            "name": "Pers Livs",
            "kind": Outlet.Kind.GROCERY,
            "crisis_role": Outlet.CrisisRole.READINESS_POINT,
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.crisis_role == Outlet.CrisisRole.READINESS_POINT

    plan = plan_for(
        "Namn;Typ;Kommunkod;Krisroll\r\nHandlarn Nyåker;Dagligvarubutik;2401;"
        "Trygghetspunkt\r\nHandlarn Rundvik;Dagligvarubutik;2401;kanske\r\n".encode()
    )
    assert plan.new[0].crisis_role == Outlet.CrisisRole.READINESS_POINT
    assert [(e.line, e.column) for e in plan.errors] == [(3, "Krisroll")]
