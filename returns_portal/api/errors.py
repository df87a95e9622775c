"""API errors as ``{"errors": [{"code", "message", "field"}]}``.

Validation errors are 422 with one entry per field (nested fields as ``customer.address.zipcode``,
list items as ``items[0].product_id``); business-rule refusals (a DomainError from a service, such
as ``SHIPBACK_REGISTERED`` or ``DEPENDENT_SHIPBACK``) are 400, as ShopRunBack documents them;
other broken business rules (an unavailable mode, a quantity too high) are 422.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from returns_portal.errors import DomainError

CODES = {
    exceptions.NotAuthenticated: "UNAUTHENTICATED",
    exceptions.AuthenticationFailed: "UNAUTHENTICATED",
    exceptions.PermissionDenied: "FORBIDDEN",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.Throttled: "THROTTLED",
    exceptions.ParseError: "PARSE_ERROR",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
}


class ApiError(exceptions.APIException):
    """An error with our own code and status (for example an idempotency conflict)."""

    def __init__(self, message: str, *, code: str, status_code: int, field: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.error = {"code": code, "message": message, **({"field": field} if field else {})}


def flatten(detail, field: str = "") -> list[dict]:
    """DRF's nested error detail as a flat list of {code, message, field}."""
    if isinstance(detail, dict):
        return [
            error for key, value in detail.items() for error in flatten(value, _join(field, key))
        ]
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            return [_entry(item, field) for item in detail]
        return [error for i, item in enumerate(detail) for error in flatten(item, f"{field}[{i}]")]
    return [_entry(detail, field)]


def _join(prefix: str, key) -> str:
    if key == "non_field_errors":
        return prefix
    if isinstance(key, int):  # list fields report their errors by index
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _entry(detail, field: str) -> dict:
    code = getattr(detail, "code", None) or "invalid"
    entry = {"code": str(code).upper(), "message": str(detail)}
    if field:
        entry["field"] = field
    return entry


def errors_response(errors: list[dict], status_code: int, headers=None) -> Response:
    return Response({"errors": errors}, status=status_code, headers=headers)


# Refusals to delete or change something (ShopRunBack answers these with 400); any other
# business rule a request breaks is 422.
REFUSALS = {
    "SHIPBACK_REGISTERED",
    "DEPENDENT_SHIPBACK",
    "DEPENDENT_RETURN_ORDER",
    "DEPENDENT_PRODUCT",
    "DEPENDENT_ORDER",
    "DEFAULT_BRAND",
}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        status_code = (
            status.HTTP_400_BAD_REQUEST
            if exc.code in REFUSALS
            else status.HTTP_422_UNPROCESSABLE_ENTITY
        )
        return errors_response([exc.as_dict()], status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApiError):
        return errors_response([exc.error], exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return errors_response(flatten(exc.detail), status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
        code = next((c for cls, c in CODES.items() if isinstance(exc, cls)), "ERROR")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return errors_response(
            [{"code": code, "message": str(message)}], exc.status_code, headers=headers
        )
    return None
