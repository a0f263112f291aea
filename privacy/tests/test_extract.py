"""The register extract (issue 15): everything the registry finds about one person,
as JSON and PDF/A, made by an administrator for their municipality and logged."""

import json
import re
from subprocess import run

import pytest
from django.urls import reverse

from agreements.tests.factories import PartyFactory
from outlets.tests.factories import OutletContactFactory, OutletFactory, municipality
from privacy import extract as extract_module
from privacy.extract import SubjectKind, register_extract, subject_get
from securitylog.models import EventKind, SecurityEvent
from securitylog.services import security_event_record

pytestmark = pytest.mark.django_db


def make_extract(client, kind, pk, file_format="json"):
    return client.post(
        reverse("privacy:extract_export", kwargs={"kind": kind, "pk": pk}),
        {"format": file_format},
    )


def extracts_logged():
    return SecurityEvent.objects.filter(kind=EventKind.PERSONAL_DATA_EXPORT).exists()


def tables(data):
    return {table["model"]: table for table in data["records"]}


def values(table):
    return {
        item["field"]: item["value"] for row in table["rows"] for item in row["data"]
    }


def test_a_shop_owners_extract_holds_their_account_outlets_history_and_sign_ins(
    client, administrator, shop_owner, own_outlet
):
    security_event_record(kind=EventKind.SIGNED_IN, user=shop_owner)
    client.force_login(administrator)

    response = make_extract(client, "user", shop_owner.pk)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "registerutdrag-" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["register_extract"]["about"]["email"] == shop_owner.email
    found = tables(data)
    assert values(found["accounts.User"])["accounts.User.email"] == shop_owner.email
    assert found["accounts.User"]["rows"][0]["found_by"][0] == "personens egen post"
    assert values(found["accounts.User_outlets"])["accounts.User_outlets.user"] == str(
        shop_owner
    )
    account = found["accounts.User"]["rows"][0]["data"][0]
    assert account["purpose"] == "Inloggning och att veta vem som gjorde vad"
    assert account["retention"].startswith("Så länge kontot används")
    events = data["security_log"]["events"]
    assert [event["event"] for event in events] == ["Inloggning"]
    assert any(entry["record"] == "användare" for entry in data["history"])


def test_a_contact_persons_extract_finds_their_entry_and_their_address_elsewhere(
    client, administrator, own_outlet
):
    contact = OutletContactFactory(
        outlet=own_outlet, name="Lisa Ström", email="lisa@perslivs.example"
    )
    party = PartyFactory(email="LISA@perslivs.example", contact_name="Lisa Ström")
    elsewhere = PartyFactory(
        municipality=municipality("2480"), email="lisa@perslivs.example"
    )
    client.force_login(administrator)

    data = json.loads(make_extract(client, "contact", contact.pk).content)

    found = tables(data)
    assert values(found["outlets.OutletContact"])["outlets.OutletContact.phone"] == (
        contact.phone
    )
    parties = [row["id"] for row in found["agreements.Party"]["rows"]]
    # Another municipality's party with the same address is not theirs to hand out.
    assert parties == [party.pk]
    assert elsewhere.pk not in parties


def test_a_signatorys_extract_finds_the_party_they_sign_for_by_its_record(
    administrator,
):
    party = PartyFactory(signatory_name="Åsa Handlare")

    extract = register_extract(
        subject=subject_get(kind=SubjectKind.SIGNATORY, pk=party.pk, by=administrator),
        by=administrator,
    )

    party_table = next(t for t in extract.tables if t.model == "agreements.Party")
    assert [row.pk for row in party_table.rows] == [party.pk]
    assert "personens egen post" in party_table.rows[0].found_by


