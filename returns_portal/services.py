"""Writes to integrators and their tokens."""

from django.db import transaction

from .models import ApiToken, Integrator, WebhookEndpoint


@transaction.atomic
def api_token_issue(*, integrator_name: str, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the named integrator (created if new). The raw token is returned once."""
    integrator, _ = Integrator.objects.get_or_create(name=integrator_name)
    return ApiToken.issue(integrator=integrator, label=label)


def api_token_create(*, integrator: Integrator, label: str = "") -> tuple[ApiToken, str]:
    """A new token for ``integrator``; the raw token is returned once and stored nowhere."""
    return ApiToken.issue(integrator=integrator, label=label)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoke()
    return token


def company_endpoint(integrator: Integrator) -> WebhookEndpoint | None:
    """The integrator's own webhook (the one ``company`` shows); more are set in the admin."""
    return integrator.webhook_endpoints.order_by("created_at").first()


@transaction.atomic
def company_update(
    *,
    integrator: Integrator,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    **fields,
) -> Integrator:
    """Change the integrator's name or contact, and its webhook: an empty URL switches it off."""
    for name, value in fields.items():
        setattr(integrator, name, value)
    integrator.full_clean()
    integrator.save()
    if webhook_url is None and not webhook_secret:
        return integrator
    endpoint = company_endpoint(integrator) or WebhookEndpoint(integrator=integrator)
    if webhook_url is not None:
        endpoint.url = webhook_url or endpoint.url
        endpoint.active = bool(webhook_url)
    if webhook_secret:
        endpoint.secret = webhook_secret
    if endpoint.url:
        endpoint.full_clean()
        endpoint.save()
    return integrator
