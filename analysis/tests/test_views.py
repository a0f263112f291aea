"""The analysis pages on the hand-computed grid of `grids.py`: what each role sees,
the scenario editor, saved scenarios, the CSV exports and bad input."""

from datetime import date

import pytest
from django.urls import reverse
from lxml import html

from accounts.tests.factories import UserFactory
from analysis.models import Scenario
from analysis.scenarios import scenario_create
from analysis.services import ScenarioSpec
from analysis.tests.grids import at, hand_grid, sweref
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

ANALYSIS = reverse("analysis:analysis")
EDITOR = reverse("analysis:scenario_editor")
SAVE = reverse("analysis:scenario_save")
SCENARIOS = reverse("analysis:scenario_list")
COMPARE = reverse("analysis:scenario_compare")
SQUARES = reverse("analysis:squares")
EXPORT = reverse("analysis:export")

BANDS_TODAY = [
    ["0–5 km", "130", "100", "0", "30", "0", "30"],
    ["5–10 km", "50", "0", "40", "10", "0", "10"],
    ["10–20 km", "0", "0", "0", "0", "0", "0"],
    ["20–30 km", "20", "0", "0", "20", "0", "0"],
    ["30 km eller mer", "0", "0", "0", "0", "0", "0"],
]


def table(response, caption_start):
    """The rows of the table whose caption starts so, as the texts of their cells."""
    document = html.fromstring(response.content.decode())
    for element in document.iter("table"):
        caption = element.find("caption")
        if caption is not None and caption.text_content().startswith(caption_start):
            return [
                [" ".join(cell.text_content().split()) for cell in row]
                for row in element.xpath("./tbody/tr | ./tfoot/tr")
            ]
    raise AssertionError(f"no table “{caption_start}”")


def message_texts(response):
    document = html.fromstring(response.content.decode())
    return [
        " ".join(p.text_content().split())
        for p in document.xpath(
            "//*[contains(@class, 'message') or @class='errorlist']"
        )
    ]


@pytest.fixture
def shops():
    return hand_grid()


@pytest.mark.smoke
def test_official_sees_the_hand_computed_bands_by_age(client, official, shops):
    client.force_login(official)

    response = client.get(ANALYSIS)

    assert response.status_code == 200
    assert table(response, "Invånare efter avstånd")[:5] == BANDS_TODAY
    assert table(response, "Invånare efter avstånd")[5][:2] == ["Totalt", "200"]
    text = response.content.decode()
    assert "Fågelvägen gånger omvägsfaktorn" in text
    assert "1,00" in text


def test_per_outlet_figures_show_dependency_closure_and_transport_need(
    client, official, shops
):
    client.force_login(official)

    rows = table(client.get(ANALYSIS), "Beroende invånare per försäljningsställe")

    a, b = shops["A"].pk, shops["B"].pk
    assert rows == [
        [
            "Handlarn A",
            str(a),
            "2401",
            "170",
            "70",
            "70,0",
            "100",
            "40",
            "30",
            "0",
            "10",
        ],
        ["Handlarn B", str(b), "2401", "30", "30", "0,0", "0", "0", "30", "0", "30"],
    ]


def test_localities_and_candidate_strategic_localities_are_tabled(
    client, official, shops
):
    client.force_login(official)
    response = client.get(ANALYSIS)

    assert table(response, "Invånare per ort")[0][:7] == [
        "Byn A",
        "170",
        "100",
        "50",
        "0",
        "20",
        "0",
    ]
    assert table(response, "Kandidater till strategiska orter") == [
        ["Byn A", "Handlarn A", "50", "0", "40", "10", "0", "10"]
    ]


def test_bands_chosen_by_the_user_regroup_the_people(client, official, shops):
    client.force_login(official)

    response = client.get(ANALYSIS, {"bands": "8,20"})

    assert [row[:2] for row in table(response, "Invånare efter avstånd")] == [
        ["0–8 km", "180"],
        ["8–20 km", "0"],
        ["20 km eller mer", "20"],
        ["Totalt", "200"],
    ]


