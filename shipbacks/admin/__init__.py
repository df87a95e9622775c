"""Admin for the returns app, one module per subdomain like the models."""

from . import dashboard, return_orders, rules, shipbacks, sync

__all__ = ["dashboard", "return_orders", "rules", "shipbacks", "sync"]
