"""The public pages (no sign-in) and the embeds a municipality puts on its website.

Every page is built from `public.selectors` only: what reaches a template is a
`PublicServicePoint`, which holds public facts and nothing else.

Caching: the data is cached server-side by the selector (one query when cached). The
pages themselves are `private`: base.html's language form holds a CSRF token, which
is per visitor, so a shared cache must not keep them. The embeds and the markers
JSON hold nothing per visitor and may be kept by any cache for five minutes.
"""

import json
import re
from itertools import islice

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from core.requests import site_origin
from outlets.maps import map_data
from outlets.models import Municipality
from public.selectors import (
    public_data,
    public_data_version,
    public_service_point,
    public_summary,
)

CACHE_SECONDS = 300
# What is derived from the public data is cached under its version: as long as it.
CACHE_SECONDS_DERIVED = 24 * 60 * 60
# A search by place name shows at most this many service points: refine to see others.
SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 100


def _private_page(request, response):
    """A page for one visitor's browser only (its language form holds a CSRF
    token); a signed-in person's (their name in the header) is never stored
    (servicepunkter.middleware.NoStoreMiddleware)."""
    patch_vary_headers(response, ("Cookie",))
    if not request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response


def _shared(response, last_modified=None):
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def _marker(point):
    return {
        "lat": point.latitude,
        "lng": point.longitude,
        "name": point.name,
        "url": reverse("public:service_point", kwargs={"pk": point.pk}),
        "category": point.kind,
        "closed": False,
        "label": point.kind_label,
    }


def _matches(point, words):
    text = " ".join(
        (point.name, point.town, point.street_address, point.municipality_name)
    ).casefold()
    return all(word in text for word in words)


def _search(query):
    """The first service points whose name or place has every word of the query,
    and how many more there are."""
    words = query.casefold().split()
    matches = (p for p in public_data().service_points if _matches(p, words))
    found = list(islice(matches, SEARCH_LIMIT))
    return found, sum(1 for _ in matches)


