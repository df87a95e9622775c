"""Checking that uploaded or fetched bytes are a picture we accept."""

import io

from PIL import Image, UnidentifiedImageError

MAX_PICTURE_BYTES = 5 * 1024 * 1024
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def image_extension(raw: bytes) -> str | None:
    """The file extension for image bytes, or None if they are not an accepted image."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
            return PICTURE_FORMATS.get(image.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