@pytest.mark.parametrize("bands", ["10,5", "fem", "0,5", "1,2,3,4,5,6,7,8,9,10,11"])
def test_bad_bands_get_a_swedish_message_and_the_default_bands(
    client, official, shops, bands
):
    client.force_login(official)

    response = client.get(ANALYSIS, {"bands": bands})

    assert response.status_code == 200
    assert any(
        "Ange gränserna" in text or "Ange högst" in text
        for text in message_texts(response)
    )
    assert table(response, "Invånare efter avstånd")[:5] == BANDS_TODAY


def test_an_unknown_kind_falls_back_to_grocery_with_a_message(client, official, shops):
    client.force_login(official)

    response = client.get(ANALYSIS, {"kind": "bakery"})

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_fuel_has_no_outlet_and_everyone_is_unreachable(client, official, shops):
    client.force_login(official)

    response = client.get(ANALYSIS, {"kind": "fuel"})

    assert table(response, "Invånare efter avstånd")[4][:2] == [
        "30 km eller mer",
        "200",
    ]
    assert "Invånare utan något sådant ställe alls" in response.content.decode()


def test_a_municipality_without_population_gets_a_message_not_an_error(
    client, official
):
    client.force_login(official)

    for url in (ANALYSIS, EDITOR, SCENARIOS, COMPARE, SQUARES):
        response = client.get(url)
        assert response.status_code == 200, url
    assert (
        "har inget befolkningsunderlag inläst ännu"
        in client.get(ANALYSIS).content.decode()
    )
    assert client.get(EXPORT, {"table": "bands"}).status_code == 404


def test_shop_owners_are_refused(client, shop_owner, shops):
    client.force_login(shop_owner)

    for url in (ANALYSIS, EDITOR, SCENARIOS, SQUARES, EXPORT):
        assert client.get(url).status_code == 403, url


def test_regional_viewer_chooses_among_the_countys_municipalities(
    client, regional_viewer, shops
):
    client.force_login(regional_viewer)

    response = client.get(ANALYSIS, {"municipality": "2401"})
    assert table(response, "Invånare efter avstånd")[:5] == BANDS_TODAY
    assert client.get(ANALYSIS, {"municipality": "0188"}).status_code == 404
    assert client.get(ANALYSIS).status_code == 200


def test_system_owner_lands_on_a_municipality_with_population(
    client, system_owner, shops
):
    client.force_login(system_owner)

    response = client.get(ANALYSIS)

    assert "Serviceanalys: Nordmalings kommun" in response.content.decode()


def test_staff_of_another_municipality_analyse_their_own_whatever_the_code(
    client, umea_official, shops
):
    client.force_login(umea_official)

    response = client.get(ANALYSIS, {"municipality": "2401"})

    assert "Serviceanalys: Umeå kommun" in response.content.decode()


def test_the_analysis_page_takes_a_fixed_number_of_queries(
    client, official, shops, django_assert_max_num_queries
):
    client.force_login(official)
    client.get(ANALYSIS)
    for number in range(5):
        OutletFactory(name=f"Extra {number}", kind="fuel", latitude=63.2, longitude=15)

    # Computed anew (the outlets changed): stored with the versions of its inputs,
    # and the stale result pruned.
    with django_assert_max_num_queries(26):
        client.get(ANALYSIS)
    # Today's figures and the scenario's, each computed once and cached (each run
    # reads its inputs' versions).
    with django_assert_max_num_queries(37):
        client.get(EDITOR, {"close": shops["A"].pk})
    # The cached result brought up to today's input versions: two more.
    with django_assert_max_num_queries(24):
        client.get(SQUARES)


# The map --------------------------------------------------------------------------


def test_the_squares_come_as_compact_json_with_their_bands(client, official, shops):
    client.force_login(official)

    today = client.get(SQUARES).json()
    closed = client.get(SQUARES, {"close": shops["A"].pk}).json()

    # Squares in the database's order: S1, S2, S3, S4 (by id).
    assert today["band"] == [0, 1, 0, 3]
    assert closed["band"] == [1, 2, 0, 3]
    assert today["size"] == 1000
    # S2 lies furthest west, S1 to S3 on one row: whole 1e-5 degrees from the corner.
    assert today["lng"][1] == 0
    assert today["lat"][:3] == [pytest.approx(today["lat"][0], abs=40)] * 3
    latitude = today["lat0"] + today["lat"][3] / today["scale"]
    assert latitude == pytest.approx(at(0, 25)[0], abs=1e-4)


