"""Provider clients and adapters: pure Python over plain data, no models, no tasks.

One package per provider: ``client.py`` (HTTP only) and ``adapter.py`` (our dataclasses from
``types.py`` <-> the provider's JSON, and the steps a task calls), plus ``webhooks.py`` where the
provider signs its webhooks. Every failure is ``ProviderUnavailable`` (retry with backoff) or
``ProviderRejected`` (record, show, stop).

The warehouse adapters (shippingbo, shipbob, kibo) share one interface, so a task reads::

    adapter = warehouse_adapter(warehouse.provider)
    remote = adapter.ensure_return_order(get_client(warehouse.provider), request)

with ``ensure_return_order(client, ReturnOrderRequest) -> RemoteReturnOrder``,
``create_return_order`` (same), ``get_return_order(client, provider_id) -> RemoteReturnOrder |
None``, and where the flags say so ``find_return_order(client, reference)``
(``CAN_FIND_BY_REFERENCE``) and ``cancel_return_order(client, provider_id)`` (``CAN_CANCEL``).
"""

from .config import get_client, provider_base_url, warehouse_adapter
from .errors import ProviderError, ProviderRejected, ProviderUnavailable

__all__ = [
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "get_client",
    "provider_base_url",
    "warehouse_adapter",
]
