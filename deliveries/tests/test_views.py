from datetime import date

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from deliveries.models import Delivery, MonthlyDeliveryTotal
from deliveries.tests.factories import DeliveryFactory, MonthlyDeliveryTotalFactory
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_outlet():
    """Another shop owner's outlet in the same municipality."""
    outlet = OutletFactory(name="Handlarn Rundvik")
    UserFactory(shop_owner=True, outlets=[outlet])
    return outlet


def delivery_data(outlet, **changes):
    return {
        "outlet": outlet.pk,
        "delivered_on": "2026-03-10",
        "household_reference": "h-017",
        "cost": "150",
        "household_fees": "20",
        "note": "",
    } | changes


@pytest.mark.smoke
def test_shop_owner_logs_a_delivery_for_their_own_outlet(
    client, shop_owner, own_outlet
):
    client.force_login(shop_owner)

    response = client.post(
        reverse("deliveries:delivery_create"), delivery_data(own_outlet)
    )

    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.outlet, delivery.household_reference) == (own_outlet, "H-017")
    assert (delivery.cost, delivery.household_fees) == (150, 20)


def test_a_name_as_household_is_refused_on_the_form_and_nothing_is_stored(
    client, shop_owner, own_outlet
):
    client.force_login(shop_owner)

    response = client.post(
        reverse("deliveries:delivery_create"),
        delivery_data(own_outlet, household_reference="Anna Svensson"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Det här ser ut som ett namn." in html
    # The error is tied to its field for screen readers.
    assert (
        'aria-describedby="id_household_reference_helptext '
        'id_household_reference_error"' in html
    )
    assert Delivery.objects.count() == 0


def test_forged_post_with_another_outlets_id_logs_nothing(
    client, shop_owner, other_outlet
):
    client.force_login(shop_owner)

    response = client.post(
        reverse("deliveries:delivery_create"), delivery_data(other_outlet)
    )

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_forged_post_moving_own_delivery_to_another_outlet_changes_nothing(
    client, shop_owner, own_outlet, other_outlet
):
    delivery = DeliveryFactory(outlet=own_outlet, cost=150)
    client.force_login(shop_owner)

    client.post(
        reverse("deliveries:delivery_update", kwargs={"pk": delivery.pk}),
        delivery_data(other_outlet, cost="999"),
    )

    delivery.refresh_from_db()
    assert (delivery.outlet, delivery.cost) == (own_outlet, 150)


def test_shop_owner_gets_404_for_another_outlets_entries_and_changes_nothing(
    client, shop_owner, own_outlet, other_outlet
):
    delivery = DeliveryFactory(outlet=other_outlet, cost=150)
    total = MonthlyDeliveryTotalFactory(outlet=other_outlet, cost=1_500)
    client.force_login(shop_owner)

    for name, pk in (("delivery_update", delivery.pk), ("total_update", total.pk)):
        url = reverse(f"deliveries:{name}", kwargs={"pk": pk})
        assert client.get(url).status_code == 404
        assert client.post(url, delivery_data(own_outlet, cost="1")).status_code == 404

    delivery.refresh_from_db()
    total.refresh_from_db()
    assert (delivery.outlet, delivery.cost) == (other_outlet, 150)
    assert (total.outlet, total.cost) == (other_outlet, 1_500)


def test_official_of_another_municipality_cannot_record_for_nordmaling(
    client, umea_official, own_outlet
):
    client.force_login(umea_official)

    client.post(
        reverse("deliveries:total_create"),
        {
            "outlet": own_outlet.pk,
            "year": "2026",
            "month": "3",
            "delivery_count": "5",
            "cost": "700",
            "household_fees": "0",
        },
    )

    assert MonthlyDeliveryTotal.objects.count() == 0


def test_official_adds_a_monthly_total_and_a_second_for_the_month_is_refused(
    client, official, own_outlet
):
    client.force_login(official)
    data = {
        "outlet": own_outlet.pk,
        "year": "2026",
        "month": "3",
        "delivery_count": "12",
        "cost": "1800",
        "household_fees": "0",
        "note": "",
    }

    first = client.post(reverse("deliveries:total_create"), data)
    second = client.post(reverse("deliveries:total_create"), data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "har redan en summa för den här månaden" in second.content.decode()
    assert MonthlyDeliveryTotal.objects.count() == 1


def test_a_single_delivery_in_a_month_with_a_total_is_refused(
    client, official, own_outlet
):
    MonthlyDeliveryTotalFactory(outlet=own_outlet, year=2026, month=3)
    client.force_login(official)

    response = client.post(
        reverse("deliveries:delivery_create"), delivery_data(own_outlet)
    )

    assert response.status_code == 200
    assert "har redan en månadssumma" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_fees_above_the_cost_are_refused(client, official, own_outlet):
    client.force_login(official)

    response = client.post(
        reverse("deliveries:delivery_create"),
        delivery_data(own_outlet, cost="100", household_fees="150"),
    )

    assert response.status_code == 200
    assert "kan inte vara mer än kostnaden" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_list_shows_only_the_shop_owners_own_deliveries(
    client, shop_owner, own_outlet, other_outlet
):
    DeliveryFactory(outlet=own_outlet, household_reference="H-001")
    DeliveryFactory(outlet=other_outlet, household_reference="H-999")
    client.force_login(shop_owner)

    html = client.get(reverse("deliveries:delivery_list")).content.decode()

    assert "H-001" in html
    assert "H-999" not in html


def test_list_filters_by_year_and_outlet(client, official, own_outlet, other_outlet):
    DeliveryFactory(outlet=own_outlet, household_reference="H-001")
    DeliveryFactory(
        outlet=own_outlet, household_reference="H-002", delivered_on=date(2025, 5, 1)
    )
    DeliveryFactory(outlet=other_outlet, household_reference="H-003")
    client.force_login(official)

    html = client.get(
        reverse("deliveries:delivery_list"),
        {"year": "2026", "outlet": own_outlet.pk},
    ).content.decode()

    assert "H-001" in html
    assert "H-002" not in html
    assert "H-003" not in html


def test_list_runs_a_fixed_number_of_queries_however_many_deliveries(
    client, official, own_outlet, other_outlet, django_assert_max_num_queries
):
    for day in range(1, 29):
        DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 2, day))
        DeliveryFactory(outlet=other_outlet, delivered_on=date(2026, 2, day))
    for month in range(3, 13):
        MonthlyDeliveryTotalFactory(outlet=own_outlet, month=month)
    client.force_login(official)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("deliveries:delivery_list"))

    assert response.status_code == 200
    assert response.content.decode().count("/deliveries/monthly/") >= 10


