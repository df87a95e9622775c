from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from returns_portal.roles import sync_role_groups

    sync_role_groups()


class ShipbacksConfig(AppConfig):
    name = "shipbacks"
    verbose_name = "Returns"

    def ready(self):
        # Permissions exist only once every app has migrated; this app is the last one, and
        # auth's own post_migrate handler (which creates permissions) runs before this one.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="shipbacks.sync_roles")
