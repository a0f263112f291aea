import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from agreements.models import Agreement, Party, Service
from agreements.services import (
    agreement_amend,
    agreement_create,
    agreement_mark_ready,
)
from agreements.tests.conftest import TERMS
from agreements.tests.helpers import sign_completely

pytestmark = pytest.mark.django_db


def signed_by_both(draft, official, shop_owner):
    """The draft made ready and signed in the app by the official and the owner."""
    agreement_mark_ready(agreement=draft, by=official)
    for user, side in ((official, "municipality"), (shop_owner, "party")):
        sign_completely(
            agreement=draft,
            by=user,
            side=side,
            name=user.full_name,
            title="VD",
            password=TEST_PASSWORD,
        )


def form_data(outlet, party, services, **overrides):
    data = {
        "outlet": outlet.pk,
        "party": party.pk,
        **{
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in TERMS.items()
            if value is not None
        },
    }
    data["payout_requires_followup"] = "on"
    data.pop("payout_requires_report")
    for service in services:
        data[f"include_{service.pk}"] = "on"
        data[f"fee_{service.pk}"] = "10000"
    return data | overrides


def test_official_creates_a_draft_with_the_services_ticked(
    client, official, own_outlet, party, catalogue
):
    client.force_login(official)
    response = client.post(
        reverse("agreements:agreement_create"),
        form_data(own_outlet, party, catalogue[:3]),
    )
    agreement = Agreement.objects.get()
    assert response["Location"] == agreement.get_absolute_url()
    version = agreement.first_version()
    assert version.annual_compensation == 30_000
    assert version.services.count() == 3


def test_a_ticked_service_without_a_fee_is_refused_and_nothing_stored(
    client, official, own_outlet, party, catalogue
):
    client.force_login(official)
    data = form_data(own_outlet, party, catalogue[:3])
    data[f"fee_{catalogue[0].pk}"] = ""
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 200
    assert "Ange tjänstens ersättning per år." in response.content.decode()
    assert not Agreement.objects.exists()


def test_forged_post_with_another_municipalitys_outlet_is_refused(
    client, official, party, catalogue
):
    from outlets.tests.factories import OutletFactory, municipality

    umea_outlet = OutletFactory(municipality=municipality("2480"))
    client.force_login(official)
    response = client.post(
        reverse("agreements:agreement_create"),
        form_data(umea_outlet, party, catalogue[:3]),
    )
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_a_draft_reads_utkast_until_it_is_made_ready_and_gets_its_reference(
    client, official, draft
):
    client.force_login(official)
    pages = [
        reverse("agreements:agreement_detail", args=[draft.pk]),
        reverse("agreements:agreement_update", args=[draft.pk]),
        reverse("agreements:agreement_list"),
    ]
    detail, edit, listing = (client.get(url).content.decode() for url in pages)
    assert "<h1>Utkast till avtal med Pers Livs</h1>" in detail
    assert "<h1>Ändra utkastet till avtal med Pers Livs</h1>" in edit
    assert f'<a href="{draft.get_absolute_url()}">Utkast</a>' in listing
    preview = client.get(reverse("agreements:agreement_preview", args=[draft.pk]))
    assert preview["Content-Disposition"] == (
        f'inline; filename="avtal-{draft.pk}-utkast.pdf"'
    )

    agreement_mark_ready(agreement=draft, by=official)

    detail = client.get(pages[0]).content.decode()
    assert "<h1>Avtal SP-2401-2026-001</h1>" in detail


def test_a_frozen_version_has_no_edit_path(client, official, draft):
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(official)
    url = reverse("agreements:agreement_update", args=[draft.pk])
    response = client.post(url, {"space": "Hela butiken"})
    assert response["Location"] == draft.get_absolute_url()
    assert draft.first_version().space == TERMS["space"]


