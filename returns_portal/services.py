"""Writes to integrators and their tokens."""

from django.db import transaction

from .models import ApiToken, Integrator


@transaction.atomic
def api_token_issue(*, integrator_name: str, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the named integrator (created if new). The raw token is returned once."""
    integrator, _ = Integrator.objects.get_or_create(name=integrator_name)
    return ApiToken.issue(integrator=integrator, label=label)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoke()
    return token
