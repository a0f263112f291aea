"""Rendering HTML to PDF/A-3a: the pipeline the agreement document and the annual
report share. The static directory is the only source of files, and the same HTML
gives the same bytes."""

import datetime
import mimetypes
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

STATIC_DIR = Path(settings.BASE_DIR) / "static"

# SOURCE_DATE_EPOCH is process-wide; renders take turns while it is set.
_render_lock = threading.Lock()


class StaticFileFetcher(URLFetcher):
    """Reads the document's stylesheet, fonts and images from the static directory.

    Nothing is fetched over the network, and a missing file stops the rendering
    rather than silently changing the document.
    """

    def __init__(self):
        super().__init__(fail_on_errors=True)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"Documents only use static files, not {url}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(STATIC_DIR.resolve()) or not path.is_file():
            raise ValueError(f"Not a static file: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, path.read_bytes(), headers={"Content-Type": content_type}
        )


def css_string(text: str) -> str:
    """A CSS string literal holding `text`, safe inside a <style> element: no
    quote, line break or angle bracket of the text ends the string or the element
    (a reference or name holding "</style><b>" stays text)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\A ")
        .replace("\r", "\\D ")
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
    )
    return f'"{escaped}"'


def page_counter_content() -> str:
    """'Sida 2 av 5' as a CSS `content` value, in the active language."""
    marker = "\x00"
    label = _("Page %(page)s of %(pages)s") % {"page": marker, "pages": marker}
    before, middle, after = (label.split(marker) + ["", "", ""])[:3]
    return " ".join(
        [
            css_string(before),
            "counter(page)",
            css_string(middle),
            "counter(pages)",
            css_string(after),
        ]
    )


def municipality_logo(municipality) -> str | None:
    """The logo's path relative to the static directory, if there is one.

    A municipality's own logo is `static/img/municipalities/<code>.svg` (or .png);
    until one is vendored, the programme's mark stands in.
    """
    for suffix in ("svg", "png"):
        name = f"img/municipalities/{municipality.code}.{suffix}"
        if (STATIC_DIR / name).is_file():
            return name
    return "img/favicon.svg"


def html_render_pdf_a3a(
    html: str, *, created: datetime.datetime, attachments=()
) -> bytes:
    """HTML to PDF/A-3a with the static directory as its only source of files,
    dated `created` (SOURCE_DATE_EPOCH): the same HTML gives the same bytes."""
    base_url = path2url(str(STATIC_DIR)).rstrip("/") + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFileFetcher())
    with _render_lock:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(created.timestamp()))
        try:
            return document.write_pdf(
                pdf_variant="pdf/a-3a", attachments=list(attachments)
            )
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous
