"""Integrator authentication: ``Authorization: Token token=<token>`` or ``Token <token>``."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from returns_portal.models import ApiToken
from returns_portal.models.integrators import hash_token

# last_used_at is informative: writing it on every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class IntegratorPrincipal:
    """What ``request.user`` is for an API call: the integrator behind the token."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, integrator):
        self.integrator = integrator
        self.pk = integrator.pk

    def __str__(self) -> str:
        return f"integrator {self.integrator.name}"


def parse_token(header: str) -> str | None:
    """The raw token from an Authorization header value, or None if it is not a token header."""
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "token":
        return None
    credentials = credentials.strip()
    if credentials.lower().startswith("token="):
        credentials = credentials[len("token=") :].strip().strip('"')
    return credentials


class IntegratorTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        raw = parse_token(header)
        if raw is None:
            return None
        if not raw:
            raise exceptions.AuthenticationFailed("The Authorization header has no token.")
        token = (
            ApiToken.objects.active()
            .select_related("integrator")
            .filter(key_hash=hash_token(raw))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return IntegratorPrincipal(token.integrator), token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when the token is missing.
        return 'Token realm="api"'


class IsIntegrator(BasePermission):
    message = "Authentication credentials were not provided."

    def has_permission(self, request, view):
        return isinstance(request.user, IntegratorPrincipal)
