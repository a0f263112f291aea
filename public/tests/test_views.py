import datetime
import json

import pytest
import time_machine
from django.urls import reverse

from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12), tick=False):
        yield


def text(response):
    return response.content.decode()


def public_urls(point):
    """Every public output of the pages and embeds that shows the point."""
    code = point.outlet.municipality.code
    return [
        reverse("public:index"),
        reverse("public:index") + "?q=Sigrids",
        reverse("public:markers"),
        reverse("public:municipality", kwargs={"code": code}),
        reverse("public:service_point", kwargs={"pk": point.outlet.pk}),
        reverse("embed:list", kwargs={"code": code}),
        reverse("embed:list", kwargs={"code": code}) + "?lang=en",
        reverse("embed:map", kwargs={"code": code}),
        reverse("embed:snippet", kwargs={"code": code}),
    ]


def test_no_public_page_or_embed_shows_personal_data(
    client, service_point_with_personal_data
):
    point = service_point_with_personal_data
    for url in public_urls(point):
        page = text(client.get(url))
        assert [secret for secret in point.secrets if secret in page] == [], url
        # The country's page names its municipality, the search and the markers
        # the point; the others give every public fact.
        if url == reverse("public:index"):
            shown = ["Nordmalings kommun"]
        elif url.startswith(reverse("public:index") + "?") or "markers" in url:
            shown = point.public[:1]
        elif "map" in url:
            shown = point.public[:2]
        else:
            shown = point.public
        assert all(fact in page for fact in shown), url


def test_the_staff_publish_page_shows_no_personal_data_either(
    client, administrator, service_point_with_personal_data
):
    client.force_login(administrator)
    page = text(client.get(reverse("public:publish")))
    assert not [s for s in service_point_with_personal_data.secrets if s in page]
    assert "Sigrids Lanthandel" in page  # in the snippet to paste


def test_a_service_point_page_tells_what_when_where_and_how_to_get_there(
    client, service_point_with_personal_data
):
    outlet = service_point_with_personal_data.outlet
    page = text(client.get(reverse("public:service_point", kwargs={"pk": outlet.pk})))

    assert "<h1>Sigrids Lanthandel</h1>" in page
    assert "Mån–fre 9–19, lör 10–14" in page
    assert "Byvägen 12, 914 90 Nordmaling" in page
    assert 'href="tel:093010020"' in page
    assert 'href="geo:63.568100,19.502900"' in page
    assert (
        'href="https://www.openstreetmap.org/?mlat=63.568100&amp;mlon=19.502900' in page
    )
    assert "63.56810, 19.50290" in page
    assert "Paketutlämning" in page
    assert "img/service-point" in page
    assert "Nordmalings kommun" in page


def test_a_service_point_page_in_english(client, service_point_with_personal_data):
    outlet = service_point_with_personal_data.outlet
    client.cookies["django_language"] = "en"
    response = client.get(reverse("public:service_point", kwargs={"pk": outlet.pk}))
    page = text(response)
    assert "What you can do here" in page and "Opening hours" in page
    # The municipality's and the shop's own words stay Swedish, and say so (WCAG
    # 3.1.2), so that a screen reader reads them as Swedish.
    html = response.content.decode()
    assert '<ul class="public-services" lang="sv">' in html
    assert '<dd lang="sv">Mån–fre 9–19, lör 10–14' in html


def test_an_outlet_that_is_no_service_point_is_not_found(client, nordmaling):
    without_agreement = OutletFactory(name="Utan avtal")
    ended = signed_agreement(
        OutletFactory(name="Upphört"),
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 6),
    )
    for pk in (without_agreement.pk, ended.outlet_id, 999_999):
        response = client.get(reverse("public:service_point", kwargs={"pk": pk}))
        assert response.status_code == 404
        assert "Utan avtal" not in text(response)
        assert "Sidan finns inte" in text(response)


def test_an_unknown_municipality_is_not_found(client):
    for code in ("9999", "abc"):
        assert client.get(f"/service-points/municipality/{code}/").status_code == 404
        assert client.get(f"/embed/{code}/").status_code == 404


def test_the_national_page_lists_municipalities_with_counts_and_links(
    client, nordmaling
):
    for name in ("Lanthandeln", "Macken"):
        signed_agreement(OutletFactory(name=name))
    signed_agreement(OutletFactory(name="Byboa", municipality=municipality("2480")))

    page = text(client.get(reverse("public:index")))

    assert "Det finns 3 servicepunkter i Sverige" in page
    assert reverse("public:municipality", kwargs={"code": "2401"}) in page
    assert "2 servicepunkter" in page and "1 servicepunkt" in page
    assert "Lanthandeln" not in page  # only the municipalities until one searches


def test_the_search_finds_service_points_by_place_without_javascript(
    client, nordmaling
):
    signed_agreement(OutletFactory(name="Lanthandeln", town="Gräsmyr"))
    signed_agreement(OutletFactory(name="Macken", town="Rundvik"))

    page = text(client.get(reverse("public:index"), {"q": "gräsmyr"}))

    assert "Lanthandeln" in page and "Macken" not in page
    assert "1 servicepunkt matchar" in page
    nothing = text(client.get(reverse("public:index"), {"q": "Ingenstans"}))
    assert "Ingen servicepunkt matchar" in nothing


