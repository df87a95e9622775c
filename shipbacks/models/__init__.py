from .return_orders import ExpectedItem, ItemAction, ReturnOrder, ReturnOrderEvent
from .rules import RelocationRule, ReturnPolicy, ReturnReason, SponsoringRule, Warehouse
from .shipbacks import Quote, ReturnedItem, Shipback, ShipbackEvent
from .sync import InboundEvent, ProviderCall

__all__ = [
    "ExpectedItem",
    "InboundEvent",
    "ItemAction",
    "ProviderCall",
    "Quote",
    "RelocationRule",
    "ReturnOrder",
    "ReturnOrderEvent",
    "ReturnPolicy",
    "ReturnReason",
    "ReturnedItem",
    "Shipback",
    "ShipbackEvent",
    "SponsoringRule",
    "Warehouse",
]
