"""The staff roles, as Django groups with exactly these permissions.

Warehouse staff receive and process returns; returns managers run everything else in the
back office, API integrators and their webhooks included. Users, groups and the roles
themselves stay with superusers.
"""

from django.contrib.auth.models import Group, Permission

WAREHOUSE_STAFF = "Warehouse staff"
RETURNS_MANAGERS = "Returns managers"

ALL = ("view", "add", "change", "delete")

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    WAREHOUSE_STAFF: {
        "shipbacks.returnorder": ("view", "change"),
        # Quantities and actions are recorded on the receiving screen (change on the return
        # order); an expected item's lot and note stay editable on its page.
        "shipbacks.expecteditem": ("view", "change"),
        "shipbacks.itemaction": ("view",),
        "shipbacks.returnorderevent": ("view",),
        # The customer's return behind a parcel: reasons, comments and photos, for inspection.
        "shipbacks.shipback": ("view",),
        "shipbacks.shipbackevent": ("view",),
        "shipbacks.returneditem": ("view",),
        # To identify what is in a parcel.
        "catalog.product": ("view",),
        # Failed provider syncs are retried by whoever fixes the data (change = retry, cancel).
        "shipbacks.providercall": ("view", "change"),
    },
    RETURNS_MANAGERS: {
        **{f"catalog.{model}": ALL for model in ("brand", "product", "sparepart")},
        **{
            f"orders.{model}": ALL
            for model in ("address", "customer", "order", "orderitem", "shipment")
        },
        **{
            f"shipbacks.{model}": ALL
            for model in (
                "warehouse",
                "returnreason",
                "relocationrule",
                "sponsoringrule",
                "shipback",
                "returneditem",
                "expecteditem",
                "itemaction",
            )
        },
        # Integrators of the API, their tokens and the webhooks sent to them.
        **{
            f"returns_portal.{model}": ALL
            for model in ("integrator", "apitoken", "webhookendpoint")
        },
        "returns_portal.webhookdelivery": ("view", "change"),
        # CSV imports they ran: progress, errors, results.
        "returns_portal.importjob": ("view",),
        "shipbacks.returnpolicy": ("view", "change"),
        # Return orders are cancelled, never deleted; quotes are the provider's figures.
        "shipbacks.returnorder": ("view", "add", "change"),
        "shipbacks.quote": ("view",),
        "shipbacks.shipbackevent": ("view",),
        "shipbacks.returnorderevent": ("view",),
        "shipbacks.providercall": ("view", "change"),
        "shipbacks.inboundevent": ("view", "change"),
    },
}


# Permissions of their own (Meta.permissions), as "app_label.codename".
ROLE_EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    WAREHOUSE_STAFF: (),
    RETURNS_MANAGERS: (
        "shipbacks.view_dashboard",
        "returns_portal.import_data",
        "returns_portal.export_data",
    ),
}


def sync_role_groups() -> None:
    """Create the role groups and set their permissions to exactly the ones listed."""
    for group_name, models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted += [(app_label, f"{action}_{model}") for action in actions]
        wanted += [tuple(label.split(".")) for label in ROLE_EXTRA_PERMISSIONS[group_name]]
        permissions = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
        group.permissions.set(
            [p for p in permissions if (p.content_type.app_label, p.codename) in set(wanted)]
        )
