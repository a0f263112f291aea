"""The service points as open data under CC0: GeoJSON, CSV and their description in
DCAT-AP-SE (RDF/XML, what dataportal.se harvests).

Everything here is built from `PublicServicePoint` objects (public.selectors), which
hold public facts only, so no personal field can reach a file. The files are written
in Swedish whatever the visitor's language (kind and agent-role labels, services in
the catalogue's words), so that one scope has one file and one ETag.

GeoJSON follows RFC 7946: a FeatureCollection in WGS 84, positions as [longitude,
latitude], no "crs" member. A service point without a recorded position is still a
Feature, with `"geometry": null` (RFC 7946, section 3.2), so that the GeoJSON and the
CSV list the same service points.

CSV goes through the project's one export writer (core.exporting): UTF-8 with a byte
order mark, semicolons, CRLF, a header row of the English column names below, and a
cell that a spreadsheet would run as a formula prefixed with an apostrophe. Decimals
use a point; dates are ISO 8601; several values in one cell are joined by "; ".
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from xml.etree import ElementTree

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.exporting import csv_bytes

LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_NAME = "CC0 1.0"
VALUE_SEPARATOR = "; "
# RFC 7946, section 11.2: six decimals are about 10 cm, more is noise.
COORDINATE_DECIMALS = 6
DATA_LANGUAGE = "sv"

# The columns of the CSV and the properties of each GeoJSON feature (which carries
# the position as its geometry instead of latitude/longitude), in order, with what
# each holds for the human page.
COLUMNS = (
    ("id", _("The outlet's number in the register; stable for the outlet.")),
    ("name", _("The service point's name.")),
    (
        "kind",
        _(
            "What kind of outlet: grocery_full, grocery, fuel, agent or other "
            "(stable identifiers)."
        ),
    ),
    ("kind_label", _("The kind in words (Swedish).")),
    ("chain", _("The chain the shop belongs to, if any.")),
    ("street_address", _("Street address.")),
    ("postcode", _("Postcode.")),
    ("town", _("Post town.")),
    ("municipality_code", _("The municipality's four-digit code (kommunkod).")),
    ("municipality", _("The municipality's name.")),
    ("county", _("The county's name.")),
    ("latitude", _("Latitude in WGS 84 (decimal degrees); empty when unknown.")),
    ("longitude", _("Longitude in WGS 84 (decimal degrees); empty when unknown.")),
    ("opening_hours", _("Opening hours as the shop states them.")),
    ("phone", _("The shop's public phone number.")),
    (
        "services",
        _(
            "The services the municipality agreed with the shop, in citizens' "
            'words; in the CSV separated by "; ", in GeoJSON a list.'
        ),
    ),
    (
        "agent_roles",
        _(
            "The shop's agent roles (e.g. Systembolaget, PostNord); in the CSV "
            'separated by "; ", in GeoJSON a list.'
        ),
    ),
    (
        "in_force_since",
        _("The day the service-point agreement came into force (YYYY-MM-DD)."),
    ),
)
COLUMN_NAMES = tuple(name for name, _description in COLUMNS)
POSITION_COLUMNS = ("latitude", "longitude")


@dataclass(frozen=True)
class DataFile:
    """One open-data file: its bytes, media type and what conditional GETs need."""

    content: bytes
    content_type: str
    last_modified: datetime.datetime | None

    @property
    def etag(self) -> str:
        """A strong validator from the bytes: it changes with any change, even
        within the second that Last-Modified cannot tell apart."""
        return '"' + hashlib.sha256(self.content).hexdigest()[:32] + '"'


def _record(point) -> dict:
    """A service point's open-data fields, in COLUMNS order."""
    latitude = longitude = None
    if point.has_position:
        latitude = round(point.latitude, COORDINATE_DECIMALS)
        longitude = round(point.longitude, COORDINATE_DECIMALS)
    return {
        "id": point.pk,
        "name": point.name,
        "kind": point.kind,
        "kind_label": point.kind_label,
        "chain": point.chain,
        "street_address": point.street_address,
        "postcode": point.postcode,
        "town": point.town,
        "municipality_code": point.municipality_code,
        "municipality": point.municipality_name,
        "county": point.county_name,
        "latitude": latitude,
        "longitude": longitude,
        "opening_hours": point.opening_hours,
        "phone": point.phone,
        "services": list(point.services),
        "agent_roles": list(point.agent_roles),
        "in_force_since": point.in_force_since.isoformat(),
    }


