"""The import preview says what the file changes in each stored outlet."""

import pytest
from django.conf import settings

from outlets.demo import seed_outlets
from outlets.models import Outlet
from outlets.tests.factories import municipality
from outlets.tests.imports import upload

pytestmark = pytest.mark.django_db

NORDMALING_SAMPLE = (
    settings.BASE_DIR / "outlets" / "data" / ("outlets-nordmaling-excel-sv.csv")
)


def test_nordmaling_sample_into_the_demo_shows_ica_lundins_losing_its_full_range(
    client, administrator
):
    seed_outlets(municipality("2401"))
    client.force_login(administrator)

    response = upload(client, NORDMALING_SAMPLE.read_bytes(), NORDMALING_SAMPLE.name)

    changes = response.context["preview"]["changes"]
    (lundins,) = [c for c in changes if c["name"] == "ICA Lundins"]
    kind = next(field for field in lundins["fields"] if field["field"] == "kind")
    assert (kind["old"], kind["new"]) == (
        "Dagligvarubutik, fullsortiment",
        "Dagligvarubutik, begränsat sortiment",
    )
    assert kind["moves_analysis"] and lundins["moves_analysis"]
    # The file's whole metres in SWEREF 99 TM are the same places as the demo's
    # degrees: no outlet reads as moved.
    assert [field["field"] for field in lundins["fields"]] == [
        "kind",
        "opening_hours",
    ]
    assert {change["name"] for change in changes} == {
        "ICA Lundins",
        "Norrfors Bageri",
    }
    page = response.content.decode()
    (block,) = [
        item
        for item in page.split('<li class="import-change')
        if ">ICA Lundins<" in item
    ]
    assert "Flyttar serviceanalysen" in block
    assert "Dagligvarubutik, fullsortiment" in block
    assert "Dagligvarubutik, begränsat sortiment" in block
    assert "ändrar typ, position eller status" in page
    # Nothing is stored before the confirmation.
    assert Outlet.objects.get(name="ICA Lundins").kind == Outlet.Kind.GROCERY_FULL


def test_a_changed_position_is_shown_with_the_distance_it_moves(client, administrator):
    Outlet.objects.create(
        municipality=municipality("2401"),
        name="Pers Livs",
        kind=Outlet.Kind.GROCERY,
        organisation_number="976914-2358",
        latitude=63.70,
        longitude=19.35,
    )
    client.force_login(administrator)
    data = (
        b"Namn;Typ;Organisationsnummer;Kommunkod;Latitud;Longitud\r\n"
        b"Pers Livs;Dagligvarubutik;976914-2358;2401;63,71;19,35\r\n"
    )

    response = upload(client, data)

    (change,) = response.context["preview"]["changes"]
    (position,) = change["fields"]
    assert position["label"] == "Position"
    assert position["old"] == "63.70000, 19.35000"
    assert position["new"].startswith("63.71000, 19.35000 (flyttas 1")
    assert "flyttar analysen" in response.content.decode()


def test_a_large_file_lists_the_first_changes_and_counts_the_rest(
    client, administrator
):
    nordmaling = municipality("2401")
    Outlet.objects.bulk_create(
        Outlet(municipality=nordmaling, name=f"Butik {n}", kind=Outlet.Kind.GROCERY)
        for n in range(230)
    )
    client.force_login(administrator)
    lines = ["Namn;Typ;Kommunkod;Öppettider"] + [
        f"Butik {n};Dagligvarubutik;2401;Mån–fre 9–18" for n in range(230)
    ]
    response = upload(client, ("\r\n".join(lines) + "\r\n").encode())

    assert response.status_code == 200
    assert response.context["counts"]["changed"] == 230
    assert len(response.context["preview"]["changes"]) == 200
    assert "30 fler ändrade försäljningsställen visas inte här" in (
        response.content.decode()
    )
