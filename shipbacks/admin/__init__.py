"""Admin for the returns app, one module per subdomain like the models."""

from . import return_orders, rules, shipbacks, sync

__all__ = ["return_orders", "rules", "shipbacks", "sync"]
