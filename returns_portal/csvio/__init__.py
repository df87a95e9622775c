"""CSV import and export of products, orders and return orders, in the admin.

- ``files``: reading an uploaded file (UTF-8 with or without BOM, ``,`` or ``;``, a header row)
  and writing one, with spreadsheet formulas escaped.
- ``formats``: the cell checks every format shares and the base of a format; each app describes
  its own file (``catalog.imports``, ``orders.imports``, ``shipbacks.imports``), named in the
  ``CSV_FORMATS`` setting.
- ``services``: an import's life (:class:`~returns_portal.models.ImportJob`): upload, check every
  row (a preview, or the errors), confirm, write everything in one transaction.
- ``tasks``: the Celery tasks that check and import; ``admin``: the buttons, pages and exports.
"""
