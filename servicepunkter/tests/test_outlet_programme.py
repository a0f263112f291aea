"""An outlet's page says what the outlet is to the programme (agreement, services,
this year's follow-up, home deliveries), each app giving its own panel; the register
list filters and marks the service points."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Payout
from agreements.tests.factories import AgreementFactory, AgreementVersionFactory
from agreements.tests.test_selectors import (
    signed_agreement as signed_agreement_with_notice,
)
from deliveries.tests.factories import DeliveryFactory
from followup.models import FollowUp
from followup.tests.factories import signed_agreement
from outlets.models import Outlet
from outlets.selectors import service_points_q
from outlets.tests.factories import OutletFactory
from servicepunkter import views as start_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_point(own_outlet):
    """Pers Livs with an agreement in force, this year's follow-up due, an old
    draft beside it, and a home delivery this year."""
    today = timezone.localdate()
    agreement = signed_agreement(own_outlet, payouts_planned_on=None)
    FollowUp.objects.create(
        agreement=agreement,
        agreement_year=today.year - 2024,
        period_start=datetime.date(today.year - 1, 1, 1),
        period_end=datetime.date(today.year - 1, 12, 31),
        due_on=datetime.date(today.year, 12, 31),
    )
    DeliveryFactory(outlet=own_outlet, delivered_on=today, cost=200)
    return agreement


def page_of(client, user, outlet):
    client.force_login(user)
    response = client.get(reverse("outlets:outlet_detail", args=[outlet.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.smoke
@pytest.mark.parametrize("role", ["official", "shop_owner", "regional_viewer"])
def test_the_outlet_page_shows_agreement_services_followup_and_deliveries(
    client, request, service_point, own_outlet, role
):
    page = page_of(client, request.getfixturevalue(role), own_outlet)

    assert "I serviceprogrammet" in page
    assert service_point.get_absolute_url() in page
    assert service_point.reference in page
    assert ">Gällande<" in page
    for service in ("Kommunal information", "Mötesplats", "Paketutlämning"):
        assert service in page
    year = timezone.localdate().year
    assert f"Uppföljning {year}" in page
    assert f"Hemsändning {year}" in page


def test_the_shop_owner_follows_the_link_to_their_own_report(
    client, shop_owner, service_point, own_outlet
):
    page = page_of(client, shop_owner, own_outlet)
    followup = FollowUp.objects.get(agreement=service_point)
    assert f'href="{reverse("followup:report", args=[followup.pk])}"' in page
    assert f'href="{reverse("followup:followup_detail", args=[followup.pk])}"' not in (
        page
    )


def test_staff_of_another_municipality_see_base_data_only(
    client, umea_official, service_point, own_outlet
):
    page = page_of(client, umea_official, own_outlet)
    assert "Servicepunkt" in page  # public, as on the public map
    assert "I serviceprogrammet" not in page
    assert service_point.reference not in page
    assert "Hemsändning" not in page


def test_an_outlet_without_an_agreement_says_it_is_not_a_service_point(
    client, official
):
    outlet = OutletFactory()
    draft = AgreementFactory(outlet=outlet, reference="")  # a draft is not in force
    page = page_of(client, official, outlet)
    assert "Inget avtal i kraft: försäljningsstället är ingen servicepunkt i dag." in (
        page
    )
    # The draft, which has no reference yet, is named by the day it was created,
    # then marked a draft: not "Utkast Utkast".
    created = timezone.localtime(draft.created_at).date().isoformat()
    link = f'<a href="{draft.get_absolute_url()}">Avtal skapat {created}</a>'
    assert link in page
    assert ">Utkast</a>" not in page


def test_the_outlet_page_reads_a_bounded_number_of_queries(
    client, official, service_point, own_outlet, django_assert_max_num_queries
):
    for _ in range(3):
        DeliveryFactory(outlet=own_outlet)
    AgreementFactory(outlet=own_outlet)
    client.force_login(official)
    url = reverse("outlets:outlet_detail", args=[own_outlet.pk])
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_service_points_are_the_outlets_with_an_agreement_in_force():
    today = timezone.localdate()
    in_force = signed_agreement(OutletFactory(), payouts_planned_on=None)
    signed_agreement(
        OutletFactory(),
        starts_on=datetime.date(2023, 1, 1),
        ends_on=today - datetime.timedelta(days=1),
        payouts_planned_on=None,
    )
    signed_agreement(
        OutletFactory(),
        starts_on=today + datetime.timedelta(days=10),
        payouts_planned_on=None,
    )
    AgreementFactory()
    expected = set(Agreement.objects.in_force().values_list("outlet", flat=True))
    assert expected == {in_force.outlet_id}
    assert set(
        Outlet.objects.filter(service_points_q()).values_list("pk", flat=True)
    ) == (expected)


def test_the_list_filters_the_service_points_and_marks_them(
    client, official, service_point, own_outlet
):
    OutletFactory(name="Tempo Sunnansjö")
    client.force_login(official)

    response = client.get(reverse("outlets:outlet_list"), {"service_point": "yes"})
    assert [outlet.name for outlet in response.context["object_list"]] == ["Pers Livs"]
    page = response.content.decode()
    assert '<th scope="col">Servicepunkt</th>' in page
    assert "Servicepunkter: avtal i kraft" in page

    response = client.get(reverse("outlets:outlet_list"), {"service_point": "no"})
    assert [outlet.name for outlet in response.context["object_list"]] == [
        "Tempo Sunnansjö"
    ]

    export = client.get(
        reverse("outlets:outlet_export"), {"format": "csv", "service_point": "yes"}
    ).content.decode("utf-8-sig")
    header, row = export.splitlines()[:2]
    columns = dict(zip(header.split(";"), row.split(";"), strict=True))
    assert columns["Servicepunkt"] == "Ja"


@pytest.mark.parametrize("payouts", [3, 30])
def test_the_start_page_lists_the_earliest_payouts_and_every_notice_deadline(
    client, official, payouts, django_assert_max_num_queries, monkeypatch
):
    """A programme of thousands of agreements has as many payouts due a quarter:
    the start page lists the earliest and says how many there are. A notice
    deadline later than all of them is listed still: missed, it extends an
    agreement."""
    monkeypatch.setattr(start_views, "START_PAGE_PAYOUTS", 10)
    today = timezone.localdate()
    for agreement in AgreementFactory.create_batch(
        payouts,
        state=Agreement.State.SIGNED,
        signed_on=today - timedelta(days=60),
        starts_on=today - timedelta(days=30),
    ):
        AgreementVersionFactory(agreement=agreement, starts_on=agreement.starts_on)
        Payout.objects.create(
            agreement=agreement,
            agreement_year=1,
            period_start=today - timedelta(days=30),
            period_end=today,
            due_on=today + timedelta(days=20),
            amount=10_000,
            vat_amount=2_500,
        )
    # Its initial term ends four months from now, with three months' notice: notice
    # by the end of next month, after every payout above.
    open_ended = signed_agreement_with_notice(
        OutletFactory(municipality=official.municipality),
        starts_on=datetime.date(today.year - 2, 1, 1),
        initial_term_months=24 + today.month + 4,
    )
    client.force_login(official)

    # The changes under work read once for the budget and the list, the budget's
    # terms in the same query as its agreements.
    with django_assert_max_num_queries(13):
        page = client.get(reverse("start")).content.decode()

    assert page.count("Utbetalning på ") == min(payouts, 10)
    note = "Alla beslutsdagar och sista dagar för uppsägning visas; av de 30"
    assert (note in page) == (payouts == 30)
    assert "Sista dag för uppsägning" in page
    assert open_ended.reference in page
