import datetime

import pytest
import time_machine
from django.utils import timezone

from agreements.models import Agreement
from followup.tests.factories import signed_agreement
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from public.selectors import public_data, public_service_point

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def names(data):
    return [point.name for point in data.service_points]


@time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False)
def test_a_service_point_shows_its_public_facts_and_services_in_citizens_words(
    service_point_with_personal_data,
):
    point = public_service_point(service_point_with_personal_data.outlet.pk)

    assert point.name == "Sigrids Lanthandel"
    assert point.address == "Byvägen 12, 914 90 Nordmaling"
    assert point.phone == "0930-100 20"
    assert point.municipality_name == "Nordmalings kommun"
    assert point.services == ("Kommunal information", "Mötesplats", "Paketutlämning")
    assert not any(
        secret in repr(point) for secret in service_point_with_personal_data.secrets
    )


@time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False)
def test_only_open_outlets_with_an_agreement_in_force_are_service_points(nordmaling):
    in_force = signed_agreement(OutletFactory(name="I kraft"))
    signed_agreement(
        OutletFactory(name="Framtida"), starts_on=datetime.date(2027, 1, 1)
    )
    signed_agreement(
        OutletFactory(name="Upphört"),
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 6),
    )
    closed = signed_agreement(OutletFactory(name="Stängd"))
    Outlet.objects.filter(pk=closed.outlet_id).update(
        status=Outlet.Status.CLOSED, closed_on=TODAY
    )
    OutletFactory(name="Utan avtal")
    signed_agreement(OutletFactory(name="Umeå", municipality=municipality("2480")))

    assert names(public_data(municipality=nordmaling)) == ["I kraft"]
    assert names(public_data()) == ["I kraft", "Umeå"]
    assert public_service_point(in_force.outlet.pk).name == "I kraft"


def test_a_change_of_a_public_fact_is_seen_at_once_through_the_cache(nordmaling):
    agreement = signed_agreement(OutletFactory(name="Gamla namnet"))
    before = public_data(municipality=nordmaling)

    Outlet.objects.filter(pk=agreement.outlet_id).update(name="Nya namnet")
    after = public_data(municipality=nordmaling)

    assert names(before) == ["Gamla namnet"]
    assert names(after) == ["Nya namnet"]


def test_a_change_of_a_private_field_moves_nothing(nordmaling):
    agreement = signed_agreement(OutletFactory(name="Butiken"))
    before = public_data(municipality=nordmaling)

    Outlet.objects.filter(pk=agreement.outlet_id).update(crisis_contact="Ny person")

    assert public_data(municipality=nordmaling).last_modified == before.last_modified


def test_an_agreement_coming_into_force_moves_last_modified_without_a_row(nordmaling):
    signed_agreement(OutletFactory(name="Ny"), starts_on=datetime.date(2027, 1, 1))
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12), tick=False):
        before = public_data(municipality=nordmaling)
    with time_machine.travel(datetime.datetime(2027, 1, 1, 8), tick=False):
        after = public_data(municipality=nordmaling)

    assert names(before) == [] and names(after) == ["Ny"]
    assert after.last_modified == timezone.make_aware(datetime.datetime(2027, 1, 1))


@time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False)
def test_the_cached_public_data_costs_one_query_whatever_the_number(
    nordmaling, django_assert_max_num_queries
):
    for number in range(5):
        signed_agreement(OutletFactory(name=f"Butik {number}"))
    public_data()
    with django_assert_max_num_queries(1):
        assert len(public_data().service_points) == 5


@time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False)
def test_the_public_data_takes_a_handful_of_queries_whatever_the_number(
    nordmaling, django_assert_max_num_queries
):
    for number in range(5):
        signed_agreement(OutletFactory(name=f"Butik {number}"))
    assert Agreement.objects.count() == 5
    with django_assert_max_num_queries(6):
        assert len(public_data(on=TODAY).service_points) == 5


def test_a_bulk_write_across_municipalities_counts_each_once_and_time_moves_on(
    nordmaling,
):
    from public.models import PublicDataVersion

    umea = municipality("2480")
    outlets = [OutletFactory(), OutletFactory(), OutletFactory(municipality=umea)]
    before = {row.municipality_id: row for row in PublicDataVersion.objects.all()}

    Outlet.objects.filter(pk__in=[outlet.pk for outlet in outlets]).update(
        opening_hours="Alla dagar 8–22"
    )

    after = {row.municipality_id: row for row in PublicDataVersion.objects.all()}
    for place in (nordmaling, umea):
        assert after[place.pk].version == before[place.pk].version + 1
        assert after[place.pk].changed_at > before[place.pk].changed_at


@time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False)
def test_the_services_are_those_of_the_terms_in_force_as_the_agreement_says(
    nordmaling,
):
    from agreements.tests.factories import AgreementVersionFactory

    agreement = signed_agreement(OutletFactory(name="Ändrad"))
    AgreementVersionFactory(
        agreement=agreement,
        number=2,
        starts_on=agreement.starts_on,
        effective_on=datetime.date(2026, 6, 1),
        signed_at=timezone.make_aware(datetime.datetime(2026, 5, 1, 12)),
        services=[("Kontantuttag", 10_000)],
    )
    AgreementVersionFactory(
        agreement=agreement,
        number=3,
        starts_on=agreement.starts_on,
        effective_on=datetime.date(2027, 1, 1),
        signed_at=timezone.make_aware(datetime.datetime(2026, 11, 1, 12)),
        services=[("Turistinformation", 10_000)],
    )

    expected = [
        agreed.service.name
        for agreed in agreement.version_in_force(TODAY).services.all()
    ]
    assert expected == ["Kontantuttag"]
    assert list(public_service_point(agreement.outlet_id).services) == expected
