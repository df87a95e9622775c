"""Keeping the providers in step with the back office (DESIGN.md, "Sync with providers: rules").

- ``triggers``: what the services call, in the transaction of a change, to write the provider
  calls it causes (the outbox rows).
- ``outbox``: the outbox rows: written in the change's transaction, their task sent after
  commit; cancelled when superseded.
- ``sending``: the task's side: claim under a row lock (a batch of the calls due), call the
  provider outside any transaction, record the outcome in a short one, back off.
- ``recovery``: staff's retries and cancels, and the sweeper that sends again what a lost
  message or a killed worker left.
- ``shoprunback``: the customer leg (brands, products, order, shipback, quotes, mode, free,
  label, delete); ``shoprunback_events``: what ShopRunBack's webhooks bring.
- ``warehouses``: the warehouse leg (Shippingbo, ShipBob, Kibo return orders) and their webhooks.
- ``inbound``: webhooks received: stored once under their id, then applied by a task.

Nothing here is imported by this ``__init__``: the services import ``triggers`` while the
handlers import the services.
"""