def test_signing_with_a_wrong_password_shows_a_swedish_message_and_records_nothing(
    client, official, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(official)
    response = client.post(
        reverse("agreements:agreement_sign", args=[draft.pk, "municipality"]),
        {"name": "Johan Berg", "title": "Handläggare", "password": "fel"},
    )
    assert response.status_code == 400
    assert "Lösenordet är fel." in response.content.decode()
    assert not draft.first_version().signatures.exists()


def test_the_owner_signs_for_the_service_point_and_downloads_the_document(
    client, official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(shop_owner)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Skriv under för servicepunkten" in page
    response = client.post(
        reverse("agreements:agreement_sign", args=[draft.pk, "party"]),
        {"name": "Per Lindberg", "title": "VD", "password": TEST_PASSWORD},
    )
    assert response["Location"] == draft.get_absolute_url()
    document = client.get(
        reverse(
            "agreements:agreement_document", args=[draft.first_version().pk, "frozen"]
        )
    )
    assert b"".join(document.streaming_content).startswith(b"%PDF-")


def test_an_administrator_signs_in_her_own_name_whatever_name_is_posted(
    client, administrator, official, draft
):
    """The signatory of a signature in the app is who is signed in: the page
    names her without a field to type a name in, and a forged POST with a
    colleague's name still records her own."""
    administrator.full_name = "Karin Holm"
    administrator.save()
    official.full_name = "Lena Sjöberg"
    official.save()
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(administrator)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Du skriver under som <strong>Karin Holm</strong>." in page
    sign_url = reverse("agreements:agreement_sign", args=[draft.pk, "municipality"])
    sign_form = page.split(f'action="{sign_url}"')[1].split("</form>")[0]
    assert 'name="name"' not in sign_form
    assert "Lösenordet bekräftar att det är du som skriver under." in page

    response = client.post(
        reverse("agreements:agreement_sign", args=[draft.pk, "municipality"]),
        {"name": "Lena Sjöberg", "title": "Chef", "password": TEST_PASSWORD},
    )

    assert response["Location"] == draft.get_absolute_url()
    signature = draft.first_version().signatures.get()
    assert (signature.signed_by_name, signature.user) == ("Karin Holm", administrator)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Undertecknat av Karin Holm för kommunen" in page
    assert "Undertecknat av Lena Sjöberg" not in page


@pytest.mark.parametrize("side", ["municipality", "party"])
def test_a_reader_who_may_not_sign_finds_no_agreement_to_sign(
    client, official, regional_viewer, draft, side
):
    """The regional viewer reads the agreement but signs for neither side: the view
    answers 404, as for an agreement that does not exist, before the service."""
    agreement_mark_ready(agreement=draft, by=official)
    client.force_login(regional_viewer)
    assert client.get(draft.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("agreements:agreement_sign", args=[draft.pk, side]),
        {"name": "Maria Ek", "title": "Regionen", "password": TEST_PASSWORD},
    )
    assert response.status_code == 404
    assert not draft.first_version().signatures.exists()


def test_the_agreement_list_runs_the_same_queries_for_3_and_30_agreements(
    client, official, django_assert_max_num_queries, own_outlet, party
):
    from agreements.tests.factories import AgreementFactory

    client.force_login(official)
    for count in (3, 30):
        AgreementFactory.create_batch(
            count - Agreement.objects.count(),
            outlet=own_outlet,
            party=party,
        )
        with django_assert_max_num_queries(7):
            response = client.get(reverse("agreements:agreement_list"))
        assert response.status_code == 200


def test_the_catalogue_is_kept_by_administrators(client, administrator, nordmaling):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:service_create"),
        {"name": "Cykeluthyrning", "default_annual_fee": "5000", "is_active": "on"},
    )
    assert response["Location"] == reverse("agreements:service_list")
    assert Service.objects.get(name="Cykeluthyrning").municipality == nordmaling


def test_an_added_party_is_named_in_the_message(client, official):
    client.force_login(official)

    response = client.post(
        reverse("agreements:party_create"),
        {
            "name": "Pers Livs AB",
            "organisation_number": "5560360793",
            "bankgiro": "5050-1055",
            "signatory_name": "Per Lindberg",
            "signatory_title": "VD",
        },
        follow=True,
    )

    assert "Avtalsparten Pers Livs AB har lagts till." in response.content.decode()


def test_approved_payouts_export_for_the_finance_system_with_the_supplier_number(
    client, official, colleague, shop_owner, draft, nordmaling
):
    from agreements.models import Party, ProgrammeSettings
    from agreements.services import (
        payout_approve,
        payout_cancel,
        payout_condition_set,
    )

    ProgrammeSettings.objects.create(
        municipality=nordmaling, accounting_code="4590 1234 56"
    )
    Party.objects.filter(pk=draft.party_id).update(supplier_number="LEV-10442")
    signed_by_both(draft, official, shop_owner)
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout = draft.payouts.get(agreement_year=1)
    payout_approve(payout=payout, by=colleague)
    client.force_login(official)
    response = client.get(reverse("agreements:payout_export"))
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0].startswith(
        "\ufeffAvtal;Betalningsmottagare;Organisationsnummer;Leverantörsnummer;Bankgiro"
    )
    assert lines[1:] == [
        "SP-2401-2026-001;Pers Livs AB;556036-0793;LEV-10442;5050-1055;;40000;"
        "10000;50000;2026-01-01;2026-12-31;2027-01-31;4590 1234 56;Utbetalning",
    ]

    payout_cancel(payout=payout, by=official, reason="Avtalet hävdes.")
    response = client.get(reverse("agreements:payout_export"))
    assert response.content.decode("utf-8").splitlines()[1:] == []


