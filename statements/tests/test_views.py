"""The accessibility statement and the privacy notice, national and per municipality,
reached from every page's footer; the municipality's contacts from its settings
(issue 18)."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from outlets.tests.factories import municipality
from statements.content import DIGG_REPORT_URL
from statements.models import StatementSettings

pytestmark = pytest.mark.django_db

ACCESSIBILITY = reverse("statements:accessibility")
PRIVACY = reverse("privacy:notice")
SETTINGS = reverse("statements:settings")


@pytest.fixture
def nordmaling_contacts():
    return StatementSettings.objects.create(
        municipality=municipality("2401"),
        website_url="https://www.nordmaling.se/",
        programme_email="servicepunkter@nordmaling.example",
        programme_phone="0930-140 00",
        accessibility_email="tillganglighet@nordmaling.example",
        accessibility_response_days=5,
        data_protection_officer_email="dataskyddsombud@nordmaling.example",
        registrar_email="kommunen@nordmaling.example",
    )


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def footer(html):
    return html[html.index('<footer class="site-footer">') :]


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# The footer.


@pytest.mark.smoke
def test_the_login_page_links_both_statements_and_both_open_signed_out(client):
    links = footer(page(client, reverse("accounts:login")))

    assert f'<a href="{ACCESSIBILITY}">Tillgänglighetsredogörelse</a>' in links
    assert f'<a href="{PRIVACY}">Så behandlar vi personuppgifter</a>' in links
    assert ">Tillgänglighetsredogörelse</h1>" in page(client, ACCESSIBILITY)
    assert "<h1>Så behandlar vi personuppgifter</h1>" in page(client, PRIVACY)


@pytest.mark.parametrize(
    "role", ["administrator", "official", "shop_owner", "regional_viewer"]
)
def test_a_signed_in_page_links_both_statements_and_both_open_signed_in(
    client, request, role
):
    client.force_login(request.getfixturevalue(role))

    links = footer(page(client, reverse("start")))

    assert f'<a href="{ACCESSIBILITY}">Tillgänglighetsredogörelse</a>' in links
    assert f'<a href="{PRIVACY}">Så behandlar vi personuppgifter</a>' in links
    assert ">Tillgänglighetsredogörelse</h1>" in page(client, ACCESSIBILITY)
    assert "<h1>Så behandlar vi personuppgifter</h1>" in page(client, PRIVACY)


def test_a_page_about_a_municipality_links_its_versions_in_the_footer():
    request = RequestFactory().get("/service-points/2401/")
    html = render_to_string(
        "base.html", {"footer_municipality": municipality("2401")}, request=request
    )

    assert f'<a href="{ACCESSIBILITY}?municipality=2401">' in footer(html)
    assert f'<a href="{PRIVACY}?municipality=2401">' in footer(html)


def test_a_page_about_no_municipality_links_the_national_versions():
    request = RequestFactory().get("/service-points/")
    html = render_to_string("base.html", {"footer_municipality": None}, request=request)

    assert f'<a href="{ACCESSIBILITY}">' in footer(html)
    assert f'<a href="{PRIVACY}">' in footer(html)


def test_a_municipalitys_statement_keeps_its_own_versions_in_the_footer(client):
    html = page(client, f"{ACCESSIBILITY}?municipality=2401")

    assert f'<a href="{PRIVACY}?municipality=2401">' in footer(html)


# The accessibility statement.


def test_the_national_statement_follows_diggs_model(client):
    html = page(client, ACCESSIBILITY)

    for heading in (
        "Hur tillgänglig är webbplatsen?",
        "Rapportera brister i webbplatsens tillgänglighet",
        "Kontakta tillsynsmyndigheten",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat webbplatsen",
    ):
        assert f">{heading}</h2>" in html
    assert (
        "Servicepunkter är delvis förenlig med lagen (2018:1937) om tillgänglighet "
        "till digital offentlig service"
    ) in html
    assert (
        f'<a href="{DIGG_REPORT_URL}">Anmäl bristande tillgänglighet till Digg</a>'
    ) in html
    assert DIGG_REPORT_URL == "https://www.digg.se/tdosanmalan"
    assert "<h3>Kartorna</h3>" in html
    assert "taggade PDF/A-3a-filer" in html
    assert "axe-core" in html
    assert "Den senaste bedömningen gjordes den 2026-12-07." in html
    assert "Redogörelsen uppdaterades senast den 2026-12-07." in html
    # The national version tells how to find one's municipality's contact.
    assert "Välj din kommun för att se vem du kontaktar" in html
    assert '<option value="2401">Nordmalings kommun</option>' in html


def test_the_municipalities_to_choose_from_are_in_swedish_alphabetical_order(client):
    html = page(client, ACCESSIBILITY)

    names = ["Ystads kommun", "Åre kommun", "Älmhults kommun", "Övertorneå kommun"]
    positions = [html.index(f">{name}</option>") for name in names]
    assert positions == sorted(positions)
    assert html.count("<option ") == 291


@pytest.mark.smoke
def test_a_municipalitys_statement_shows_its_contact_for_feedback_from_its_settings(
    client, nordmaling_contacts
):
    html = page(client, f"{ACCESSIBILITY}?municipality=2401")

    assert "För Servicepunkter i Nordmalings kommun." in html
    assert "Nordmalings kommun står bakom Servicepunkter" in html
    assert (
        '<a href="mailto:tillganglighet@nordmaling.example">'
        "tillganglighet@nordmaling.example</a>"
    ) in html
    assert "0930-140 00" in html
    assert "Vi svarar normalt inom 5 arbetsdagar." in html
    assert '<a href="https://www.nordmaling.se/">' in html
    # Not the other addresses: they are the privacy notice's.
    assert "dataskyddsombud@nordmaling.example" not in html


def test_without_an_accessibility_address_the_programmes_address_is_given(
    client, nordmaling_contacts
):
    nordmaling_contacts.accessibility_email = ""
    nordmaling_contacts.save()

    html = page(client, f"{ACCESSIBILITY}?municipality=2401")

    assert "mailto:servicepunkter@nordmaling.example" in html


def test_a_municipality_without_contacts_is_told_to_use_its_switchboard_or_website(
    client,
):
    html = page(client, f"{ACCESSIBILITY}?municipality=2480")

    assert "För Servicepunkter i Umeå kommun." in html
    assert (
        "Umeå kommun har ännu inte lämnat någon kontakt för synpunkter på "
        "tillgängligheten här."
    ) in html
    assert not StatementSettings.objects.exists()


def test_an_unknown_municipality_code_is_told_and_the_national_version_shown(
    client,
):
    html = page(client, f"{ACCESSIBILITY}?municipality=9999", status=404)

    assert "Ingen kommun har koden 9999. Välj din kommun i listan." in html
    assert '<h2 id="how-accessible">Hur tillgänglig är webbplatsen?</h2>' in html


def test_markup_in_a_setting_shows_as_text(client):
    # Stored past the form's validation, as a faulty import might.
    StatementSettings.objects.create(
        municipality=municipality("2401"),
        programme_email="<script>alert(1)</script>@x.example",
        programme_phone="<b>0930</b>",
        website_url='https://x.example/"><script>alert(2)</script>',
        data_protection_officer_email="<i>dpo</i>@x.example",
    )

    for url in (ACCESSIBILITY, PRIVACY):
        html = page(client, f"{url}?municipality=2401")
        assert "<script>alert" not in html
        assert "<b>0930</b>" not in html
        assert "&lt;b&gt;0930&lt;/b&gt;" in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;@x.example" in html
        assert "https://x.example/&quot;&gt;&lt;script&gt;alert(2)" in html
    assert "&lt;i&gt;dpo&lt;/i&gt;@x.example" in html


def test_the_english_statement_is_complete(client, nordmaling_contacts):
    in_english(client)

    html = page(client, f"{ACCESSIBILITY}?municipality=2401")

    assert ">Accessibility statement</h1>" in html
    for heading in (
        "How accessible is the website?",
        "Report shortcomings in the website's accessibility",
        "Contact the supervisory authority",
        "Content that is not accessible",
        "How we tested the website",
    ):
        assert f">{heading}</h2>" in html
    assert "Servicepunkter is partially compliant with the Act" in html
    assert "Nordmaling municipality is responsible for Servicepunkter" in html
    assert "We normally answer within 5 working days." in html
    assert "<h3>The maps</h3>" in html
    assert "The latest assessment was made on 2026-12-07." in html
    footer_html = footer(html)
    assert ">Accessibility statement</a>" in footer_html
    assert ">How we process personal data</a>" in footer_html
    # No Swedish left in the statement's own text.
    main = html[html.index("<main") : html.index("</main>")]
    for swedish in ("Tillgänglighet", "Kontakta", "arbetsdag", "förenlig med"):
        assert swedish not in main.replace("lagen (2018:1937) om tillgänglighet", "")


# The privacy notice: whom to ask.


def test_a_municipalitys_privacy_notice_says_whom_to_ask_from_its_settings(
    client, nordmaling_contacts
):
    html = page(client, f"{PRIVACY}?municipality=2401")

    assert "Det här är versionen för Nordmalings kommun" in html
    assert ">Vem du frågar</h2>" in html
    assert "Registerutdrag, rättelser och andra begäranden" in html
    assert "mailto:kommunen@nordmaling.example" in html
    assert "mailto:dataskyddsombud@nordmaling.example" in html
    assert "mailto:servicepunkter@nordmaling.example" in html
    assert "0930-140 00" in html
    # Still what, why and for how long, from the registry.
    assert "Sju år efter utbetalningsåret (bokföringslagen)" in html
    assert "Integritetsskyddsmyndigheten" in html


def test_the_national_privacy_notice_tells_how_to_find_ones_municipalitys_contact(
    client, nordmaling_contacts
):
    html = page(client, PRIVACY)

    assert "Välj din kommun för att se vem du ska fråga" in html
    assert "Varje kommun har ett dataskyddsombud" in html
    assert "nordmaling.example" not in html


def test_the_english_privacy_notice_says_whom_to_ask(client, nordmaling_contacts):
    in_english(client)

    html = page(client, f"{PRIVACY}?municipality=2401")

    assert "This is the version for Nordmaling municipality" in html
    assert ">Whom to ask</h2>" in html
    assert "The municipality's data protection officer" in html


def test_a_municipality_without_contacts_is_told_where_else_to_ask(client):
    html = page(client, f"{PRIVACY}?municipality=2480")

    assert "Umeå kommun har ännu inte lämnat sina kontaktuppgifter här." in html


def test_an_unknown_municipality_code_on_the_notice_is_told(client):
    html = page(client, f"{PRIVACY}?municipality=abc", status=404)

    assert "Ingen kommun har koden abc." in html


# The settings page.


def test_an_administrator_sets_the_contacts_and_they_show_on_the_statements(
    client, administrator
):
    client.force_login(administrator)
    assert "Kontaktuppgifter för redogörelserna" in page(client, SETTINGS)

    response = client.post(
        SETTINGS,
        {
            "website_url": "www.nordmaling.se",
            "programme_email": "servicepunkter@nordmaling.example",
            "programme_phone": "0930-140 00",
            "accessibility_email": "",
            "accessibility_response_days": "7",
            "data_protection_officer_email": "dso@nordmaling.example",
            "registrar_email": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    stored = StatementSettings.objects.get(municipality__code="2401")
    assert stored.website_url == "https://www.nordmaling.se"
    assert stored.accessibility_response_days == 7
    client.logout()
    html = page(client, f"{ACCESSIBILITY}?municipality=2401")
    assert "mailto:servicepunkter@nordmaling.example" in html
    assert "Vi svarar normalt inom 7 arbetsdagar." in html
    assert "mailto:dso@nordmaling.example" in page(
        client, f"{PRIVACY}?municipality=2401"
    )


def test_bad_contacts_are_refused_with_a_message_and_nothing_changes(
    client, administrator, nordmaling_contacts
):
    client.force_login(administrator)

    response = client.post(
        SETTINGS,
        {
            "website_url": "javascript:alert(1)",
            "programme_email": "inte en adress",
            "programme_phone": "ring oss",
            "accessibility_response_days": "0",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ange webbplatsens hela adress, som börjar med https://" in html
    assert "Ange en e-postadress som servicepunkter@kommun.se." in html
    assert "Ange ett telefonnummer med bara siffror" in html
    assert "Ange svarstiden som 1 till 60 arbetsdagar." in html
    nordmaling_contacts.refresh_from_db()
    assert nordmaling_contacts.programme_email == "servicepunkter@nordmaling.example"
    assert nordmaling_contacts.website_url == "https://www.nordmaling.se/"


@pytest.mark.parametrize(
    "role", ["official", "shop_owner", "regional_viewer", "system_owner"]
)
def test_no_one_but_an_administrator_finds_the_settings(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(SETTINGS).status_code == 404
    response = client.post(SETTINGS, {"programme_email": "x@x.example"})

    assert response.status_code == 404
    assert not StatementSettings.objects.exists()


def test_another_municipalitys_administrator_keeps_only_their_own_contacts(
    client, nordmaling_contacts
):
    umea_administrator = UserFactory(
        administrator=True, municipality=municipality("2480")
    )
    client.force_login(umea_administrator)

    client.post(
        SETTINGS,
        {
            "programme_email": "service@umea.example",
            "accessibility_response_days": "10",
        },
    )

    assert StatementSettings.objects.get(municipality__code="2480").programme_email == (
        "service@umea.example"
    )
    nordmaling_contacts.refresh_from_db()
    assert nordmaling_contacts.programme_email == "servicepunkter@nordmaling.example"


def test_the_settings_are_in_the_administrators_settings_menu(client, administrator):
    client.force_login(administrator)

    html = page(client, reverse("followup:settings"))

    assert f'<a href="{SETTINGS}">Kontaktuppgifter för redogörelserna</a>' in html
