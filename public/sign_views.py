"""The window sign and the leaflet: public documents, no sign-in.

They hold the facts the public pages show and nothing else, so anyone may fetch
them, the shop that prints its sign and the citizen who follows a link alike. The
bytes are cached by their facts (public/signs.py), and a conditional GET is
answered before anything is rendered.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from core.requests import site_origin
from outlets.models import Municipality
from public.selectors import public_data
from public.signs import (
    leaflet_filename,
    leaflet_pdf,
    sign_filename,
    sign_pdf,
)


def _pdf_response(request, *, last_modified, filename, render):
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, last_modified=timestamp)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(render(), content_type="application/pdf")
    # Inline: the browser shows it, and its own print or save does the rest.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=filename
    )
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    return response


@login_not_required
@require_safe
def sign(request, pk):
    """The window sign of a service point; any other outlet is missing (404)."""
    municipality = Municipality.objects.filter(outlets__pk=pk).first()
    if municipality is None:
        raise Http404
    data = public_data(municipality=municipality)
    point = next((point for point in data.service_points if point.pk == pk), None)
    if point is None:
        raise Http404
    site_url = site_origin(request)
    return _pdf_response(
        request,
        last_modified=data.last_modified,
        filename=sign_filename(point),
        render=lambda: sign_pdf(
            point=point, site_url=site_url, last_modified=data.last_modified
        ),
    )


@login_not_required
@require_safe
def leaflet(request, code):
    """The leaflet of a municipality's service points. A municipality without any
    has no leaflet (404): an empty one would only be printed by mistake."""
    municipality = get_object_or_404(Municipality, code=code)
    data = public_data(municipality=municipality)
    if not data.service_points:
        raise Http404
    site_url = site_origin(request)
    return _pdf_response(
        request,
        last_modified=data.last_modified,
        filename=leaflet_filename(data.service_points[0].municipality_name, code),
        render=lambda: leaflet_pdf(
            code=code,
            service_points=data.service_points,
            site_url=site_url,
            last_modified=data.last_modified,
        ),
    )