def test_the_agreement_page_shows_who_changed_what_including_bulk_changes(
    client, official, draft
):
    client.force_login(official)
    # A bulk change, outside any form (while a draft: a frozen version is refused).
    draft.versions.update(space="Hela butiken")
    client.post(reverse("agreements:agreement_ready", args=[draft.pk]))
    page = client.get(draft.get_absolute_url()).content.decode()
    history = page[page.index("Ändringshistorik") :]
    assert official.full_name in history
    assert "avtalsversion ändrades: lokalyta som butiken" in history.lower()


def test_the_history_names_changed_fields_in_words_foreign_keys_included(
    client, official, draft
):
    from agreements.models import Agreement

    client.force_login(official)
    client.post(reverse("agreements:agreement_ready", args=[draft.pk]))
    Agreement.objects.filter(pk=draft.pk).update(notice_recorded_by=official)

    page = client.get(draft.get_absolute_url()).content.decode()

    history = page[page.index("Ändringshistorik") :]
    assert "dokumentets kontrollsumma (SHA-256)" in history
    assert "uppsägningen registrerad av" in history
    assert "sha256" not in history and "_id" not in history


def test_the_history_keeps_to_the_agreement_and_its_party_not_the_partys_others(
    client, official, draft, party, catalogue
):
    """A party (one company) may hold several agreements: each has its own page,
    and the party's own changes (where payouts go) show on all of them."""
    from agreements.tests.conftest import lines
    from outlets.tests.factories import OutletFactory

    other_shop = OutletFactory(name="Perssons Bensin")
    sibling = agreement_create(
        by=official,
        outlet=other_shop,
        party=party,
        version_fields=dict(TERMS),
        services=lines(catalogue),
    )
    Agreement.objects.filter(pk=sibling.pk).update(notice_recorded_by=official)
    Party.objects.filter(pk=party.pk).update(contact_name="Lisa Persson")
    client.force_login(official)

    page = client.get(draft.get_absolute_url()).content.decode()

    history = page[page.index("Ändringshistorik") :]
    assert "Avtalspart ändrades: kontaktperson" in history
    assert "uppsägningen registrerad av" not in history
    sibling_page = client.get(sibling.get_absolute_url()).content.decode()
    assert (
        "uppsägningen registrerad av"
        in sibling_page[sibling_page.index("Ändringshistorik") :]
    )


