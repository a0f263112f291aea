"""The window sign and the leaflet, fetched as a visitor and read with real PDF
tools (poppler-utils) and a real QR decoder (zxing-cpp)."""

import datetime
import re
import shutil
import subprocess

import pytest
import zxingcpp
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from agreements.models import Service
from agreements.services.catalogue import DEFAULT_PUBLIC_DESCRIPTIONS
from agreements.tests.factories import AgreementServiceFactory
from followup.tests.factories import signed_agreement
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from public import signs
from public.signs import public_page_url

pytestmark = pytest.mark.django_db

SITE_URL = "https://servicepunkter.nordmaling.se"
POPPLER = ["pdftotext", "pdffonts", "pdfinfo", "pdftoppm"]


@pytest.fixture(autouse=True)
def poppler():
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"These tests need poppler-utils ({', '.join(missing)}).")


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 7, 12), tick=False)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture(autouse=True)
def fresh_cache():
    """Tests roll back what they wrote; the cache of another test's facts must not
    answer for this one's."""
    cache.clear()
    yield
    cache.clear()


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def write(tmp_path, data: bytes, name="document.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def pdf_text(tmp_path, data: bytes) -> str:
    """The document's text with every run of white space one space: large type
    breaks lines where a reader does not."""
    return " ".join(run("pdftotext", write(tmp_path, data), "-").split())


def sign_url(outlet):
    return reverse("signs:sign", kwargs={"pk": outlet.pk})


def leaflet_url(code="2401"):
    return reverse("signs:leaflet", kwargs={"code": code})


def fetched(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response


def service_point(name, *, services=(), **fields):
    outlet = OutletFactory(name=name, **fields)
    agreement = signed_agreement(outlet, starts_on=datetime.date(2026, 1, 1))
    version = agreement.versions.get()
    version.services.all().delete()
    for service_name, description in services:
        service, _ = Service.objects.update_or_create(
            municipality=outlet.municipality,
            name=service_name,
            defaults={"public_description": description},
        )
        AgreementServiceFactory(version=version, service=service)
    return outlet


# What the documents say, and what they never say.


def test_the_sign_shows_the_public_facts_and_services_and_no_personal_data(
    client, tmp_path, service_point_with_personal_data
):
    seeded = service_point_with_personal_data
    text = pdf_text(tmp_path, fetched(client, sign_url(seeded.outlet)).content)

    assert "Här finns en servicepunkt" in text
    for public in seeded.public:
        assert public in text
    for service in ("Kommunal information", "Mötesplats", "Paketutlämning"):
        assert service in text
    assert "Mån–fre 9–19, lör 10–14" in text
    assert "Nordmalings kommun" in text
    assert f"{SITE_URL}/survey/{seeded.outlet.pk}/" in text
    for secret in seeded.secrets:
        assert secret not in text


def test_the_leaflet_lists_the_service_points_and_no_personal_data(
    client, tmp_path, service_point_with_personal_data
):
    seeded = service_point_with_personal_data
    service_point(
        "Handlarn Rundvik",
        municipality=seeded.outlet.municipality,
        street_address="Rundviksvägen 3",
        phone="0930-200 30",
        opening_hours="Alla dagar 8–21",
        services=[("Kontantuttag", "Ta ut kontanter i kassan")],
    )

    text = pdf_text(tmp_path, fetched(client, leaflet_url()).content)

    assert "Nordmalings kommun" in text
    for public in seeded.public + ["Handlarn Rundvik", "Rundviksvägen 3"]:
        assert public in text
    for fact in ("Kommunal information", "Paketutlämning", "Mån–fre 9–19, lör 10–14"):
        assert fact in text
    assert "Ta ut kontanter i kassan" in text
    assert "Alla dagar 8–21" in text
    for secret in seeded.secrets:
        assert secret not in text


def test_the_sign_tells_the_services_in_the_citizens_words(client, tmp_path):
    outlet = service_point(
        "Pers Livs",
        services=[("Paketutlämning", "Hämta och lämna paket")],
    )

    text = pdf_text(tmp_path, fetched(client, sign_url(outlet)).content)

    assert "Hämta och lämna paket" in text
    assert "Paketutlämning" not in text


def test_the_sign_is_in_english_with_english_chosen(client, tmp_path):
    outlet = service_point("Pers Livs", opening_hours="Mon–Fri 9–18")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = pdf_text(tmp_path, fetched(client, sign_url(outlet)).content)

    assert "Here is a service point" in text
    assert "Opening hours" in text
    assert "Nordmaling municipality" in text
    assert "Här finns" not in text


# The QR code.


def decoded_qr_codes(tmp_path, pdf: bytes) -> list[str]:
    prefix = tmp_path / "page"
    run(
        "pdftoppm",
        "-r",
        "150",
        "-png",
        "-singlefile",
        write(tmp_path, pdf),
        str(prefix),
    )
    with Image.open(f"{prefix}.png") as image:
        return [
            barcode.text
            for barcode in zxingcpp.read_barcodes(image)
            if barcode.format == zxingcpp.BarcodeFormat.QRCode
        ]


def test_the_signs_qr_code_leads_to_the_service_points_public_page(client, tmp_path):
    outlet = service_point("Pers Livs")

    codes = decoded_qr_codes(tmp_path, fetched(client, sign_url(outlet)).content)

    assert codes == [public_page_url(pk=outlet.pk, site_url=SITE_URL)]
    assert codes[0] == f"{SITE_URL}/service-points/{outlet.pk}/"


def test_the_qr_code_is_a_vector_drawing_not_an_image(tmp_path):
    svg = signs.qr_code_svg(f"{SITE_URL}/service-points/1/").decode()

    assert svg.startswith("<svg") and "<path" in svg
    assert "<image" not in svg


# PDF/A and the page.


@pytest.fixture
def documents(client, service_point_with_personal_data):
    outlet = service_point_with_personal_data.outlet
    return {
        "sign": fetched(client, sign_url(outlet)).content,
        "leaflet": fetched(client, leaflet_url()).content,
    }


@pytest.mark.parametrize("kind", ["sign", "leaflet"])
def test_the_documents_are_tagged_pdf_a_3a_on_a4(tmp_path, documents, kind):
    path = write(tmp_path, documents[kind])

    metadata = run("pdfinfo", "-meta", path)
    assert re.search(r'pdfaid:part(="|>)3', metadata)
    assert re.search(r'pdfaid:conformance(="|>)A', metadata)
    info = run("pdfinfo", path)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE)


@pytest.mark.parametrize("kind", ["sign", "leaflet"])
def test_every_font_is_embedded_and_is_the_vendored_one(tmp_path, documents, kind):
    rows = run("pdffonts", write(tmp_path, documents[kind])).splitlines()[2:]

    assert rows
    for row in rows:
        name, *_columns, emb, _sub, _uni, _object, _generation = row.split()
        assert emb == "yes", row
        assert "Source-Sans-3" in name, row


def test_a_sign_with_every_service_stays_one_page(client, tmp_path):
    outlet = service_point(
        "Lanthandeln med allt",
        opening_hours="Mån–fre 8–20, lör 9–18, sön 11–17; juli: alla dagar 8–21",
        services=list(DEFAULT_PUBLIC_DESCRIPTIONS.items()),
    )

    pdf = fetched(client, sign_url(outlet)).content

    info = run("pdfinfo", write(tmp_path, pdf))
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = pdf_text(tmp_path, pdf)
    for description in DEFAULT_PUBLIC_DESCRIPTIONS.values():
        assert description in text
    assert decoded_qr_codes(tmp_path, pdf) == [
        f"{SITE_URL}/service-points/{outlet.pk}/"
    ]


def test_a_long_leaflet_runs_onto_numbered_pages(client, tmp_path):
    for number in range(12):
        service_point(
            f"Butik {number:02}", services=list(DEFAULT_PUBLIC_DESCRIPTIONS.items())
        )

    pdf = fetched(client, leaflet_url()).content

    info = run("pdfinfo", write(tmp_path, pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)[1])
    assert pages > 1
    text = pdf_text(tmp_path, pdf)
    assert all(f"Butik {number:02}" in text for number in range(12))
    assert f"Sida {pages} av {pages}" in text


# What is not a service point.


def test_an_outlet_without_an_agreement_in_force_has_no_sign(client):
    outlet = OutletFactory(name="Utan avtal")
    ended = service_point("Upphört")
    ended.agreements.update(ends_on=datetime.date(2026, 12, 6))
    closed = service_point("Stängd")
    Outlet.objects.filter(pk=closed.pk).update(
        status=Outlet.Status.CLOSED, closed_on=datetime.date(2026, 12, 1)
    )

    for gone in (outlet, ended, closed):
        assert client.get(sign_url(gone)).status_code == 404
    assert client.get(reverse("signs:sign", kwargs={"pk": 999_999})).status_code == 404


def test_a_municipality_without_service_points_has_no_leaflet(client):
    service_point("Lanthandeln i Umeå", municipality=municipality("2480"))
    OutletFactory(name="Utan avtal")

    assert client.get(leaflet_url("2401")).status_code == 404
    assert client.get(leaflet_url("9999")).status_code == 404
    assert client.get(leaflet_url("abc")).status_code == 404
    assert client.get(leaflet_url("2480")).status_code == 200


# HTTP: inline, named, dated, cached.


def test_the_sign_opens_in_the_browser_under_an_ascii_name(client):
    outlet = service_point("ICA Lundins Gräsmyr")

    response = fetched(client, sign_url(outlet))

    assert response["Content-Disposition"] == (
        'inline; filename="servicepunkt-ica-lundins-grasmyr.pdf"'
    )
    assert response["X-Frame-Options"] == "DENY"


def test_the_leaflet_is_named_after_the_municipality(client):
    service_point("Pers Livs")

    response = fetched(client, leaflet_url())

    assert response["Content-Disposition"] == (
        'inline; filename="servicepunkter-nordmalings-kommun.pdf"'
    )


@pytest.mark.parametrize("kind", ["sign", "leaflet"])
def test_a_conditional_get_of_an_unchanged_document_gets_304(client, kind):
    outlet = service_point("Pers Livs")
    url = sign_url(outlet) if kind == "sign" else leaflet_url()

    last_modified = fetched(client, url)["Last-Modified"]
    again = client.get(url, headers={"If-Modified-Since": last_modified})

    assert again.status_code == 304
    assert again.content == b""


def test_the_sign_is_rendered_once_and_again_when_a_public_fact_changes(
    client, tmp_path, monkeypatch
):
    outlet = service_point("Pers Livs", opening_hours="Mån–fre 9–18")
    renders = []
    render = signs.html_render_pdf_a3a
    monkeypatch.setattr(
        signs,
        "html_render_pdf_a3a",
        lambda *args, **kwargs: renders.append(1) or render(*args, **kwargs),
    )

    first = fetched(client, sign_url(outlet)).content
    assert fetched(client, sign_url(outlet)).content == first
    assert len(renders) == 1

    Outlet.objects.filter(pk=outlet.pk).update(opening_hours="Alla dagar 7–23")
    changed = fetched(client, sign_url(outlet)).content

    assert len(renders) == 2
    assert "Alla dagar 7–23" in pdf_text(tmp_path, changed)


def test_the_sign_is_not_served_to_a_post(client):
    outlet = service_point("Pers Livs")

    assert client.post(sign_url(outlet)).status_code == 405


# The outlet page's panel.


def test_the_outlet_page_links_a_service_points_sign_and_leaflet(
    client, official, tmp_path
):
    outlet = service_point("Pers Livs")
    client.force_login(official)

    page = client.get(reverse("outlets:outlet_detail", kwargs={"pk": outlet.pk}))

    html = page.content.decode()
    assert "Skylt för fönstret (PDF)" in html
    assert f'href="{sign_url(outlet)}"' in html
    assert f'href="{leaflet_url()}"' in html
    assert "Pers Livs" in pdf_text(tmp_path, fetched(client, sign_url(outlet)).content)


def test_an_outlet_that_is_no_service_point_has_no_sign_panel(client, official):
    outlet = OutletFactory(name="Utan avtal")
    client.force_login(official)

    page = client.get(reverse("outlets:outlet_detail", kwargs={"pk": outlet.pk}))

    assert page.status_code == 200
    assert "Skylt för fönstret" not in page.content.decode()


def test_the_shop_owner_finds_the_sign_on_their_outlets_page(
    client, service_point_with_personal_data
):
    seeded = service_point_with_personal_data
    client.force_login(seeded.owner)

    page = client.get(reverse("outlets:outlet_detail", kwargs={"pk": seeded.outlet.pk}))

    assert f'href="{sign_url(seeded.outlet)}"' in page.content.decode()


def test_without_a_site_url_the_sign_points_to_the_host_it_was_fetched_from(
    client, settings, tmp_path
):
    settings.SITE_URL = ""
    outlet = service_point("Pers Livs")

    pdf = fetched(client, sign_url(outlet)).content

    assert decoded_qr_codes(tmp_path, pdf) == [
        f"http://testserver/service-points/{outlet.pk}/"
    ]
