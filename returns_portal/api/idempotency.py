"""``Idempotency-Key`` on POST: the first response is kept and replayed for the same request.

The key is claimed (a row, committed) before the view runs, so of twenty identical requests in
parallel one does the work, the others get 409 while it runs and the stored response after.
The same key with another body is 422. A failed request (5xx or an exception) releases the key
so the client can retry; keys are kept ``IDEMPOTENCY_KEY_TTL`` (at least 24 hours).
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import status

from returns_portal.models import IdempotencyKey

from .errors import ApiError

HEADER = "Idempotency-Key"
# A claim whose request never finished (its process died) is released after this long.
STALE_IN_FLIGHT = timedelta(minutes=5)


class _Replay(Exception):
    def __init__(self, record: IdempotencyKey):
        self.record = record


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def _claim(integrator, key: str, print_: str) -> IdempotencyKey:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(integrator=integrator, key=key, fingerprint=print_)
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.get(integrator=integrator, key=key)
    now = timezone.now()
    expired = record.created_at < now - settings.IDEMPOTENCY_KEY_TTL
    abandoned = (
        record.state == IdempotencyKey.State.IN_FLIGHT and record.created_at < now - STALE_IN_FLIGHT
    )
    if expired or abandoned:
        IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).delete()
        return _claim(integrator, key, print_)
    if record.fingerprint != print_:
        raise ApiError(
            "This Idempotency-Key was used with another request.",
            code="IDEMPOTENCY_KEY_REUSED",
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
            field=HEADER,
        )
    if record.state == IdempotencyKey.State.IN_FLIGHT:
        raise ApiError(
            "A request with this Idempotency-Key is still being processed.",
            code="IDEMPOTENCY_CONFLICT",
            status_code=status.HTTP_409_CONFLICT,
            field=HEADER,
        )
    raise _Replay(record)


class IdempotentPostMixin:
    """For DRF views: honour ``Idempotency-Key`` on POST."""

    _idempotency_record = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key:
            return
        if len(key) > 255 or not key.isprintable():
            raise ApiError(
                "Idempotency-Key is up to 255 printable characters.",
                code="INVALID",
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                field=HEADER,
            )
        print_ = fingerprint(request.method, request.get_full_path(), request._request.body)
        self._idempotency_record = _claim(request.user.integrator, key, print_)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            record = exc.record
            response = HttpResponse(
                bytes(record.response_body or b""),
                status=record.response_status,
                content_type=record.response_content_type or "application/json",
            )
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            return super().handle_exception(exc)
        except Exception:
            # An unexpected error: release the key so the client can retry.
            if self._idempotency_record is not None:
                self._idempotency_record.delete()
                self._idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self._idempotency_record = self._idempotency_record, None
        if record is None:
            return response
        if response.status_code >= 500:
            record.delete()
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        record.state = IdempotencyKey.State.COMPLETED
        record.response_status = response.status_code
        record.response_body = response.content
        record.response_content_type = response.get("Content-Type", "")
        record.save(
            update_fields=["state", "response_status", "response_body", "response_content_type"]
        )
        return response


def purge_idempotency_keys() -> int:
    """Delete keys past their retention. Returns how many."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
