"""The project's URLs and a local tile server for the map's browser tests.

Any /test-tiles/<z>/<x>/<y>.png is a 256×256 PNG showing its own address, so a test
sets MAP_TILE_URL to "/test-tiles/{z}/{x}/{y}.png" and needs no network. Every tile
served is listed in `served`."""

import io
from functools import lru_cache

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from PIL import Image, ImageDraw

from servicepunkter.urls import urlpatterns as project_urlpatterns

TILE_URL = "/test-tiles/{z}/{x}/{y}.png"

served = []


@lru_cache(maxsize=256)
def tile_png(z, x, y):
    """A pale tile with its border and its z/x/y, as PNG bytes."""
    image = Image.new("RGB", (256, 256), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(200, 192, 176))
    draw.line((0, 128, 255, 128), fill=(214, 226, 236), width=6)
    draw.text((8, 8), f"{z}/{x}/{y}", fill=(120, 112, 96))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@login_not_required
def tile(request, z, x, y):
    served.append((z, x, y))
    return HttpResponse(tile_png(z, x, y), content_type="image/png")


urlpatterns = [
    path("test-tiles/<int:z>/<int:x>/<int:y>.png", tile),
    *project_urlpatterns,
]
