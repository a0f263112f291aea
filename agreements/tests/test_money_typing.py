"""Money is typed as people type it, in every form of the agreements app: spaces
between the thousands, "kr" after, and öre rounded to whole kronor, shown before
anything is saved (core/numbers.py's KronorField)."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, ProgrammeBudget, ProgrammeSettings
from agreements.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def test_a_budget_with_oere_is_shown_rounded_first_and_saved_when_sent_again(
    client, administrator
):
    client.force_login(administrator)
    url = reverse("agreements:budget")

    response = client.post(url, {"year": "2027", "amount": "275,50"})

    page = response.content.decode()
    assert "Avrundat till 276 kr. Kontrollera beloppet och spara igen." in page
    assert 'value="276"' in page
    # A notice, not the user's error: no red summary, but not saved either.
    assert "Rätta felen nedan" not in page
    assert "Inte sparat ännu" in page
    assert not ProgrammeBudget.objects.exists()

    response = client.post(url, {"year": "2027", "amount": "276"})
    assert response.status_code == 302
    assert ProgrammeBudget.objects.get(year=2027).amount == 276


def test_275_49_is_rounded_down(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:budget"), {"year": "2027", "amount": "275.49 kr"}
    )
    assert "Avrundat till 275 kr." in response.content.decode()
    assert not ProgrammeBudget.objects.exists()


def test_an_agreement_takes_200_000_and_a_service_fee_of_1_250_kr(
    client, official, own_outlet, party, catalogue
):
    client.force_login(official)
    data = form_data(own_outlet, party, catalogue[:2], annual_compensation="200 000")
    data[f"fee_{catalogue[0].pk}"] = "1 250 kr"
    data["compensation_justification"] = "Butiken har två filialer."

    response = client.post(reverse("agreements:agreement_create"), data)

    agreement = Agreement.objects.get()
    assert response["Location"] == agreement.get_absolute_url()
    version = agreement.first_version()
    assert version.annual_compensation == 200_000
    fees = sorted(line.annual_fee for line in version.services.all())
    assert fees == [1_250, 10_000]


def test_a_service_fee_with_oere_comes_back_rounded_and_nothing_is_stored(
    client, official, own_outlet, party, catalogue
):
    client.force_login(official)
    data = form_data(own_outlet, party, catalogue[:2])
    data[f"fee_{catalogue[0].pk}"] = "12 500,50 kr"

    page = client.post(reverse("agreements:agreement_create"), data).content.decode()

    assert "Avrundat till 12 501 kr." in page
    assert 'value="12 501"' in page
    assert not Agreement.objects.exists()


def test_programme_settings_read_the_range_as_typed(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:programme_settings"),
        {
            "compensation_min": "25 000 kr",
            "compensation_max": "60 000",
            "minimum_services": "0",
            "vat_rate_percent": "25",
            "accounting_code": "",
        },
    )
    assert response.status_code == 302
    settings = ProgrammeSettings.objects.get(municipality=administrator.municipality)
    assert (settings.compensation_min, settings.compensation_max) == (25_000, 60_000)


def test_a_delegation_is_typed_with_spaces(client, administrator, official):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:delegations"),
        {"user": official.pk, "max_annual_compensation": "45 000 kr"},
    )
    assert response.status_code == 302
    assert official.delegation.max_annual_compensation == 45_000


def test_an_approximate_budget_is_refused_with_what_to_write(client, administrator):
    client.force_login(administrator)

    response = client.post(
        reverse("agreements:budget"), {"year": "2027", "amount": "cirka 50 000 kr"}
    )

    page = response.content.decode()
    assert "Skriv det exakta beloppet, t.ex. 50 000." in page
    assert "Rätta felen nedan" in page
    assert not ProgrammeBudget.objects.exists()


def test_a_budget_typed_the_swedish_way_is_saved(client, administrator):
    client.force_login(administrator)

    response = client.post(
        reverse("agreements:budget"), {"year": "2027", "amount": "50 000:-"}
    )

    assert response.status_code == 302
    assert ProgrammeBudget.objects.get(year=2027).amount == 50_000
