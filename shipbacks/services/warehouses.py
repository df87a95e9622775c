"""Warehouses: where returned items go."""

from django.db import transaction

from orders.models import Address
from orders.services import AddressData
from returns_portal.webhooks import webhook_emit

from ..models import Warehouse


@transaction.atomic
def warehouse_create(*, address: AddressData, **fields) -> Warehouse:
    address_row = Address(**vars(address))
    address_row.full_clean()
    address_row.save()
    warehouse = Warehouse(address=address_row, **fields)
    warehouse.full_clean()
    warehouse.save()
    webhook_emit(
        event="warehouse.created",
        data={"id": warehouse.pk, "reference": warehouse.reference, "name": warehouse.name},
    )
    return warehouse