def test_regional_viewer_reads_the_countys_deliveries_but_not_other_counties(
    client, regional_viewer
):
    umea = OutletFactory(name="Lanthandeln i Umeå", municipality=municipality("2480"))
    norrtalje = OutletFactory(
        name="Butiken i Norrtälje", municipality=municipality("0188")
    )
    DeliveryFactory(outlet=umea, household_reference="U-1")
    DeliveryFactory(outlet=norrtalje, household_reference="N-1")
    client.force_login(regional_viewer)

    html = client.get(reverse("deliveries:delivery_list")).content.decode()

    assert "U-1" in html
    assert "N-1" not in html
    assert "/deliveries/new/" not in html


def test_summary_shows_the_claim_per_outlet_and_in_total(client, official, own_outlet):
    other = OutletFactory(name="ICA Lundins")
    for day in range(1, 31):
        DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 4, day), cost=350)
    MonthlyDeliveryTotalFactory(
        outlet=other,
        year=2026,
        month=5,
        delivery_count=40,
        cost=6_000,
        household_fees=1_000,
    )
    client.force_login(official)

    response = client.get(reverse("deliveries:summary"), {"year": "2026"})

    summary = response.context["summary"]
    claims = {row.outlet.name: row.claim.claimable for row in summary.rows}
    assert claims == {"ICA Lundins": 2_500, "Pers Livs": 3_000}
    # On the municipality's total: min(15 500 / 2 = 7 750, 70 × 100 = 7 000).
    assert summary.total.claimable == 7_000
    assert "7\xa0000 kr" in response.content.decode()


def test_summary_csv_has_the_claims_columns_and_the_total(client, official, own_outlet):
    for day in range(1, 31):
        DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 4, day), cost=350)
    DeliveryFactory(outlet=own_outlet, delivered_on=date(2025, 4, 1), cost=350)
    client.force_login(official)

    response = client.get(
        reverse("deliveries:summary_export"), {"year": "2026", "format": "csv"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="hemsandning-2401-2026.csv"' in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Försäljningsställe;Hemsändningar;Bruttokostnad (kr);Betalt av hushållen (kr);"
        "Nettokostnad (kr);Hälften av nettokostnaden (kr);"
        "Tak: 100 kr per hemsändning (kr);Bidrag att söka (kr)",
        # The grant is claimed on the total only: not split by outlet.
        "Pers Livs;30;10500;0;10500;;;",
        "Totalt;30;10500;0;10500;5250;3000;3000",
    ]


def test_summary_exports_are_headed_in_english_when_the_user_reads_english(
    client, official, own_outlet, settings
):
    from io import BytesIO

    from openpyxl import load_workbook

    DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 4, 1), cost=350)
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    csv = client.get(
        reverse("deliveries:summary_export"), {"year": "2026", "format": "csv"}
    )
    xlsx = client.get(
        reverse("deliveries:summary_export"), {"year": "2026", "format": "xlsx"}
    )

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Outlet;Deliveries;Gross cost (kr);Paid by households (kr);Net cost (kr);"
        "Half of net cost (kr);Cap: 100 kr per delivery (kr);Claimable grant (kr)"
    )
    assert lines[-1] == "Total;1;350;0;350;175;100;100"
    assert 'filename="home-delivery-2401-2026.csv"' in csv["Content-Disposition"]
    workbook = load_workbook(BytesIO(xlsx.content))
    assert workbook.active.title == "Home delivery 2026"
    assert next(workbook.active.iter_rows(values_only=True))[0] == "Outlet"


