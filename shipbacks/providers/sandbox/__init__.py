"""The built-in provider sandbox: ShopRunBack, Shippingbo, ShipBob and Kibo simulated over HTTP.

Mounted under ``/sandbox/<provider>/`` when ``settings.PROVIDERS_SANDBOX`` is on, it serves the
same paths as each provider's API root (see ``shipbacks/providers/config.py``), so the real
clients and adapters talk to it unchanged:

- ``/sandbox/shoprunback/`` (seeds 002, 003): ``brands``, ``brands/<id|reference>``,
  ``products``, ``products/<id|reference>``, ``orders``, ``orders/<id|order number>`` (GET, PUT,
  DELETE), ``shipbacks``, ``shipbacks/<id>`` (GET; POST or PUT: mode, drop-off code, pickup
  slot, overrides; DELETE), ``shipbacks/<id>/quotes``, ``.../quotes/<mode>``,
  ``.../quotes/clear``, ``shipbacks/<id>/free``, and the labels ``labels/<id>.pdf``.
- ``/sandbox/shippingbo/`` (seed 000, spec): ``suppliers/available_for_return_order``,
  ``return_orders`` (POST, GET with ``search[<field>__eq]``), ``return_orders/<id>`` (GET, PATCH).
- ``/sandbox/shipbob/`` (seed 001, spec): ``2025-07/return`` (POST, GET with ``ReferenceIds``,
  ``Status``...), ``2025-07/return/<id>``, ``2025-07/return/<id>:cancel``.
- ``/sandbox/kibo/`` (seed 004): ``oauth/token``, ``return/<orderID>/<shipmentID>`` (POST),
  ``return/<returnID>``.

State lives in the database (``models.py``), so the web server, the Celery worker and the tests
see the same records. What depends on elapsed time (quotes, labels, warehouse statuses) is
computed when a record is read (``steps.catch_up``) and also pushed by Celery tasks enqueued with
a countdown (``pushes``, ``tasks``), which send the providers' signed webhooks to
``{RETURNS_PUBLIC_URL}/webhooks/<provider>/``. Delays and rules are the ``SANDBOX_*`` settings
(the "Sandbox" block of ``returns_portal/settings.py``); the admin moves records on at once.
"""