def test_the_map_is_not_the_only_carrier_the_legend_has_the_numbers(
    client, official, shops
):
    client.force_login(official)

    text = " ".join(
        html.fromstring(client.get(ANALYSIS).content).text_content().split()
    )

    assert "0–5 km: 130 invånare" in text
    assert "20–30 km: 20 invånare" in text


# The scenario editor --------------------------------------------------------------


def test_closing_an_outlet_shows_the_hand_computed_change(client, official, shops):
    client.force_login(official)

    response = client.get(EDITOR, {"close": shops["A"].pk})

    rows = table(response, "Invånare per avståndsband och åldersgrupp")
    all_ages = [row for row in rows if row[1] == "Alla åldrar"]
    assert all_ages == [
        ["0–5 km", "Alla åldrar", "130", "30", "-100"],
        ["5–10 km", "Alla åldrar", "50", "100", "50"],
        ["10–20 km", "Alla åldrar", "0", "50", "50"],
        ["20–30 km", "Alla åldrar", "20", "20", "0"],
        ["30 km eller mer", "Alla åldrar", "0", "0", "0"],
    ]
    assert ["10–20 km", "70+", "0", "10", "10"] in rows
    assert Outlet.objects.get(pk=shops["A"].pk).status == Outlet.Status.OPEN


def test_adding_an_outlet_next_to_the_far_square_brings_it_close(
    client, official, shops
):
    client.force_login(official)
    easting, northing = sweref(0, 24)

    response = client.get(
        EDITOR,
        {
            "add_name": "Nya butiken",
            "add_kind": "grocery",
            "add_easting": easting,
            "add_northing": northing,
        },
    )

    rows = table(response, "Invånare per avståndsband och åldersgrupp")
    assert ["0–5 km", "Alla åldrar", "130", "150", "20"] in rows
    assert ["20–30 km", "Alla åldrar", "20", "0", "-20"] in rows
    assert Outlet.objects.count() == 2


