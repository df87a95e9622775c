"""Reads shared by the admin, the API and the portal."""

from returns_portal.errors import DomainError

from .models import RelocationRule, ReturnedItem, Shipback, Warehouse


def relocation_warehouse_for(*, shipback: Shipback, returned_item: ReturnedItem) -> Warehouse:
    """Where a returned item goes: the shipback's override, else the most specific rule whose
    warehouse is active."""
    if shipback.relocation_warehouse_id:
        if not shipback.relocation_warehouse.active:
            raise DomainError(
                f"The relocation warehouse {shipback.relocation_warehouse} is not active.",
                code="NO_WAREHOUSE",
                field="relocation_warehouse_id",
            )
        return shipback.relocation_warehouse
    country = shipback.customer.address.country_code if shipback.customer.address_id else ""
    rule = (
        RelocationRule.objects.matching(reason_id=returned_item.reason_id, country_code=country)
        .filter(warehouse__active=True)
        .select_related("warehouse")
        .first()
    )
    if rule is None:
        raise DomainError(
            "No warehouse receives this return: add a relocation rule for any reason and country.",
            code="NO_WAREHOUSE",
        )
    return rule.warehouse