def test_the_agreement_history_is_one_query_over_its_versions_and_party(
    official, draft, party, django_assert_max_num_queries
):
    """The event tables that refer to the agreement, its versions or its party in
    one union, and one more query for the users who made the changes."""
    from agreements.selectors import agreement_history

    Party.objects.filter(pk=party.pk).update(contact_name="Lisa Persson")
    Agreement.objects.filter(pk=draft.pk).update(notice_recorded_by=official)
    agreement = Agreement.objects.select_related("party").get(pk=draft.pk)
    versions = list(agreement.versions.all())

    with django_assert_max_num_queries(2):
        history = agreement_history(agreement=agreement, versions=versions)

    changes = [(str(entry.model), entry.action, entry.fields) for entry in history]
    assert ("avtal", "update", ["uppsägningen registrerad av"]) in changes
    assert ("avtalspart", "update", ["kontaktperson"]) in changes
    assert ("avtalsversion", "insert", []) in changes


def test_the_party_page_shows_the_partys_changes_not_its_agreements(
    client, official, draft, party
):
    Agreement.objects.filter(pk=draft.pk).update(notice_recorded_by=official)
    Party.objects.filter(pk=party.pk).update(contact_name="Lisa Persson")
    client.force_login(official)

    url = reverse("agreements:party_update", args=[party.pk])
    page = client.get(url).content.decode()
    history = page[page.index("Ändringshistorik") :]

    assert "Avtalspart ändrades: kontaktperson" in history
    assert "uppsägningen registrerad av" not in history
    assert "Avtal skapades" not in history


def test_the_history_says_what_a_status_went_from_and_to(
    client, official, colleague, shop_owner, draft
):
    from agreements.services import payout_approve, payout_condition_set

    signed_by_both(draft, official, shop_owner)
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout_approve(payout=draft.payouts.get(agreement_year=1), by=colleague)
    client.force_login(official)

    page = client.get(draft.get_absolute_url()).content.decode()

    history = page[page.index("Ändringshistorik") :]
    assert "Utbetalning ändrades: status Planerad → Godkänd" in history
    assert "Utbetalning ändrades: uppföljningen klar nej → ja" in history
    assert "status ändrad" not in history


def test_an_official_starts_an_amendment_of_a_signed_agreement_from_its_page(
    client, official, shop_owner, draft
):
    signed_by_both(draft, official, shop_owner)
    client.force_login(official)
    assert (
        "Påbörja ett tillägg" in client.get(draft.get_absolute_url()).content.decode()
    )
    response = client.post(
        reverse("agreements:agreement_amend", args=[draft.pk]),
        {"effective_on": "2027-07-01", "reason": "Hemsändning läggs till."},
    )
    assert response["Location"] == reverse(
        "agreements:agreement_update", args=[draft.pk]
    )
    assert draft.versions.count() == 2
    refused = client.post(
        reverse("agreements:agreement_amend", args=[draft.pk]),
        {"effective_on": "2027-08-01", "reason": "Igen"},
    )
    assert refused.status_code == 400
    assert draft.versions.count() == 2


def test_the_administrator_sets_the_range_and_new_agreements_follow_it(
    client, administrator, official, own_outlet, party, catalogue, nordmaling
):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:programme_settings"),
        {
            "compensation_min": "20000",
            "compensation_max": "25000",
            "minimum_services": "2",
            "vat_rate_percent": "25",
            "accounting_code": "4590",
        },
    )
    assert response["Location"] == reverse("agreements:programme_settings")
    client.force_login(official)
    response = client.post(
        reverse("agreements:agreement_create"),
        form_data(own_outlet, party, catalogue[:3]),
    )
    # 30 000 kr is now above the range: a justification is needed.
    assert response.status_code == 200
    assert "skriv varför" in response.content.decode().lower()
    assert not Agreement.objects.exists()