def test_moving_an_outlet_changes_the_bands(client, official, shops):
    client.force_login(official)
    easting, northing = sweref(16, 0)

    response = client.get(
        EDITOR,
        {
            "move_outlet": shops["B"].pk,
            "move_easting": easting,
            "move_northing": northing,
        },
    )

    rows = table(response, "Invånare per avståndsband och åldersgrupp")
    # S3 now lives in B's square; S1 and S2 keep A, so nothing moves between bands.
    assert ["0–5 km", "Alla åldrar", "130", "130", "0"] in rows
    assert shops["B"].latitude == Outlet.objects.get(pk=shops["B"].pk).latitude


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"close": "999999"}, "Välj ett giltigt alternativ"),
        ({"close": "abc"}, "Välj ett giltigt alternativ"),
        (
            {"add_kind": "grocery", "add_easting": "500000"},
            "Ange det nya ställets läge",
        ),
        (
            {"add_kind": "grocery", "add_easting": "5", "add_northing": "7000000"},
            "större än eller lika med",
        ),
        ({"move_outlet": "999999", "move_easting": "1"}, "Välj ett giltigt alternativ"),
    ],
)
def test_bad_scenario_input_gets_a_swedish_message_and_no_result(
    client, official, shops, params, message
):
    client.force_login(official)

    response = client.get(EDITOR, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Vad scenariot ändrar" not in response.content.decode()


def test_another_municipalitys_outlet_that_serves_nobody_here_cannot_be_closed(
    client, official, shops
):
    far = OutletFactory(municipality=municipality("0188"), name="Butiken i Norrtälje")
    client.force_login(official)

    response = client.get(EDITOR, {"close": far.pk})

    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert client.get(SQUARES, {"close": far.pk}).status_code == 400


# Saving, listing, comparing, deleting ----------------------------------------------


def save(client, shops, name="Utan A", **more):
    return client.post(
        SAVE, {"name": name, "close": [shops["A"].pk], **more}, follow=True
    )


def test_an_official_saves_a_scenario_and_finds_it_in_the_list(client, official, shops):
    client.force_login(official)

    response = save(client, shops)

    scenario = Scenario.objects.get()
    assert (scenario.name, scenario.created_by) == ("Utan A", official)
    assert list(scenario.closed_outlets.all()) == [shops["A"]]
    assert "Scenariot ”Utan A” är sparat." in response.content.decode()
    rows = table(response, "Invånare per avståndsband och åldersgrupp")
    assert ["10–20 km", "Alla åldrar", "0", "50", "50"] in rows
    listing = table(client.get(SCENARIOS), "Sparade scenarier")
    assert listing[0][1] == "Utan A"


def test_a_scenario_with_an_added_and_a_moved_outlet_is_saved_and_reopened(
    client, official, shops
):
    client.force_login(official)
    easting, northing = sweref(0, 24)

    save(
        client,
        shops,
        name="Ny butik",
        add_name="Nya butiken",
        add_kind="grocery",
        add_easting=easting,
        add_northing=northing,
        move_outlet=shops["B"].pk,
        move_easting=easting + 1000,
        move_northing=northing,
    )

    scenario = Scenario.objects.get()
    added = scenario.added_outlets.get()
    assert (added.name, added.kind, added.easting) == (
        "Nya butiken",
        "grocery",
        easting,
    )
    assert scenario.moved_outlets.get().outlet == shops["B"]
    editor = client.get(
        reverse("analysis:scenario_detail", args=[scenario.pk])
    ).content.decode()
    assert "Nya butiken" in editor


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Detta fält måste fyllas i."),
        ({"name": "Inget", "close": []}, "Scenariot ändrar ingenting"),
        ({"name": "Falsk", "close": ["999999"]}, "Välj ett giltigt alternativ"),
    ],
)
def test_a_bad_save_gets_a_swedish_message_and_stores_nothing(
    client, official, shops, data, message
):
    client.force_login(official)

    response = client.post(SAVE, {"close": [shops["A"].pk], **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Scenario.objects.count() == 0


def test_a_name_already_used_in_the_municipality_is_refused(client, official, shops):
    client.force_login(official)
    save(client, shops)

    response = save(client, shops)

    assert (
        "Kommunen har redan ett scenario med det här namnet."
        in response.content.decode()
    )
    assert Scenario.objects.count() == 1


@pytest.mark.parametrize("role", ["regional_viewer", "system_owner", "shop_owner"])
def test_only_the_municipalitys_staff_save_scenarios(client, request, shops, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post(SAVE, {"name": "X", "close": [shops["A"].pk]})

    assert response.status_code == 403
    assert Scenario.objects.count() == 0


def make_scenario(shops, by, name, closed):
    return scenario_create(
        municipality=municipality("2401"),
        name=name,
        spec=ScenarioSpec(closed=tuple(shops[letter].pk for letter in closed)),
        by=by,
    )


def test_two_saved_scenarios_are_compared_side_by_side(client, official, shops):
    first = make_scenario(shops, official, "Utan A", "A")
    second = make_scenario(shops, official, "Utan B", "B")
    client.force_login(official)

    response = client.get(COMPARE, {"scenario": [first.pk, second.pk]})

    # Without B, S3 goes to A at 16 km.
    assert table(response, "Sparade scenarier jämförda") == [
        ["0–5 km", "130", "30", "-100", "100", "-30"],
        ["5–10 km", "50", "100", "50", "50", "0"],
        ["10–20 km", "0", "50", "50", "30", "30"],
        ["20–30 km", "20", "20", "0", "20", "0"],
        ["30 km eller mer", "0", "0", "0", "0", "0"],
    ]
    export = client.get(EXPORT, {"table": "compare", "scenario": [first.pk, second.pk]})
    assert export.status_code == 200
    assert "Utan A" in export.content.decode("utf-8-sig").splitlines()[0]


def test_comparing_fewer_than_two_or_anothers_scenarios_gets_a_message(
    client, official, umea_official, shops
):
    mine = make_scenario(shops, official, "Utan A", "A")
    client.force_login(umea_official)

    response = client.get(COMPARE, {"scenario": [mine.pk, 424242]})

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_a_scenario_of_another_county_is_not_found(client, shops, official):
    scenario = make_scenario(shops, official, "Utan A", "A")
    stranger = UserFactory(
        email="official@norrtalje.example", municipality=municipality("0188")
    )
    client.force_login(stranger)

    url = reverse("analysis:scenario_detail", args=[scenario.pk])
    assert client.get(url).status_code == 404


def test_the_creator_deletes_their_scenario_and_another_official_cannot(
    client, official, shops
):
    scenario = make_scenario(shops, official, "Utan A", "A")
    delete = reverse("analysis:scenario_delete", args=[scenario.pk])

    client.force_login(UserFactory(email="kollega@nordmaling.example"))
    assert client.post(delete).status_code == 404
    assert Scenario.objects.count() == 1

    client.force_login(official)
    response = client.post(delete, follow=True)
    assert Scenario.objects.count() == 0
    assert "Scenariot ”Utan A” är borttaget." in response.content.decode()
    assert Outlet.objects.filter(pk=shops["A"].pk, status="open").exists()


def test_the_municipalitys_administrator_tidies_up_an_officials_scenario(
    client, official, administrator, shops
):
    scenario = make_scenario(shops, official, "Utan A", "A")

    client.force_login(administrator)
    response = client.post(
        reverse("analysis:scenario_delete", args=[scenario.pk]), follow=True
    )

    assert Scenario.objects.count() == 0
    assert "Scenariot ”Utan A” är borttaget." in response.content.decode()


def test_a_saved_scenario_whose_outlet_has_since_closed_shows_a_message(
    client, official, shops
):
    scenario = make_scenario(shops, official, "Utan A", "A")
    Outlet.objects.filter(pk=shops["A"].pk).update(
        status=Outlet.Status.CLOSED, closed_on=date(2026, 1, 1)
    )
    client.force_login(official)

    response = client.get(reverse("analysis:scenario_detail", args=[scenario.pk]))

    assert response.status_code == 200
    assert (
        f"Försäljningsställe {shops['A'].pk} är redan stängt i registret"
        in response.content.decode()
    )


# CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bands", "localities", "outlets", "strategic"])
def test_every_table_is_exported_as_swedish_csv(client, official, shops, name):
    client.force_login(official)

    response = client.get(EXPORT, {"table": name})

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert response["Content-Disposition"].endswith(f'-grocery-{name}.csv"')
    assert ";" in response.content.decode("utf-8-sig").splitlines()[0]


def test_the_bands_csv_has_the_pages_numbers_and_english_headers_in_english(
    client, official, shops
):
    client.force_login(official)

    swedish = client.get(EXPORT, {"table": "bands"}).content.decode("utf-8-sig")
    client.cookies["django_language"] = "en"
    english = client.get(EXPORT, {"table": "bands"}).content.decode("utf-8-sig")

    assert swedish.splitlines()[:2] == [
        "Avstånd;Invånare;Ålder 0–19;Ålder 20–64;Ålder 65–79;Ålder 80+;Ålder 70+",
        "0–5 km;130;100;0;30;0;30",
    ]
    assert english.splitlines()[0].startswith("Distance;People;Age 0–19")


def test_the_scenario_change_is_exported(client, official, shops):
    client.force_login(official)

    response = client.get(EXPORT, {"table": "scenario", "close": shops["A"].pk})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert "0–5 km;Alla åldrar;130;30;-100" in lines


def test_an_unknown_table_is_not_found(client, official, shops):
    client.force_login(official)

    assert client.get(EXPORT, {"table": "secrets"}).status_code == 404
    assert client.get(EXPORT, {"table": "scenario"}).status_code == 404


def test_the_editor_without_a_kind_keeps_grocery_chosen(client, official, shops):
    client.force_login(official)

    response = client.get(EDITOR, {"close": shops["A"].pk})

    chosen = html.fromstring(response.content).xpath(
        "//select[@name='kind']/option[@selected]/@value"
    )
    assert chosen == ["grocery"]
