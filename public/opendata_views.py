"""The open data, for everyone without signing in: the service points as GeoJSON and
CSV, their DCAT-AP-SE description, and a page saying what they hold.

The files answer conditional GETs: Last-Modified is when the public data last
changed (public.selectors), and the ETag is a hash of the bytes, which also tells
apart two changes within one second (an HTTP date has no finer resolution; a client
sending If-None-Match is judged by it alone, RFC 9110 section 13.2.2).
"""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.requests import site_origin
from outlets.models import Municipality
from public.opendata import (
    COLUMNS,
    DATA_LANGUAGE,
    LICENSE_NAME,
    LICENSE_URL,
    CatalogUrls,
    service_points_csv,
    service_points_dcat,
    service_points_geojson,
)
from public.selectors import public_data, public_summary
from statements.models import StatementSettings

# Public facts: shared caches may keep them a few minutes.
CACHE_SECONDS = 300
MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")


class _Refusal(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def _municipality(request) -> Municipality | None:
    """The municipality named by `?municipality=`, None for every municipality."""
    code = request.GET.get("municipality", "").strip()
    if not code:
        return None
    if not MUNICIPALITY_CODE.fullmatch(code):
        raise _Refusal(
            400,
            _(
                "The municipality is given by its four-digit code, for example "
                "?municipality=2401 for Nordmaling."
            ),
        )
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise _Refusal(
            404, _("There is no municipality with the code %(code)s.") % {"code": code}
        )
    return municipality


def _refused(refusal):
    return HttpResponse(
        refusal.message + "\n",
        status=refusal.status,
        content_type="text/plain; charset=utf-8",
    )


def _served(request, data_file, filename, *, attachment=False):
    """The file with its validators, caching and licence, or 304 when the client's
    copy is current."""
    response = HttpResponse(data_file.content, content_type=data_file.content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = data_file.etag
    last_modified = None
    if data_file.last_modified:
        last_modified = int(data_file.last_modified.timestamp())
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    # Open data: any site's script may read it (no credentials are involved).
    response["Access-Control-Allow-Origin"] = "*"
    return get_conditional_response(
        request, etag=data_file.etag, last_modified=last_modified, response=response
    )


def _data_view(build, extension, *, attachment=False):
    @login_not_required
    @require_safe
    def view(request):
        try:
            municipality = _municipality(request)
        except _Refusal as refusal:
            return _refused(refusal)
        # One language for the files, whatever the visitor's: one file, one ETag.
        with translation.override(DATA_LANGUAGE):
            data_file = build(public_data(municipality=municipality))
        name = "servicepunkter" + (f"-{municipality.code}" if municipality else "")
        return _served(request, data_file, f"{name}.{extension}", attachment=attachment)

    return view


service_points_geojson_view = _data_view(service_points_geojson, "geojson")
service_points_csv_view = _data_view(service_points_csv, "csv", attachment=True)


def _absolute(request, path):
    return site_origin(request) + path


def _scoped(request, name, municipality):
    query = f"?{urlencode({'municipality': municipality.code})}" if municipality else ""
    return _absolute(request, reverse(name) + query)


def _contact_email(municipality) -> str:
    """Whom to ask about the data (DCAT-AP-SE requires an e-mail of the contact
    point): the municipality's programme address from its contacts for the
    statements, else the service's (OPEN_DATA_CONTACT_EMAIL). A functional address,
    never a person's account."""
    if municipality is not None:
        found = StatementSettings.for_municipality(municipality).programme_email
        if found:
            return found
    return settings.OPEN_DATA_CONTACT_EMAIL


@login_not_required
@require_safe
def catalog_view(request):
    """The DCAT-AP-SE description (RDF/XML) of the service points of one
    municipality or of all: what dataportal.se harvests."""
    try:
        municipality = _municipality(request)
    except _Refusal as refusal:
        return _refused(refusal)
    with translation.override(DATA_LANGUAGE):
        last_modified = public_data(municipality=municipality).last_modified
    data_file = service_points_dcat(
        municipality=municipality,
        last_modified=last_modified,
        urls=CatalogUrls(
            catalog=_scoped(request, "opendata:dcat", municipality),
            page=_absolute(request, reverse("opendata:index")),
            geojson=_scoped(request, "opendata:geojson", municipality),
            csv=_scoped(request, "opendata:csv", municipality),
        ),
        contact_email=_contact_email(municipality),
    )
    name = "servicepunkter" + (f"-{municipality.code}" if municipality else "")
    return _served(request, data_file, f"{name}.rdf")


@login_not_required
@require_safe
def index(request):
    """What the open data holds, under which licence, and where to get it: every
    municipality's service points together and each municipality's on its own."""
    summary = public_summary()
    scopes = [
        {"name": _("Every municipality"), "count": summary["total"], "query": ""}
    ] + [
        {
            "name": scope["name"],
            "count": scope["count"],
            "query": "?" + urlencode({"municipality": scope["code"]}),
        }
        for scope in summary["municipalities"]
    ]
    return render(
        request,
        "public/opendata/index.html",
        {
            "scopes": scopes,
            "columns": COLUMNS,
            "license_url": LICENSE_URL,
            "license_name": LICENSE_NAME,
            "last_modified": summary["last_modified"],
            "cache_minutes": CACHE_SECONDS // 60,
        },
    )
