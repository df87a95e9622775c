"""Shippingbo: return orders, suppliers available for returns, update hooks."""