def test_the_pdf_is_a_pdf_a_and_every_extract_is_logged_with_who_and_about_whom(
    client, administrator, shop_owner, tmp_path
):
    client.force_login(administrator)

    response = make_extract(client, "user", shop_owner.pk, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "extract.pdf"
    path.write_bytes(response.content)
    metadata = run(["pdfinfo", "-meta", path], capture_output=True, text=True).stdout
    assert re.search(r'pdfaid:part(="|>)3', metadata)
    assert re.search(r'pdfaid:conformance(="|>)A', metadata)
    text = run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "Registerutdrag" in text and shop_owner.email in text
    logged = SecurityEvent.objects.get(kind=EventKind.PERSONAL_DATA_EXPORT)
    assert logged.user == administrator
    assert logged.municipality_id == shop_owner.municipality_id
    assert shop_owner.email in logged.detail and logged.detail.endswith("(pdf)")
    assert logged.get_kind_display() == "Registerutdrag gjort"


def test_the_system_owner_makes_an_extract_about_a_regional_viewer(
    client, system_owner, regional_viewer
):
    client.force_login(system_owner)

    response = make_extract(client, "user", regional_viewer.pk)

    assert response.status_code == 200
    assert json.loads(response.content)["register_extract"]["about"]["name"] == (
        regional_viewer.full_name
    )


def test_an_administrator_finds_no_person_of_another_municipality(
    client, administrator, umea_official
):
    client.force_login(administrator)
    umea_outlet = OutletFactory(municipality=umea_official.municipality)
    contact = OutletContactFactory(outlet=umea_outlet)

    for kind, pk in (("user", umea_official.pk), ("contact", contact.pk)):
        assert make_extract(client, kind, pk).status_code == 404
        page = reverse("privacy:extract_person", kwargs={"kind": kind, "pk": pk})
        assert client.get(page).status_code == 404
    assert (
        client.get(
            reverse("privacy:extract_person", kwargs={"kind": "nobody", "pk": 1})
        ).status_code
        == 404
    )
    assert not extracts_logged()


@pytest.mark.parametrize("role", ["official", "shop_owner", "regional_viewer"])
def test_other_roles_are_refused_the_extract_and_nothing_is_logged_as_made(
    client, request, role, shop_owner
):
    client.force_login(request.getfixturevalue(role))

    assert make_extract(client, "user", shop_owner.pk).status_code == 403
    assert client.get(reverse("privacy:extract_search")).status_code == 403
    assert not extracts_logged()


def test_no_format_chosen_says_so_and_makes_nothing(client, administrator, shop_owner):
    client.force_login(administrator)

    response = client.post(
        reverse("privacy:extract_export", kwargs={"kind": "user", "pk": shop_owner.pk}),
        {"format": "exe"},
    )

    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not extracts_logged()


def test_the_search_finds_people_by_name_or_address_within_the_municipality(
    client, administrator, shop_owner, own_outlet, umea_official
):
    OutletContactFactory(outlet=own_outlet, name="<b>Lisa</b> Ström")
    PartyFactory(signatory_name="Lisa Handlare")
    client.force_login(administrator)

    page = client.get(reverse("privacy:extract_search"), {"q": "lisa"}).content.decode()

    assert "&lt;b&gt;Lisa&lt;/b&gt; Ström" in page and "<b>Lisa</b>" not in page
    assert "Lisa Handlare" in page and "Firmatecknare för en avtalspart" in page
    by_address = client.get(
        reverse("privacy:extract_search"), {"q": "perslivs.example"}
    ).content.decode()
    assert reverse("privacy:extract_person", args=["user", shop_owner.pk]) in by_address
    umea = client.get(reverse("privacy:extract_search"), {"q": "umea"}).content.decode()
    assert "official@umea.example" not in umea


def test_the_search_leads_to_the_persons_page_whose_button_makes_the_file(
    client, administrator, own_outlet
):
    OutletContactFactory(outlet=own_outlet, name="Lisa Ström")
    client.force_login(administrator)

    found = client.get(reverse("privacy:extract_search"), {"q": "Ström"})
    person_url = re.search(r'href="(/privacy/register-extract/[^"]+)"', found.text)[1]
    page = client.get(person_url).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)"', page)[1]
    response = client.post(action, {"format": "pdf"})

    assert "Kontaktperson för ett försäljningsställe · " in page
    assert "Pers Livs" in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert extracts_logged()


def test_the_users_page_and_the_menu_lead_to_the_extract(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("accounts:user_list")).content.decode()

    assert reverse("privacy:extract_search") in page
    assert reverse("privacy:extract_person", args=["user", administrator.pk]) in page


def test_a_person_with_many_rows_gets_the_newest_up_to_the_cap_and_is_told(
    client, administrator, shop_owner, monkeypatch
):
    monkeypatch.setattr(extract_module, "MAX_ROWS", 3)
    for _ in range(5):
        security_event_record(kind=EventKind.SIGNED_IN, user=shop_owner)
    client.force_login(administrator)

    data = json.loads(make_extract(client, "user", shop_owner.pk).content)

    assert data["security_log"]["rows_found"] == 5
    assert len(data["security_log"]["events"]) == 3
    page = client.get(
        reverse("privacy:extract_person", args=["user", shop_owner.pk])
    ).content.decode()
    assert "5 poster i säkerhetsloggen" in page


def test_text_in_the_pdf_is_text(administrator, own_outlet):
    contact = OutletContactFactory(outlet=own_outlet, name="</style><b>Ulla</b>")
    subject = subject_get(kind=SubjectKind.CONTACT, pk=contact.pk, by=administrator)
    from django.template.loader import render_to_string

    html = render_to_string(
        "privacy/register_extract_pdf.html",
        {
            "extract": register_extract(subject=subject, by=administrator),
            "subject": subject,
        },
    )

    assert "<b>Ulla</b>" not in html and "&lt;b&gt;Ulla&lt;/b&gt;" in html