def service_points_geojson(data) -> DataFile:
    """The service points of a `PublicData` as an RFC 7946 FeatureCollection."""
    features = []
    for point in data.service_points:
        record = _record(point)
        longitude, latitude = record.pop("longitude"), record.pop("latitude")
        features.append(
            {
                "type": "Feature",
                "id": point.pk,
                "geometry": (
                    {"type": "Point", "coordinates": [longitude, latitude]}
                    if latitude is not None
                    else None
                ),
                "properties": record,
            }
        )
    content = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return DataFile(content, "application/geo+json", data.last_modified)


def service_points_csv(data) -> DataFile:
    """The service points of a `PublicData` as CSV, one row each, COLUMNS heading."""
    rows = []
    for point in data.service_points:
        record = _record(point)
        record["services"] = VALUE_SEPARATOR.join(record["services"])
        record["agent_roles"] = VALUE_SEPARATOR.join(record["agent_roles"])
        rows.append([record[name] for name in COLUMN_NAMES])
    return DataFile(
        csv_bytes(COLUMN_NAMES, rows),
        "text/csv; charset=utf-8; header=present",
        data.last_modified,
    )


# DCAT-AP-SE, the Swedish profile of DCAT-AP (docs.dataportal.se/dcat): the
# catalogue's title, description, publisher and dataset; the dataset's title,
# description and publisher; the distribution's accessURL; the agent's name are
# required. The rest is what the profile recommends.
NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
XSD = "http://www.w3.org/2001/XMLSchema#"
EU = "http://publications.europa.eu/resource/authority/"
SWEDEN = "http://sws.geonames.org/2661886/"
THEMES = (EU + "data-theme/REGI", EU + "data-theme/GOVE")
FREQUENCY = EU + "frequency/IRREG"
LANGUAGE = EU + "language/SWE"
LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
FORMATS = {
    "geojson": (
        EU + "file-type/GEOJSON",
        "https://www.iana.org/assignments/media-types/application/geo+json",
    ),
    "csv": (
        EU + "file-type/CSV",
        "https://www.iana.org/assignments/media-types/text/csv",
    ),
}
LANGUAGES = ("sv", "en")
SERVICE_NAME = "Servicepunkter"

for _prefix, _uri in NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)


def _qname(name):
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


