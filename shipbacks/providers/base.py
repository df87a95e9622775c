"""The base HTTP client every provider client extends: base URL, auth headers, timeouts, JSON,
and the mapping of every failure to ``ProviderUnavailable`` or ``ProviderRejected``.

Clients know URLs and headers, nothing of our models; adapters turn our dataclasses into the
bodies these clients send. A client never retries: the task that calls it owns the retry policy.
"""

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from .errors import NON_FIELD_ERRORS, ProviderError, ProviderRejected, ProviderUnavailable

__all__ = [
    "DEFAULT_TIMEOUT",
    "BaseClient",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "parse_retry_after",
    "segment",
]

logger = logging.getLogger("shipbacks.providers")

# (connect, read) seconds; the registry passes the PROVIDER_*_TIMEOUT settings instead.
DEFAULT_TIMEOUT = (5.0, 30.0)
# Transport failures worth another try; anything else from requests is a bug or a bad setting.
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def segment(value: object) -> str:
    """One URL path segment: references may hold spaces or slashes ("IPHONE 14S B")."""
    return quote(str(value), safe="")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BaseClient:
    """A requests.Session bound to one provider's base URL.

    Subclasses set ``provider`` (a name for messages and logs), override ``auth_headers`` and,
    where the provider has its own error body, ``parse_error``.
    """

    provider = "provider"
    default_headers: Mapping[str, str] = {"Accept": "application/json"}

    def __init__(
        self,
        *,
        base_url: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        if not base_url:
            raise ValueError(f"{self.provider}: no base URL configured")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    # Hooks ------------------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request; called for every request, never logged."""
        return {}

    def parse_error(self, body: Any) -> tuple[str, str, dict[str, list[str]]]:
        """(message, code, field errors) from an error body, in the common shapes:
        ``{"message"|"error"|"detail"|"title": ...}``, ``{"errors": {field: [msg]}}``,
        ``{"errors": [msg | {code, message, field}]}``."""
        if isinstance(body, str):
            return body.strip()[:500], "", {}
        if not isinstance(body, dict):
            return "", "", {}
        message = ""
        for key in ("message", "error_description", "error", "detail", "title"):
            if isinstance(body.get(key), str) and body[key]:
                message = body[key]
                break
        code = str(body.get("code") or "")
        field_errors: dict[str, list[str]] = {}
        errors = body.get("errors")
        if isinstance(errors, dict):
            for field, messages in errors.items():
                field_errors[str(field)] = _as_messages(messages)
        elif isinstance(errors, list):
            for error in errors:
                if isinstance(error, dict):
                    text = str(error.get("message") or error.get("detail") or error)
                    field = error.get("field") or error.get("property") or NON_FIELD_ERRORS
                    field_errors.setdefault(str(field), []).append(text)
                    code = code or str(error.get("code") or "")
                else:
                    field_errors.setdefault(NON_FIELD_ERRORS, []).append(str(error))
        if not message and field_errors:
            message = "; ".join(
                msg if field == NON_FIELD_ERRORS else f"{field}: {msg}"
                for field, messages in field_errors.items()
                for msg in messages
            )
        return message, code, field_errors

    # Requests ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        not_found_ok: bool = False,
    ) -> Any:
        """Send one request and return the decoded JSON body (None when empty).

        ``not_found_ok``: a 404 is an answer ("no such record"), returned as None, not an error.
        """
        response = self.send(method, self.url(path), params=params, json=json, headers=headers)
        if response.status_code == 404 and not_found_ok:
            return None
        self.raise_for_status(response)
        return self.decode(response)

    def get(self, path: str, **kwargs) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> Any:
        return self.request("DELETE", path, **kwargs)

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
        stream: bool = False,
        allow_redirects: bool = False,
    ) -> requests.Response:
        """The one place a request leaves: timeout, headers, transport errors, the log line."""
        all_headers = dict(self.default_headers)
        if json is not None:
            all_headers["Content-Type"] = "application/json"
        if authenticate:
            all_headers.update(self.auth_headers())
        all_headers.update(headers or {})
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                headers=all_headers,
                timeout=self.timeout,
                stream=stream,
                allow_redirects=allow_redirects,
            )
        except TRANSIENT_ERRORS as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
            logger.warning(
                "%s %s %s %s after %.0f ms: %s",
                self.provider,
                method,
                _loggable(url),
                kind,
                (time.monotonic() - started) * 1000,
                type(exc).__name__,
            )
            raise ProviderUnavailable(self.provider, f"{method} {_loggable(url)} {kind}") from exc
        logger.info(
            "%s %s %s -> %s in %.0f ms",
            self.provider,
            method,
            _loggable(url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        what = f"{response.request.method} {_loggable(response.url)}"
        if status == 429 or status >= 500:
            raise ProviderUnavailable(
                self.provider,
                f"{what} answered {status}",
                status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status < 400:
            # API calls never follow redirects: credentials must not travel to another URL.
            raise ProviderRejected(
                self.provider, f"{what} answered an unexpected redirect ({status})", status=status
            )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        message, code, field_errors = self.parse_error(body)
        raise ProviderRejected(
            self.provider,
            message or f"{what} answered {status}",
            status=status,
            code=code,
            field_errors=field_errors,
        )

    def decode(self, response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            # A 2xx that is not JSON comes from something in between (a proxy, a login page).
            raise ProviderUnavailable(
                self.provider,
                f"{response.request.method} {_loggable(response.url)} answered non-JSON content",
                status=response.status_code,
            ) from exc

    def download(self, url: str, *, max_bytes: int) -> tuple[bytes, str]:
        """Fetch a binary document (a label) of at most ``max_bytes``: (content, content type).

        Credentials go only to the provider's own host; a CDN link gets a bare request.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ProviderRejected(self.provider, f"not a downloadable URL: {url!r}")
        same_host = parts.netloc == urlsplit(self.base_url).netloc
        response = self.send(
            "GET",
            url,
            headers={"Accept": "*/*"},
            authenticate=same_host,
            stream=True,
            allow_redirects=not same_host,
        )
        with response:
            self.raise_for_status(response)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ProviderRejected(
                    self.provider, f"document of {declared} bytes exceeds {max_bytes}"
                )
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise ProviderRejected(self.provider, f"document exceeds {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("Content-Type", "")


def _as_messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def _loggable(url: str) -> str:
    """The URL without its query string: it may carry tokens or customer data."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
