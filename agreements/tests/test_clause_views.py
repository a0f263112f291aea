"""The agreement text's pages: administrators keep the text, officials read it,
everyone else finds nothing."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from agreements.models import AgreementClause
from agreements.services.clauses import agreement_clause_add, agreement_clauses_seed
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db

TEXT = reverse("agreements:agreement_text")
NUMBER = reverse("agreements:municipality_organisation_number")


def clause_urls(clause):
    return {
        "update": reverse("agreements:clause_update", args=[clause.pk]),
        "move": reverse("agreements:clause_move", args=[clause.pk]),
        "remove": reverse("agreements:clause_remove", args=[clause.pk]),
    }


@pytest.fixture
def own_clause(nordmaling, administrator):
    agreement_clauses_seed(municipality=nordmaling)
    return agreement_clause_add(
        municipality=nordmaling,
        by=administrator,
        title="Skyltning",
        text="Servicepunkten skyltar.",
    )


def stored(municipality):
    return list(
        AgreementClause.objects.filter(municipality=municipality).values_list(
            "title", "text", "position"
        )
    )


def test_an_administrator_sees_the_default_text_and_adopts_it(
    client, nordmaling, administrator
):
    client.force_login(administrator)

    page = client.get(TEXT)
    assert page.status_code == 200
    assert "Hävning vid avtalsbrott" in page.content.decode()
    assert "Redigera texten" in page.content.decode()

    response = client.post(TEXT, {"adopt": "1"}, follow=True)

    assert AgreementClause.objects.filter(municipality=nordmaling).count() == 5
    assert "Standardtexten är nu kommunens egen" in response.content.decode()
    assert (
        reverse(
            "agreements:clause_update",
            args=[AgreementClause.objects.filter(municipality=nordmaling).first().pk],
        )
        in response.content.decode()
    )


def test_an_administrator_adds_changes_moves_and_removes_an_own_clause(
    client, nordmaling, administrator
):
    client.force_login(administrator)

    response = client.post(
        TEXT, {"title": "Skyltning", "text": "Första.\r\n\r\nAndra."}, follow=True
    )
    assert "”Skyltning” är tillagt sist i avtalstexten." in response.content.decode()
    clause = AgreementClause.objects.get(municipality=nordmaling, title="Skyltning")
    assert clause.text == "Första.\n\nAndra."
    assert clause.position == 6

    urls = clause_urls(clause)
    assert client.get(urls["update"]).status_code == 200
    client.post(urls["update"], {"title": "Skyltar", "text": "Ny text."})
    client.post(urls["move"], {"direction": "up"})
    clause.refresh_from_db()
    assert (clause.title, clause.text, clause.position) == ("Skyltar", "Ny text.", 5)

    response = client.post(urls["remove"], follow=True)
    assert "”Skyltar” är borttaget ur avtalstexten." in response.content.decode()
    assert not AgreementClause.objects.filter(pk=clause.pk).exists()
    history = client.get(TEXT).content.decode()
    assert "Villkoret ”Skyltar” borttaget" in history
    assert administrator.full_name in history


def test_clause_text_is_escaped_and_falls_into_paragraphs_on_the_page(
    client, nordmaling, administrator
):
    agreement_clause_add(
        municipality=nordmaling,
        by=administrator,
        title="<script>alert(1)</script>",
        text="<b>Fet</b>?\n\nAndra stycket.",
    )
    client.force_login(administrator)

    html = client.get(TEXT).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>&lt;b&gt;Fet&lt;/b&gt;?</p><p>Andra stycket.</p>" in html


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": "", "text": "Text."}, "Skriv villkorets rubrik."),
        ({"title": "   ", "text": "Text."}, "Skriv villkorets rubrik."),
        ({"title": "Rubrik", "text": ""}, "Skriv villkorets text."),
        (
            {"title": "Rubrik", "text": "x" * 6000},
            "Texten är 6\xa0000 tecken lång; ett villkor har högst 5\xa0000.",
        ),
        ({"title": "R" * 101, "text": "Text."}, "Håll rubriken inom 100 tecken"),
    ],
    ids=["empty title", "blank title", "empty text", "huge text", "long title"],
)
def test_bad_input_reshows_the_form_with_a_message_and_stores_nothing(
    client, nordmaling, administrator, own_clause, data, message
):
    client.force_login(administrator)
    before = stored(nordmaling)

    added = client.post(TEXT, data)
    changed = client.post(clause_urls(own_clause)["update"], data)

    for response in (added, changed):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert stored(nordmaling) == before


def test_a_standard_clause_cannot_be_removed(client, nordmaling, administrator):
    first = agreement_clauses_seed(municipality=nordmaling)[0]
    client.force_login(administrator)

    response = client.post(clause_urls(first)["remove"], follow=True)

    assert "är ett av standardvillkoren" in response.content.decode()
    assert AgreementClause.objects.filter(pk=first.pk).exists()


def test_the_organisation_number_is_saved_formatted_or_refused_with_a_message(
    client, nordmaling, administrator
):
    client.force_login(administrator)

    refused = client.post(NUMBER, {"organisation_number": "212000-2453"})
    assert refused.status_code == 400
    assert "Organisationsnumret är inte giltigt" in refused.content.decode()
    nordmaling.refresh_from_db()
    assert nordmaling.organisation_number == ""

    client.post(NUMBER, {"organisation_number": "2120002452"})
    nordmaling.refresh_from_db()
    assert nordmaling.organisation_number == "212000-2452"
    assert (
        "Organisationsnummer satt till 212000-2452" in client.get(TEXT).content.decode()
    )


def test_an_official_reads_the_text_without_a_way_to_change_it(
    client, nordmaling, official, own_clause
):
    client.force_login(official)

    html = client.get(TEXT).content.decode()

    assert "Skyltning" in html
    assert clause_urls(own_clause)["update"] not in html
    assert NUMBER not in html
    assert "Lägg till ett eget villkor" not in html


@pytest.mark.parametrize(
    "role,page,change",
    [
        ("administrator", 200, "allowed"),
        ("official", 200, 404),
        ("shop_owner", 404, 404),
        ("regional_viewer", 404, 404),
        ("system_owner", 404, 404),
        ("umea_administrator", 200, 404),
    ],
)
def test_who_reads_and_who_changes_the_agreement_text(
    client, request, nordmaling, own_clause, role, page, change
):
    if role == "umea_administrator":
        user = UserFactory(administrator=True, municipality=municipality("2480"))
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)
    before = stored(nordmaling)
    urls = clause_urls(own_clause)

    assert client.get(TEXT).status_code == page
    if role == "umea_administrator":
        # Umeå's own page, about Umeå's text: nothing of Nordmaling's on it.
        assert "Servicepunkten skyltar." not in client.get(TEXT).content.decode()
    responses = [
        client.get(urls["update"]),
        client.post(urls["update"], {"title": "X", "text": "Y"}),
        client.post(urls["move"], {"direction": "up"}),
        client.post(urls["remove"]),
    ]
    if change == "allowed":
        assert [r.status_code for r in responses] == [200, 302, 302, 302]
        return
    assert [r.status_code for r in responses] == [404] * 4
    if role != "umea_administrator":
        assert client.post(TEXT, {"title": "X", "text": "Y"}).status_code == 404
        number = {"organisation_number": "2120002452"}
        assert client.post(NUMBER, number).status_code == 404
    assert stored(nordmaling) == before
    nordmaling.refresh_from_db()
    assert nordmaling.organisation_number == ""


def test_the_page_answers_an_anonymous_visitor_with_the_login_page(client):
    response = client.get(TEXT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_system_owner_corrects_a_clauses_wording_in_the_admin_only(
    client, nordmaling, system_owner, own_clause
):
    client.force_login(system_owner)
    base = f"/admin/agreements/agreementclause/{own_clause.pk}"

    assert client.get("/admin/agreements/agreementclause/").status_code == 200
    client.post(
        f"{base}/change/", {"title": "Skyltar", "text": "Rättad text.", "_save": "1"}
    )
    assert client.get("/admin/agreements/agreementclause/add/").status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403

    own_clause.refresh_from_db()
    assert (own_clause.title, own_clause.text) == ("Skyltar", "Rättad text.")
    assert own_clause.position == 6
