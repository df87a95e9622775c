"""``python manage.py seed_demo``: the demo data ``make run`` loads (see shipbacks.demo)."""

import time

from django.core.management.base import BaseCommand, CommandError

from shipbacks.demo import DEFAULT_ORDERS, FIXED_ORDERS, seed_demo


class Command(BaseCommand):
    help = (
        "Load demo data: catalog, orders, reasons, warehouses, rules, returns in every state "
        "over the past weeks, and (with DEBUG on) the admin/manager/warehouse logins. Running it "
        "again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders",
            type=int,
            default=DEFAULT_ORDERS,
            help=f"How many orders, DEMO-1001 and DEMO-1002 included (default {DEFAULT_ORDERS}).",
        )

    def handle(self, *args, orders: int, **options):
        if orders < len(FIXED_ORDERS):
            raise CommandError(f"--orders must be at least {len(FIXED_ORDERS)}.")
        started = time.perf_counter()
        report = seed_demo(orders=orders)
        elapsed = time.perf_counter() - started

        created = {label: count for label, count in report.created.items() if count}
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s:"))
            width = max(len(label) for label in created)
            for label, count in created.items():
                self.stdout.write(f"  {label:<{width}}  {count}")
        else:
            self.stdout.write(f"Demo data already there: nothing created ({elapsed:.1f} s).")
        if report.users_skipped:
            self.stdout.write("Demo users skipped: DEBUG is off.")
        elif report.users_created:
            names = ", ".join(f"{name}/{name}" for name in report.users_created)
            self.stdout.write(f"Demo users created: {names}.")
        self.stdout.write("Portal demo: order DEMO-1001 with demo@example.com (75011).")
