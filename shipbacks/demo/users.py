"""The demo logins (admin, manager, warehouse, each with its name as password)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from returns_portal.roles import RETURNS_MANAGERS, WAREHOUSE_STAFF

from ..models import Warehouse

DEMO_PASSWORD_USERS = (
    # username (also the password), superuser, group
    ("admin", True, None),
    ("manager", False, RETURNS_MANAGERS),
    ("warehouse", False, WAREHOUSE_STAFF),
)
# Where the demo's warehouse staff work: the French sites. Leipzig and Chicago are run by their
# providers' own staff, so ``warehouse`` does not see their return orders.
DEMO_STAFF_WAREHOUSES = {"warehouse": ("PAR-01", "LYS-QC")}


def ensure_users(warehouses: dict[str, Warehouse]) -> list[str]:
    """The demo logins; an existing user is left exactly as it is, except that warehouse staff
    working nowhere (created before warehouses had staff) are linked to their demo warehouses."""
    User = get_user_model()
    created = []
    for username, superuser, group in DEMO_PASSWORD_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@example.com",
                is_staff=True,
                is_superuser=superuser,
            )
            user.set_password(username)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            created.append(username)
        elif user.warehouses.exists():
            continue
        for reference in DEMO_STAFF_WAREHOUSES.get(username, ()):
            warehouses[reference].staff.add(user)
    return created
