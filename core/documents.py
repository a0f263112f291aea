"""Rendering HTML to PDF/A-3a: the pipeline the agreement document and the annual
report share. The static directory is the only source of files, and the same HTML
gives the same bytes. And storing documents so that a rolled-back transaction
leaves none behind."""

import datetime
import mimetypes
import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

STATIC_DIR = Path(settings.BASE_DIR) / "static"

# SOURCE_DATE_EPOCH is process-wide; renders take turns while it is set.
_render_lock = threading.Lock()


class StaticFileFetcher(URLFetcher):
    """Reads the document's stylesheet, fonts and images from the static directory.

    Nothing is fetched over the network, and a missing file stops the rendering
    rather than silently changing the document. `files` maps names to
    (content, content type) served in place of static files of those names.
    """

    def __init__(self, files=None):
        super().__init__(fail_on_errors=True)
        self.files = {
            path2url(str(STATIC_DIR / name)): file
            for name, file in (files or {}).items()
        }

    def fetch(self, url, headers=None):
        if url in self.files:
            content, content_type = self.files[url]
            return URLFetcherResponse(
                url, content, headers={"Content-Type": content_type}
            )
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
    html: str, *, created: datetime.datetime, attachments=(), files=None
) -> bytes:
    """HTML to PDF/A-3a with the static directory as its only source of files,
    dated `created` (SOURCE_DATE_EPOCH): the same HTML gives the same bytes.
    `files` are served besides the static ones (see StaticFileFetcher)."""
    base_url = path2url(str(STATIC_DIR)).rstrip("/") + "/"
    document = HTML(
        string=html, base_url=base_url, url_fetcher=StaticFileFetcher(files)
    )
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


def image_render_pdf_a3a(
    image: bytes, *, content_type: str, title: str, alt: str, created
) -> bytes:
    """A one-page A4 PDF/A-3a showing `image` (JPEG or PNG) as large as fits."""
    name = "upload/image." + content_type.rsplit("/", 1)[-1]
    html = format_html(
        '<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8">'
        "<title>{}</title><style>@page {{ size: A4; margin: 10mm }} "
        "html, body {{ margin: 0; height: 100% }} "
        "img {{ display: block; margin: auto; max-width: 100%; max-height: 100%; "
        "object-fit: contain }}</style></head>"
        '<body><img src="{}" alt="{}"></body></html>',
        get_language() or settings.LANGUAGE_CODE,
        title,
        name,
        alt,
    )
    return html_render_pdf_a3a(
        html, created=created, files={name: (image, content_type)}
    )


# The files stored in the innermost files_removed_on_rollback() block.
_stored_files: ContextVar[list | None] = ContextVar("stored_files", default=None)


@contextmanager
def files_removed_on_rollback(using=None):
    """An atomic block whose stored files go if it rolls back.

    Files saved with `stored_file_save` inside it are deleted when the block rolls
    back, not when it commits and a commit hook fails afterwards. Nested in another
    such block, its files are handed on to that block, whose rollback removes them
    too. (Nested in a plain atomic block that rolls back later, they stay.)
    """
    written = []
    committed = []
    outer = _stored_files.get()
    token = _stored_files.set(written)
    try:
        with transaction.atomic(using=using):
            # Registered first, so it runs before any hook that might fail.
            transaction.on_commit(lambda: committed.append(True), using=using)
            yield
    except BaseException:
        if not committed:
            for storage, name in written:
                storage.delete(name)
        raise
    else:
        if outer is not None:
            outer.extend(written)
    finally:
        _stored_files.reset(token)


def stored_file_save(field_file, name: str, content) -> None:
    """`field_file.save(name, content, save=False)`, removed again if the enclosing
    files_removed_on_rollback() block rolls back."""
    written = _stored_files.get()
    if written is None:
        raise RuntimeError("Store documents inside files_removed_on_rollback().")
    field_file.save(name, content, save=False)
    written.append((field_file.storage, field_file.name))