def test_the_markers_are_compact_json_that_any_cache_may_keep(client, nordmaling):
    agreement = signed_agreement(
        OutletFactory(name="Lanthandeln", latitude=63.5, longitude=19.5)
    )
    signed_agreement(OutletFactory(name="Utan läge", latitude=None, longitude=None))

    response = client.get(reverse("public:markers"))

    assert json.loads(response.content) == {
        "url": "/service-points/0/",
        "points": [[agreement.outlet_id, 63.5, 19.5, "Lanthandeln"]],
    }
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Last-Modified" in response


def test_the_municipality_page_lists_each_point_with_every_fact(
    client, service_point_with_personal_data
):
    page = text(client.get(reverse("public:municipality", kwargs={"code": "2401"})))
    assert "Servicepunkter i Nordmalings kommun" in page
    for fact in ("Byvägen 12", "Mån–fre 9–19", "0930-100 20", "Paketutlämning"):
        assert fact in page


def test_the_pages_hold_a_csrf_token_so_they_are_private_and_vary_by_cookie(
    client, service_point_with_personal_data
):
    response = client.get(reverse("public:municipality", kwargs={"code": "2401"}))
    assert response["Cache-Control"] == "private, max-age=300"
    assert "Cookie" in response["Vary"]
    assert "csrfmiddlewaretoken" in text(response)


def test_the_embed_is_swedish_by_default_and_english_when_asked_whatever_the_cookie(
    client, service_point_with_personal_data
):
    url = reverse("embed:list", kwargs={"code": "2401"})
    client.cookies["django_language"] = "en"

    swedish = client.get(url)
    english = client.get(url, {"lang": "en"})

    assert '<html lang="sv">' in text(swedish) and "Öppettider" in text(swedish)
    assert '<html lang="en">' in text(english) and "Opening hours" in text(english)
    assert "csrfmiddlewaretoken" not in text(swedish)
    assert swedish["Cache-Control"] == "public, max-age=300"
    assert 'target="_blank"' in text(swedish)


def test_the_snippet_is_a_plain_list_of_links_to_the_public_pages(
    client, settings, service_point_with_personal_data
):
    settings.SITE_URL = ""  # unset: the address the request came to
    outlet = service_point_with_personal_data.outlet
    response = client.get(reverse("embed:snippet", kwargs={"code": "2401"}))
    snippet = text(response)

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert snippet.startswith('<ul lang="sv">')
    assert f'href="http://testserver/service-points/{outlet.pk}/"' in snippet
    for forbidden in ("<script", "<style", "style=", "<link", "<html"):
        assert forbidden not in snippet


def test_the_publish_page_gives_the_iframe_code_and_the_snippet(
    client, administrator, settings, service_point_with_personal_data
):
    settings.SITE_URL = ""
    client.force_login(administrator)
    page = text(client.get(reverse("public:publish")))
    assert '&lt;iframe src="http://testserver/embed/2401/"' in page
    # The snippet is shown as code to copy, escaped, never as markup.
    assert "&lt;ul lang=&quot;sv&quot;&gt;" in page


def test_the_code_to_paste_names_the_sites_own_address_whatever_host_was_used(
    client, administrator, settings, service_point_with_personal_data
):
    """Like the sign's QR code and the data catalogue: a municipality's website keeps
    the code for years, so it names SITE_URL, not the host the page was opened on."""
    settings.SITE_URL = "https://servicepunkter.example.se/"
    client.force_login(administrator)

    page = text(client.get(reverse("public:publish")))
    snippet = text(client.get(reverse("embed:snippet", kwargs={"code": "2401"})))

    assert '&lt;iframe src="https://servicepunkter.example.se/embed/2401/"' in page
    assert "http://testserver" not in page
    pk = service_point_with_personal_data.outlet.pk
    assert f'href="https://servicepunkter.example.se/service-points/{pk}/"' in snippet


@pytest.mark.parametrize("count", [5, 50])
def test_each_public_page_costs_a_constant_number_of_queries(
    client, nordmaling, django_assert_max_num_queries, count
):
    outlets = [OutletFactory(name=f"Butik {n}") for n in range(count)]
    for outlet in outlets:
        signed_agreement(outlet)
    urls = [
        reverse("public:index"),
        reverse("public:index") + "?q=Butik",
        reverse("public:markers"),
        reverse("public:municipality", kwargs={"code": "2401"}),
        reverse("public:service_point", kwargs={"pk": outlets[0].pk}),
        reverse("embed:list", kwargs={"code": "2401"}),
        reverse("embed:map", kwargs={"code": "2401"}),
        reverse("embed:snippet", kwargs={"code": "2401"}),
    ]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(3):  # cached
            assert client.get(url).status_code == 200


@pytest.mark.smoke
def test_a_visitor_follows_links_from_the_country_to_a_service_point(
    client, service_point_with_personal_data
):
    outlet = service_point_with_personal_data.outlet
    municipality_url = reverse("public:municipality", kwargs={"code": "2401"})
    point_url = reverse("public:service_point", kwargs={"pk": outlet.pk})

    country = text(client.get(reverse("public:index")))
    municipality_page = text(client.get(municipality_url))
    point_page = text(client.get(point_url))

    assert f'href="{municipality_url}"' in country
    assert f'href="{point_url}"' in municipality_page
    assert f'href="{municipality_url}"' in point_page  # the breadcrumbs back
