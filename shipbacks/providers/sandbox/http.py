"""Request plumbing the sandbox's views share: JSON in and out, methods, credentials, errors.

The views are plain Django views, not DRF ones: the project's API authentication, throttling and
error format belong to our own API, while each simulated provider answers in its own shapes.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


class SandboxError(Exception):
    """An answer other than success, already in the provider's shape."""

    def __init__(self, status: int, body: Any = None, *, headers: dict | None = None):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        if isinstance(self.body, str):
            response = HttpResponse(self.body, status=self.status, content_type="text/plain")
        elif self.body is None:
            response = HttpResponse(status=self.status)
        else:
            response = json_response(self.body, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def json_response(body: Any, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def read_json(request: HttpRequest, invalid: Callable[[str], SandboxError]) -> Any:
    """The decoded JSON body ({} when empty); ``invalid(message)`` is raised when it is not JSON."""
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def endpoint(*methods: str, authenticate: Callable[[HttpRequest], None] | None = None):
    """A sandbox view: CSRF-exempt (API clients send no cookie), limited to ``methods``,
    authenticated by ``authenticate(request)`` (which raises SandboxError), and answering any
    SandboxError it raises."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise SandboxError(405, None, headers={"Allow": ", ".join(methods)})
                if authenticate is not None:
                    authenticate(request)
                return view(request, *args, **kwargs)
            except SandboxError as error:
                return error.response()

        return wrapper

    return decorator


def text(value: Any) -> str:
    """A string field of a request body, stripped (an integer is taken as its digits, as an
    order number sent as a number); "" for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def integer(value: Any) -> int | None:
    """An integer field (a JSON number or a numeric string); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