def test_lowest_above_highest_is_refused_with_a_message(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("agreements:programme_settings"),
        {
            "compensation_min": "60000",
            "compensation_max": "50000",
            "minimum_services": "0",
            "vat_rate_percent": "25",
        },
    )
    assert response.status_code == 200
    assert "Den lägsta ersättningen" in response.content.decode()


def test_an_amendment_draft_has_no_term_fields(client, official, shop_owner, draft):
    from agreements.services import agreement_amend

    signed_by_both(draft, official, shop_owner)
    agreement_amend(
        agreement=draft, by=official, effective_on=date(2027, 1, 1), reason="Ny tjänst"
    )
    client.force_login(official)
    page = client.get(reverse("agreements:agreement_update", args=[draft.pk]))
    assert 'name="starts_on"' not in page.content.decode()
    assert 'name="annual_compensation"' in page.content.decode()


def test_the_agreement_page_names_the_versions_avtal_and_tillagg_1(
    client, official, shop_owner, draft
):
    signed_by_both(draft, official, shop_owner)
    agreement_amend(
        agreement=draft,
        by=official,
        effective_on=date(2027, 7, 1),
        reason="Hemsändning läggs till.",
    )
    client.force_login(official)

    page = client.get(draft.get_absolute_url()).content.decode()

    headings = re.findall(r"<h3>\s*([^<\n]+?)\s*\n", page)
    assert "Avtal" in headings
    assert "Tillägg 1" in headings
    assert "Tillägg 2" not in page


def test_adding_a_party_from_a_new_agreement_keeps_the_draft_and_chooses_the_party(
    client, official, own_outlet, catalogue
):
    client.force_login(official)
    typed = form_data(own_outlet, own_outlet, catalogue[:2]) | {
        "party": "",
        "decision_registration_number": "KS 2026/77",
        "space": "Ett bord vid fönstret.",
        f"commitments_{catalogue[1].pk}": "Öppet även lördagar.",
        "add_party": "1",
    }

    response = client.post(reverse("agreements:agreement_create"), typed)
    assert response.status_code == 302
    party_page = response["Location"]
    assert party_page == reverse("agreements:party_create") + "?for=agreement"
    assert not Agreement.objects.exists()  # nothing saved, nothing refused
    response = client.post(
        party_page,
        {
            "name": "Brattfors Handel AB",
            "organisation_number": "5560360793",
            "bankgiro": "5050-1055",
            "signatory_name": "Per Lindberg",
            "signatory_title": "VD",
        },
    )
    party = Party.objects.get(name="Brattfors Handel AB")
    assert response["Location"] == (
        reverse("agreements:agreement_create") + f"?draft=1&party={party.pk}"
    )
    page = client.get(response["Location"]).content.decode()

    assert "Avtalsparten Brattfors Handel AB har lagts till." in page
    assert re.search(rf'<option value="{party.pk}" selected>', page)
    assert re.search(rf'<option value="{own_outlet.pk}" selected>', page)
    assert 'value="KS 2026/77"' in page
    assert "Ett bord vid fönstret." in page
    assert "Öppet även lördagar." in page
    assert re.search(rf'name="include_{catalogue[1].pk}"[^>]* checked', page)
    assert not re.search(rf'name="include_{catalogue[2].pk}"[^>]* checked', page)
    assert 'class="field field--error"' not in page  # shown again, not judged


def test_coming_back_to_a_new_agreement_without_a_kept_draft_shows_its_defaults(
    client, official
):
    client.force_login(official)
    page = client.get(reverse("agreements:agreement_create") + "?draft=1")
    assert page.status_code == 200
    assert 'name="initial_term_months" value="36"' in page.content.decode()
