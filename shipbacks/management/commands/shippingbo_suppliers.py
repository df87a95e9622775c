"""``python manage.py shippingbo_suppliers [--link WAREHOUSE_REFERENCE=SUPPLIER_ID ...]``.

Lists the Shippingbo suppliers available for return orders (seed 000 "Propagate the return"),
and links warehouses to them: the warehouse is then served by Shippingbo, its return orders
sent with that ``supplier_id``.
"""

from django.core.management.base import BaseCommand, CommandError

from shipbacks.models import Warehouse
from shipbacks.providers import ProviderError
from shipbacks.services.sync.warehouses import (
    shippingbo_suppliers,
    warehouse_link_shippingbo_supplier,
)


class Command(BaseCommand):
    help = "List the Shippingbo suppliers available for returns; link warehouses to them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--link",
            action="append",
            default=[],
            metavar="WAREHOUSE_REFERENCE=SUPPLIER_ID",
            help="Serve this warehouse through Shippingbo as this supplier (repeatable).",
        )

    def handle(self, *args, link: list[str], **options):
        try:
            suppliers = dict(shippingbo_suppliers())
        except ProviderError as exc:
            raise CommandError(f"Shippingbo did not answer the list: {exc}") from exc
        self.stdout.write("Shippingbo suppliers available for return orders:")
        linked = dict(
            Warehouse.objects.filter(shippingbo_supplier_id__in=suppliers).values_list(
                "shippingbo_supplier_id", "reference"
            )
        )
        for supplier_id, name in sorted(suppliers.items()):
            warehouse = f"  (warehouse {linked[supplier_id]})" if supplier_id in linked else ""
            self.stdout.write(f"  {supplier_id}  {name}{warehouse}")
        for pair in link:
            reference, _, supplier = pair.partition("=")
            if not supplier.strip().isdigit():
                raise CommandError(f"--link {pair}: give WAREHOUSE_REFERENCE=SUPPLIER_ID.")
            supplier_id = int(supplier)
            if supplier_id not in suppliers:
                raise CommandError(
                    f"Supplier {supplier_id} is not available for return orders at Shippingbo."
                )
            warehouse = Warehouse.objects.filter(reference=reference.strip()).first()
            if warehouse is None:
                raise CommandError(f"No warehouse with reference {reference!r}.")
            warehouse_link_shippingbo_supplier(warehouse_id=warehouse.pk, supplier_id=supplier_id)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{warehouse} linked to {suppliers[supplier_id]} ({supplier_id})."
                )
            )
