"""Speaker photos: judged by their content, re-encoded, never stored under the uploader's name."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name → the suffix we store it under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000


class PhotoRejected(ValueError):
    """The upload is not a photo we take; ``str(exc)`` says why."""


def checked_photo(upload: UploadedFile) -> ContentFile:
    """Return the upload re-encoded (no EXIF, no location) as ``photo.<format>``, or raise.

    Pillow reads the content: a text file named .png is refused, whatever its name says.
    Re-encoding drops metadata a phone camera adds (GPS position) and anything hidden in it.
    """
    if upload.size > MAX_BYTES:
        raise PhotoRejected(
            f"The photo is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,  # a PNG chunk shorter than its kind needs ("Truncated IHDR chunk")
    ) as exc:
        raise PhotoRejected(
            "This file is not an image we can read; upload a JPEG, PNG or WebP photo."
        ) from exc
    if kind not in FORMATS:
        raise PhotoRejected(f"{kind} images are not accepted; upload a JPEG, PNG or WebP photo.")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise PhotoRejected(
            f"The photo is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} please."
        )
    return ContentFile(_reencoded(upload, kind), name=f"photo.{FORMATS[kind]}")


def _reencoded(upload: UploadedFile, kind: str) -> bytes:
    buffer = io.BytesIO()
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            icc_profile = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            options = {"quality": 90} if kind in ("JPEG", "WEBP") else {}
            if icc_profile:
                options["icc_profile"] = icc_profile
            upright.save(buffer, format=kind, **options)
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or damaged image data
        raise PhotoRejected("This image is damaged or incomplete; export it again.") from exc
    return buffer.getvalue()