@login_not_required
@require_safe
def index(request):
    """Every service point in the country: a map (markers from `markers`) and,
    without the map, the municipalities with service points and a search."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    found, more = _search(query) if query else (None, 0)
    response = render(
        request,
        "public/index.html",
        public_summary()
        | {
            "query": query,
            "found": found,
            "more": more,
            "map_data": map_data([], max_zoom=12)
            | {"source": reverse("public:markers")},
            "footer_municipality": None,
        },
    )
    return _private_page(request, response)


@login_not_required
@require_safe
def markers(request):
    """The map's markers for the whole country, compact: [id, lat, lng, name]."""
    key = "public-markers:" + public_data_version()
    found = cache.get(key)
    if found is None:
        data = public_data()
        body = json.dumps(
            {
                "url": reverse("public:service_point", kwargs={"pk": 0}),
                "points": [
                    [point.pk, point.latitude, point.longitude, point.name]
                    for point in data.service_points
                    if point.has_position
                ],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        found = (body, data.last_modified)
        cache.set(key, found, CACHE_SECONDS_DERIVED)
    body, last_modified = found
    return _shared(HttpResponse(body, content_type="application/json"), last_modified)


def _municipality(code):
    if not re.fullmatch(r"[0-9]{4}", code):
        raise Http404
    return get_object_or_404(Municipality.objects.select_related("county"), code=code)


@login_not_required
@require_safe
def municipality(request, code):
    """One municipality's service points: a map and the list with every fact."""
    place = _municipality(code)
    points = public_data(municipality=place).service_points
    response = render(
        request,
        "public/municipality.html",
        {
            "municipality": place,
            "points": points,
            "map_data": map_data(
                [_marker(point) for point in points if point.has_position]
            ),
            "leaflet_url": reverse("signs:leaflet", kwargs={"code": place.code}),
            "footer_municipality": place,
        },
    )
    return _private_page(request, response)


@login_not_required
@require_safe
def service_point(request, pk):
    """One service point: what it offers, when, where, and how to get there."""
    point = public_service_point(pk)
    if point is None:
        raise Http404
    place = Municipality.objects.filter(code=point.municipality_code).first()
    lat, lng = point.latitude, point.longitude
    response = render(
        request,
        "public/service_point.html",
        {
            "point": point,
            "geo_uri": f"geo:{lat:.6f},{lng:.6f}" if point.has_position else "",
            "osm_url": (
                f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lng:.6f}"
                f"#map=16/{lat:.6f}/{lng:.6f}"
                if point.has_position
                else ""
            ),
            "map_data": map_data([_marker(point)] if point.has_position else []),
            "survey_url": reverse("surveys:answer", kwargs={"pk": point.pk}),
            "sign_url": reverse("signs:sign", kwargs={"pk": point.pk}),
            "footer_municipality": place,
        },
    )
    return _private_page(request, response)


@require_safe
def publish(request):
    """For a municipality's staff: the code that shows its service points on its own
    website, an iframe or a plain HTML snippet."""
    if not request.user.reads_all_base_data:
        raise PermissionDenied
    code = request.GET.get("municipality") or getattr(
        request.user.municipality, "code", ""
    )
    place = Municipality.objects.filter(code=code).first() if code else None
    context = {
        "municipalities": Municipality.objects.order_by("name").only("code", "name"),
        "municipality": place,
    }
    if place:
        origin = site_origin(request)
        context |= {
            "list_url": origin + reverse("embed:list", kwargs={"code": place.code}),
            "map_url": origin + reverse("embed:map", kwargs={"code": place.code}),
            "snippet_url": origin
            + reverse("embed:snippet", kwargs={"code": place.code}),
            "snippet": _snippet(request, place, "sv"),
        }
    return render(request, "public/publish.html", context)


# The embeds: only these pages may be framed. They hold no form, no session and
# nothing per visitor, so a framing site has nothing to make anyone click: any site
# may frame them (`frame-ancestors *`: http and https pages, not data: or blob:).
embeddable = csp_replace({"frame-ancestors": ["*"]})


def _embed_language(request):
    """The municipality's page chooses: Swedish unless ?lang=en (never a cookie:
    a third-party frame may not send ours)."""
    return "en" if request.GET.get("lang") == "en" else "sv"


def _embed(request, code, template, **extra):
    place = _municipality(code)
    language = _embed_language(request)
    with translation.override(language):
        data = public_data(municipality=place)
        context = {
            "municipality": place,
            "points": data.service_points,
            "language": language,
        } | {key: value(data) for key, value in extra.items()}
        response = HttpResponse(render_to_string(template, context, request=request))
    response["Content-Language"] = language
    return _shared(response, data.last_modified)


@login_not_required
@require_safe
@xframe_options_exempt
@embeddable
def embed_list(request, code):
    """The municipality's service points as a page for an iframe."""
    return _embed(request, code, "public/embed_list.html")


@login_not_required
@require_safe
@xframe_options_exempt
@embeddable
def embed_map(request, code):
    """The municipality's service points on a map, for an iframe."""
    return _embed(
        request,
        code,
        "public/embed_map.html",
        map_data=lambda data: (
            map_data(
                [_marker(point) for point in data.service_points if point.has_position]
            )
            | {"newTab": True}
        ),
    )


def _snippet(request, place, language):
    with translation.override(language):
        points = public_data(municipality=place).service_points
        return render_to_string(
            "public/embed_snippet.html",
            {
                "points": points,
                "origin": site_origin(request),
                "language": language,
            },
        )


@login_not_required
@require_safe
@xframe_options_exempt
@embeddable
def embed_snippet(request, code):
    """The municipality's service points as a plain HTML fragment to paste into its
    website: a list of links, no script, no style."""
    place = _municipality(code)
    language = _embed_language(request)
    response = HttpResponse(
        _snippet(request, place, language), content_type="text/html; charset=utf-8"
    )
    response["Content-Language"] = language
    return _shared(response)