class _Graph:
    """RDF/XML written with ElementTree: every text escaped by construction."""

    def __init__(self):
        self.root = ElementTree.Element(_qname("rdf:RDF"))

    def node(self, kind, about):
        return ElementTree.SubElement(
            self.root, _qname(kind), {_qname("rdf:about"): about}
        )

    @staticmethod
    def link(node, name, resource):
        ElementTree.SubElement(node, _qname(name), {_qname("rdf:resource"): resource})

    @staticmethod
    def literal(node, name, text, *, language=None, datatype=None):
        attributes = {}
        if language:
            attributes["{http://www.w3.org/XML/1998/namespace}lang"] = language
        if datatype:
            attributes[_qname("rdf:datatype")] = XSD + datatype
        ElementTree.SubElement(node, _qname(name), attributes).text = text

    def translated(self, node, name, text):
        """The lazy `text` once in each language, tagged with it."""
        for language in LANGUAGES:
            with translation.override(language):
                self.literal(node, name, str(text), language=language)

    def bytes(self):
        return ElementTree.tostring(self.root, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class CatalogUrls:
    """The absolute addresses the description points to, for one scope."""

    catalog: str
    page: str
    geojson: str
    csv: str


def service_points_dcat(
    *,
    municipality,
    last_modified: datetime.datetime | None,
    urls: CatalogUrls,
    contact_email: str = "",
) -> DataFile:
    """The DCAT-AP-SE description of the service points of `municipality` (every
    municipality's when None): a catalogue with one dataset in two distributions,
    GeoJSON and CSV, under CC0. The publisher is the municipality, or the service
    for every municipality's. The contact point is the publisher itself, with a
    functional e-mail address when one is configured: never a person."""
    graph = _Graph()
    publisher_uri = urls.catalog + "#publisher"
    dataset_uri = urls.catalog + "#dataset"
    contact_uri = urls.catalog + "#contact"
    if municipality is None:
        publisher_name = SERVICE_NAME
        title = _("Service points in Sweden's rural areas")
        description = _(
            "The shops and petrol stations that have an agreement with their "
            "municipality to serve as a service point today, in every municipality "
            "using Servicepunkter: name, address, position, opening hours, the "
            "shop's public phone and the services it offers. No personal data. "
            "Licence: CC0 1.0 (public domain)."
        )
    else:
        with translation.override(DATA_LANGUAGE):
            publisher_name = str(municipality)
        title = _LazyFormat(
            _("Service points in %(municipality)s"), municipality=municipality
        )
        description = _LazyFormat(
            _(
                "The shops and petrol stations that have an agreement with "
                "%(municipality)s to serve as a service point today: name, address, "
                "position, opening hours, the shop's public phone and the services "
                "it offers. No personal data. Licence: CC0 1.0 (public domain)."
            ),
            municipality=municipality,
        )

    catalog = graph.node("dcat:Catalog", urls.catalog)
    graph.translated(catalog, "dcterms:title", title)
    graph.translated(catalog, "dcterms:description", description)
    graph.link(catalog, "dcterms:publisher", publisher_uri)
    graph.link(catalog, "dcterms:license", LICENSE_URL)
    graph.link(catalog, "foaf:homepage", urls.page)
    graph.link(catalog, "dcterms:language", LANGUAGE)
    graph.link(catalog, "dcat:themeTaxonomy", EU + "data-theme")
    if last_modified:
        graph.literal(
            catalog, "dcterms:modified", _datetime(last_modified), datatype="dateTime"
        )
    graph.link(catalog, "dcat:dataset", dataset_uri)

    publisher = graph.node("foaf:Agent", publisher_uri)
    graph.literal(publisher, "foaf:name", publisher_name)
    if municipality is not None:
        graph.link(publisher, "dcterms:type", LOCAL_AUTHORITY)

    dataset = graph.node("dcat:Dataset", dataset_uri)
    graph.translated(dataset, "dcterms:title", title)
    graph.translated(dataset, "dcterms:description", description)
    graph.link(dataset, "dcterms:publisher", publisher_uri)
    graph.link(dataset, "dcat:contactPoint", contact_uri)
    for theme in THEMES:
        graph.link(dataset, "dcat:theme", theme)
    for keyword in (_("service point"), _("rural shop"), _("municipal service")):
        graph.translated(dataset, "dcat:keyword", keyword)
    graph.link(dataset, "dcterms:spatial", SWEDEN)
    if municipality is not None:
        area_uri = urls.catalog + "#area"
        graph.link(dataset, "dcterms:spatial", area_uri)
    graph.link(dataset, "dcterms:language", LANGUAGE)
    graph.link(dataset, "dcterms:accrualPeriodicity", FREQUENCY)
    graph.link(dataset, "dcterms:accessRights", EU + "access-right/PUBLIC")
    graph.link(dataset, "dcat:landingPage", urls.page)
    if last_modified:
        graph.literal(
            dataset, "dcterms:modified", _datetime(last_modified), datatype="dateTime"
        )
    for key in ("geojson", "csv"):
        graph.link(dataset, "dcat:distribution", urls.catalog + "#" + key)

    contact = graph.node("vcard:Organization", contact_uri)
    graph.literal(contact, "vcard:fn", publisher_name)
    if contact_email:
        graph.link(contact, "vcard:hasEmail", "mailto:" + contact_email)
    graph.link(contact, "vcard:hasURL", urls.page)

    if municipality is not None:
        area = graph.node("dcterms:Location", area_uri)
        graph.literal(area, "skos:prefLabel", publisher_name, language="sv")
        graph.literal(area, "dcterms:identifier", municipality.code)

    distributions = {
        "geojson": (_("The service points as GeoJSON"), urls.geojson),
        "csv": (_("The service points as CSV"), urls.csv),
    }
    for key, (distribution_title, url) in distributions.items():
        file_type, media_type = FORMATS[key]
        distribution = graph.node("dcat:Distribution", urls.catalog + "#" + key)
        graph.translated(distribution, "dcterms:title", distribution_title)
        graph.link(distribution, "dcat:accessURL", url)
        graph.link(distribution, "dcat:downloadURL", url)
        graph.link(distribution, "dcterms:format", file_type)
        graph.link(distribution, "dcat:mediaType", media_type)
        graph.link(distribution, "dcterms:license", LICENSE_URL)
        if last_modified:
            graph.literal(
                distribution,
                "dcterms:modified",
                _datetime(last_modified),
                datatype="dateTime",
            )

    return DataFile(graph.bytes(), "application/rdf+xml; charset=utf-8", last_modified)


class _LazyFormat:
    """A lazy translatable text with its %(name)s filled in, each value in the
    language active when it is made a string (a municipality's name is one)."""

    def __init__(self, text, **values):
        self.text, self.values = text, values

    def __str__(self):
        return str(self.text) % {
            name: str(value) for name, value in self.values.items()
        }


def _datetime(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
