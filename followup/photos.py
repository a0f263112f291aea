"""Photos from site visits: read with Pillow, refused unless a JPEG, PNG or WebP
image of a sensible size, re-encoded without metadata (a phone's GPS position
included) and given a thumbnail."""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000
STORED_SIDE = 2048
THUMBNAIL_SIDE = 320
# Pillow's format name: (file extension, content type).
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(FORMATS.values())


@dataclass(frozen=True)
class PreparedPhoto:
    extension: str
    image: bytes
    thumbnail: bytes
    thumbnail_size: tuple[int, int]


def _refused(message, code):
    return ValidationError({"image": ValidationError(message, code=code)})


def _encoded(image, format_name):
    if format_name == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 85}, "WEBP": {"quality": 85}}.get(format_name, {})
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def photo_prepare(upload) -> PreparedPhoto:
    """The photo as stored and its thumbnail, or a ValidationError saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refused(
            _(
                "The photo is larger than %(size)s MB. Choose a smaller one, or "
                "take it at a lower resolution."
            )
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            "too_large",
        )
    not_an_image = _refused(
        _("The file is not a photo we can read. Choose a JPEG, PNG or WebP image."),
        "not_an_image",
    )
    too_many_pixels = _refused(
        _("The photo has too many pixels. Choose a smaller one."),
        "too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in FORMATS:
                    raise not_an_image
                if probe.width * probe.height > MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                format_name = image.format
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((STORED_SIDE, STORED_SIDE))
                stored = _encoded(image, format_name)
                image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                thumbnail = _encoded(image, "JPEG")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses to open an image far beyond its own pixel limit,
        # before the check against MAX_PIXELS above can say so.
        raise too_many_pixels from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_an_image from None
    return PreparedPhoto(
        extension=FORMATS[format_name][0],
        image=stored,
        thumbnail=thumbnail,
        thumbnail_size=image.size,
    )
