"""The customer return portal at /returns/: customers without an account find an order, pick
items and reasons, choose how to send them back, confirm, and follow their return.

Views are thin: the rules are in ``shipbacks.services.portal`` and the shared services.
"""