def test_summary_xlsx_opens_with_the_same_figures(client, official, own_outlet):
    from io import BytesIO

    from openpyxl import load_workbook

    DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 4, 1), cost=350)
    client.force_login(official)

    response = client.get(
        reverse("deliveries:summary_export"), {"year": "2026", "format": "xlsx"}
    )

    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("Pers Livs", 1, 350, 0, 350, None, None, None)
    assert rows[2] == ("Totalt", 1, 350, 0, 350, 175, 100, 100)


def test_shop_owners_summary_counts_only_their_own_outlets(
    client, shop_owner, own_outlet, other_outlet
):
    DeliveryFactory(outlet=own_outlet, delivered_on=date(2026, 4, 1), cost=300)
    DeliveryFactory(outlet=other_outlet, delivered_on=date(2026, 4, 1), cost=300)
    client.force_login(shop_owner)

    response = client.get(reverse("deliveries:summary"), {"year": "2026"})

    assert [row.outlet for row in response.context["summary"].rows] == [own_outlet]


def test_regional_viewer_cannot_open_another_countys_summary(client, regional_viewer):
    client.force_login(regional_viewer)

    response = client.get(reverse("deliveries:summary"), {"municipality": "0188"})

    assert response.status_code == 404


def test_a_delivery_or_a_monthly_total_in_the_future_is_refused(
    client, shop_owner, own_outlet
):
    from datetime import timedelta

    from django.utils import timezone

    from deliveries.models import Delivery, MonthlyDeliveryTotal

    client.force_login(shop_owner)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        "/deliveries/new/",
        {
            "outlet": own_outlet.pk,
            "delivered_on": tomorrow.isoformat(),
            "household_reference": "H-017",
            "cost": "150",
            "household_fees": "0",
        },
    )
    assert response.status_code == 200
    assert "när den har gjorts" in response.content.decode()
    next_year = timezone.localdate().year + 1
    response = client.post(
        "/deliveries/monthly/new/",
        {
            "outlet": own_outlet.pk,
            "year": str(next_year),
            "month": "1",
            "delivery_count": "5",
            "cost": "500",
            "household_fees": "0",
        },
    )
    assert response.status_code == 200
    assert not Delivery.objects.exists() and not MonthlyDeliveryTotal.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"), [("1 250", 1_250), ("1 250 kr", 1_250), ("250:-", 250)]
)
def test_the_cost_is_read_as_people_type_it(
    client, official, own_outlet, typed, stored
):
    client.force_login(official)

    response = client.post(
        reverse("deliveries:delivery_create"), delivery_data(own_outlet, cost=typed)
    )

    assert response.status_code == 302
    assert Delivery.objects.get().cost == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Ange 1 kr eller mer."),
        ("99999999999", "Det är mer än 10\u00a0000\u00a0000 kr"),
        ("200-300", "Skriv ett belopp, inte ett intervall."),
        ("gratis", "Vi förstod inte ”gratis”."),
        # An amount is exact (issue 16 review, point 5).
        ("ca 250", "Skriv det exakta beloppet, t.ex. 50 000."),
    ],
)
def test_a_cost_that_cannot_be_stored_gets_a_clear_message(
    client, official, own_outlet, typed, message
):
    client.force_login(official)

    response = client.post(
        reverse("deliveries:delivery_create"), delivery_data(own_outlet, cost=typed)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "2147483647" not in response.content.decode()
    assert Delivery.objects.count() == 0


def test_monthly_figures_are_read_as_people_type_them(client, official, own_outlet):
    client.force_login(official)

    def monthly_data(**changes):
        return {
            "outlet": own_outlet.pk,
            "year": "2026",
            "month": "4",
            "delivery_count": "ca 12",
            "cost": "4 200 kr",
            "household_fees": "0",
            "note": "",
        } | changes

    response = client.post(
        reverse("deliveries:total_create"), monthly_data(household_fees="-5")
    )

    assert response.status_code == 200
    assert "Ange 0 kr eller mer." in response.content.decode()
    assert MonthlyDeliveryTotal.objects.count() == 0

    response = client.post(reverse("deliveries:total_create"), monthly_data())

    assert response.status_code == 302
    total = MonthlyDeliveryTotal.objects.get()
    assert (total.delivery_count, total.cost, total.household_fees) == (12, 4_200, 0)
