# The dashboard counts returns, items and actions without joins: copies of the shipback's
# registration time, of the warehouse and of the product on the rows it counts, filled here for
# the existing rows, and indexes it reads them from alone.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _of(model, key: str, field: str, **lookups) -> Subquery:
    """``field`` of the ``model`` row whose ``lookups`` (its id by default) is the row's ``key``."""
    lookups = lookups or {"pk": OuterRef(key)}
    return Subquery(model.objects.filter(**lookups).order_by("pk").values(field)[:1])


def fill_dashboard_copies(apps, schema_editor):
    """Each copy from the row it is copied from, as the services copy them."""
    Shipback = apps.get_model("shipbacks", "Shipback")
    OrderItem = apps.get_model("orders", "OrderItem")
    ReturnedItem = apps.get_model("shipbacks", "ReturnedItem")
    ReturnOrder = apps.get_model("shipbacks", "ReturnOrder")
    ExpectedItem = apps.get_model("shipbacks", "ExpectedItem")
    ItemAction = apps.get_model("shipbacks", "ItemAction")
    ReturnOrder.objects.filter(shipback__isnull=False).update(
        shipback_registered_at=_of(Shipback, "shipback", "registered_at")
    )
    # The warehouse registration expects the item at: that of the return order it made for it.
    expected_by_registration = {
        "returned_item": OuterRef("pk"),
        "return_order__shipback": OuterRef("shipback"),
    }
    ReturnedItem.objects.update(
        product=_of(OrderItem, "order_item", "product"),
        shipback_registered_at=_of(Shipback, "shipback", "registered_at"),
        warehouse=_of(
            ExpectedItem, "pk", "return_order__warehouse", **expected_by_registration
        ),
    )
    ItemAction.objects.update(
        shipback_registered_at=_of(
            ExpectedItem, "expected_item", "return_order__shipback_registered_at"
        ),
        warehouse=_of(ExpectedItem, "expected_item", "return_order__warehouse"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_product_history_indexes'),
        ('orders', '0002_historicalorder'),
        ('shipbacks', '0006_dashboard'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='shipback',
            name='shipback_registered_idx',
        ),
        migrations.AddField(
            model_name='historicalreturnorder',
            name='shipback_registered_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When its shipback was registered, copied when the return order is created.', null=True),
        ),
        migrations.AddField(
            model_name='itemaction',
            name='shipback_registered_at',
            field=models.DateTimeField(blank=True, editable=False, help_text="When the return order's shipback was registered, copied on creation.", null=True),
        ),
        migrations.AddField(
            model_name='itemaction',
            name='warehouse',
            field=models.ForeignKey(blank=True, editable=False, help_text='The warehouse where the action was taken, copied on creation.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shipbacks.warehouse'),
        ),
        migrations.AddField(
            model_name='returneditem',
            name='product',
            field=models.ForeignKey(blank=True, editable=False, help_text="The order item's product, copied when the item is added to the return.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product'),
        ),
        migrations.AddField(
            model_name='returneditem',
            name='shipback_registered_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the return was registered, copied by the registration.', null=True),
        ),
        migrations.AddField(
            model_name='returneditem',
            name='warehouse',
            field=models.ForeignKey(blank=True, editable=False, help_text="The warehouse the registration expects the item at (its return order's).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shipbacks.warehouse'),
        ),
        migrations.AddField(
            model_name='returnorder',
            name='shipback_registered_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When its shipback was registered, copied when the return order is created.', null=True),
        ),
        migrations.RunPython(fill_dashboard_copies, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='itemaction',
            index=models.Index(fields=['shipback_registered_at'], include=('warehouse', 'action', 'quantity'), name='itemaction_dashboard_idx'),
        ),
        migrations.AddIndex(
            model_name='returneditem',
            index=models.Index(fields=['shipback_registered_at'], include=('warehouse', 'reason', 'product', 'quantity'), name='returneditem_dashboard_idx'),
        ),
        migrations.AddIndex(
            model_name='returnorder',
            index=models.Index(fields=['shipback_registered_at'], include=('warehouse', 'shipback'), name='returnorder_dashboard_idx'),
        ),
        migrations.AddIndex(
            model_name='returnorder',
            index=models.Index(fields=['warehouse', 'shipback'], include=('shipback_registered_at',), name='returnorder_dashboard_wh_idx'),
        ),
        migrations.AddIndex(
            model_name='shipback',
            index=models.Index(fields=['registered_at'], include=('state', 'mode', 'relocated_at', 'id'), name='shipback_dashboard_idx'),
        ),
    ]
