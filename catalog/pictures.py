"""Fetching a product picture from a URL an integrator gave, safely.

The URL comes from outside: it is fetched by a task, over HTTP(S) only, with a timeout, a size
cap and an image type check, and never from private, loopback or link-local addresses (unless
the provider sandbox is on, whose demo pictures are served locally).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

from returns_portal.errors import DomainError
from returns_portal.images import MAX_PICTURE_BYTES, image_extension

TIMEOUT = (3.05, 10)


class PictureRejected(DomainError):
    code = "INVALID_PICTURE"


def _check_public(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PictureRejected("Only http and https picture URLs are accepted.")
    if settings.PROVIDERS_SANDBOX:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as exc:
        raise PictureRejected(f"Cannot resolve {parts.hostname}.") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise PictureRejected(f"{parts.hostname} is not a public address.")


def download_picture(url: str) -> tuple[bytes, str]:
    """The picture's bytes and file extension. Raises PictureRejected, or
    requests.RequestException for transport failures (worth retrying)."""
    _check_public(url)
    with requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False) as response:
        if response.is_redirect:
            raise PictureRejected("The picture URL redirects; give its final address.")
        response.raise_for_status()
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_PICTURE_BYTES:
                raise PictureRejected("The picture is larger than 5 MB.")
            chunks.append(chunk)
    raw = b"".join(chunks)
    extension = image_extension(raw)
    if extension is None:
        raise PictureRejected("The URL does not point to a JPEG, PNG, WebP or GIF image.")
    return raw, extension
