"""The window sign and the leaflet (Swedish: *skylt*, *broschyr*): A4 PDF/A-3a made
from the public facts only (`public.selectors` objects, never a model instance), by
the pipeline the agreements and the annual report share.

A render takes a few tenths of a second, so the bytes are cached under a key made
of the very facts they show: a change of any of them is a new key, never a stale
sign.
"""

import datetime
import hashlib
import io

import segno
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from core.documents import css_string, html_render_pdf_a3a, page_counter_content
from public.selectors import PublicServicePoint

SIGN_TEMPLATE = "public/sign.html"
LEAFLET_TEMPLATE = "public/leaflet.html"
CACHE_SECONDS = 24 * 60 * 60
# The QR code is served to the renderer as if it were a static file of this name.
QR_CODE_NAME = "generated/qr-code.svg"
# The type of the sign's services, largest first, and the most services each size
# is tried with; a sign that still runs onto a second page (long descriptions) is
# made again a size smaller: a sign is one page.
SIGN_SERVICE_SIZES = (
    ("large", 5),
    ("medium", 7),
    ("small", 10),
    ("smaller", 13),
    ("smallest", None),
)


def _url(site_url: str, name: str, kwargs: dict) -> str:
    return site_url.rstrip("/") + reverse(name, kwargs=kwargs)


def public_page_url(*, pk: int, site_url: str) -> str:
    """The service point's public page: where its sign's QR code leads."""
    return _url(site_url, "public:service_point", {"pk": pk})


def survey_url(*, pk: int, site_url: str) -> str:
    """The service point's customer survey (Swedish: *kundenkät*)."""
    return _url(site_url, "surveys:answer", {"pk": pk})


def municipality_page_url(*, code: str, site_url: str) -> str:
    return _url(site_url, "public:municipality", {"code": code})


def qr_code_svg(url: str) -> bytes:
    """The URL as a QR code in SVG (vector: sharp at any print size), with the
    quiet zone of four modules the standard asks for, sized by the stylesheet."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", border=4, xmldecl=False, omitsize=True, dark="#000"
    )
    return out.getvalue()


def sign_filename(point: PublicServicePoint) -> str:
    """'servicepunkt-sigrids-lanthandel.pdf': ASCII only, whatever the name."""
    return f"servicepunkt-{slugify(point.name) or point.pk}.pdf"


def leaflet_filename(municipality_name: str, code: str) -> str:
    return f"servicepunkter-{slugify(municipality_name) or code}.pdf"


def _created(last_modified: datetime.datetime | None) -> datetime.datetime:
    """The document's date: when its facts last changed, so that the same facts give
    the same bytes."""
    return last_modified or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _cached(kind: str, facts, render) -> bytes:
    """The bytes of `render()`, cached under a digest of everything they show."""
    digest = hashlib.sha256(repr((facts, get_language())).encode()).hexdigest()
    key = f"public-documents:{kind}:{digest}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def sign_render_pdf(
    *,
    point: PublicServicePoint,
    site_url: str,
    last_modified: datetime.datetime | None,
) -> bytes:
    """The window sign (A4 portrait, in the active language): "Här finns en
    servicepunkt", the symbol, the services, the opening hours, the municipality
    and a QR code to the service point's public page."""
    page_url = public_page_url(pk=point.pk, site_url=site_url)
    files = {QR_CODE_NAME: (qr_code_svg(page_url), "image/svg+xml")}
    sizes = [
        size
        for size, most in SIGN_SERVICE_SIZES
        if most is None or len(point.services) <= most
    ]
    for size in sizes:
        html = render_to_string(
            SIGN_TEMPLATE,
            {
                "point": point,
                "language": get_language() or settings.LANGUAGE_CODE,
                "page_url": page_url,
                "survey_url": survey_url(pk=point.pk, site_url=site_url),
                "qr_code": QR_CODE_NAME,
                "services_size": size,
            },
        )
        pdf = html_render_pdf_a3a(html, created=_created(last_modified), files=files)
        if pdf_page_count(pdf) == 1:
            break
    return pdf


def pdf_page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def sign_pdf(
    *,
    point: PublicServicePoint,
    site_url: str,
    last_modified: datetime.datetime | None,
) -> bytes:
    """The window sign, rendered once per set of facts and language."""
    return _cached(
        "sign",
        (point, site_url, last_modified),
        lambda: sign_render_pdf(
            point=point, site_url=site_url, last_modified=last_modified
        ),
    )


def leaflet_render_pdf(
    *,
    code: str,
    service_points: tuple[PublicServicePoint, ...],
    site_url: str,
    last_modified: datetime.datetime | None,
) -> bytes:
    """The leaflet (A4, as many pages as it takes, in the active language): every
    service point of the municipality with its address, phone, opening hours and
    services."""
    municipality_name = service_points[0].municipality_name
    html = render_to_string(
        LEAFLET_TEMPLATE,
        {
            "municipality_name": municipality_name,
            "service_points": service_points,
            "language": get_language() or settings.LANGUAGE_CODE,
            "page_url": municipality_page_url(code=code, site_url=site_url),
            "footer_reference": css_string(
                _("Service points in %(municipality)s")
                % {"municipality": municipality_name}
            ),
            "page_counter": page_counter_content(),
        },
    )
    return html_render_pdf_a3a(html, created=_created(last_modified))


def leaflet_pdf(
    *,
    code: str,
    service_points: tuple[PublicServicePoint, ...],
    site_url: str,
    last_modified: datetime.datetime | None,
) -> bytes:
    """The leaflet, rendered once per set of facts and language."""
    return _cached(
        "leaflet",
        (code, service_points, site_url, last_modified),
        lambda: leaflet_render_pdf(
            code=code,
            service_points=service_points,
            site_url=site_url,
            last_modified=last_modified,
        ),
    )
