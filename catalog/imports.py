"""Products in and out as CSV: one row per product, keyed by ``reference``.

An import creates the products it does not know and updates the others; a product whose row
changes nothing is left alone (no write, no history row). Brands are named by reference and must
exist: an unknown brand is a row error, not a new brand, because a typo would otherwise add a
brand to the catalog unseen. An empty brand means the default brand for a new product and the
current brand for an existing one. Columns left out of the file keep their value.

Written set-based, for catalogs of a hundred thousand products: on PostgreSQL the rows are
copied (``COPY``) into a temporary table, then one statement upserts them and records their
history rows (``INSERT … SELECT``), a chunk at a time while a thread checks the next rows, so
that Python and the database work at once; elsewhere (SQLite) in batches, inserts and updates
sent with ``executemany``. Integrators hear of each new product (``product.created``) as when one is
created through the API, one delivery per endpoint and product, written in bulk.
"""

import contextlib
import queue
import threading
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from returns_portal.csvio.files import CsvTable
from returns_portal.csvio.formats import (
    BIG_INTEGER,
    MAX_SMALL_INTEGER,
    Checked,
    Column,
    CsvFormat,
    Progress,
    RowErrors,
    Written,
    boolean,
    chunks,
    field_text,
    integer,
    no_progress,
)
from returns_portal.webhooks import webhook_emit_many, webhook_subscribers

from .models import Brand, Product

EVENT_CREATED = "product.created"
# Rows a chunk of an import written while checked holds (ProductCsv.check_and_write): large
# enough that the statements per chunk cost little, small enough that the database starts early.
STREAM_CHUNK_ROWS = 25_000
_DONE = object()


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("The thread checking an import's rows reads no database.")


# Fields the file names by another name: the brand by its reference.
FIELD_OF_COLUMN = {"brand": "brand_id"}


def _field(name: str) -> models.Field:
    return Product._meta.get_field(name)


class ProductCsv(CsvFormat):
    kind = "products"
    model = Product
    updates_existing = True
    description = (
        "One row per product. A product is found by its reference: new references are created, "
        "known ones updated. Columns left out keep their value."
    )
    columns = (
        Column(
            "reference", field_text(Product, "reference", required=True), "Your SKU; the key.", True
        ),
        Column("label", field_text(Product, "label", required=True), "The product's name.", True),
        Column("ean", field_text(Product, "ean"), "EAN barcode."),
        Column(
            "brand",
            field_text(Brand, "reference"),
            "The brand's reference; it must exist. Empty: the default brand (new products) or "
            "the current one.",
        ),
        Column("weight_grams", integer(min_value=1), "Weight with its packaging, in grams."),
        Column("width_mm", integer(), "Width in millimetres."),
        Column("length_mm", integer(), "Length in millimetres."),
        Column("height_mm", integer(), "Height in millimetres."),
        Column("color", field_text(Product, "color"), "Colour, in words."),
        Column("returnable", boolean(), "true or false (yes/no, 1/0)."),
        Column(
            "return_window_days",
            integer(max_value=MAX_SMALL_INTEGER),
            "Days to return it; empty: the return policy's.",
        ),
        Column(
            "shipbob_inventory_id",
            integer(min_value=-BIG_INTEGER - 1, max_value=BIG_INTEGER),
            "ShipBob's inventory id.",
        ),
    )

    # --- checking ------------------------------------------------------------------------------

    def check(
        self, table: CsvTable, *, progress: Progress = no_progress, preview: bool = True
    ) -> Checked:
        """Every row checked; duplicates of a reference and unknown brands are errors. Records
        are lists of the fields in ``checked.fields``. The preview also counts how many
        products are new."""
        checked = self._checking(table)
        brands = self._brands(table)
        checked.records.extend(self._checked_records(table, checked, brands, progress))
        records = checked.records
        if preview and not checked.errors:
            references = [record[checked.fields.index("reference")] for record in records]
            existing = 0
            for part in chunks(references):
                existing += Product.objects.filter(reference__in=part).count()
            checked.to_update = existing
            checked.to_create = len(records) - existing
        return checked

    def _checking(self, table: CsvTable) -> Checked:
        checked = Checked(records=[], errors=RowErrors())
        checked.fields = [FIELD_OF_COLUMN.get(name, name) for name in table.header]
        return checked

    def _brands(self, table: CsvTable) -> dict[str, int]:
        """The brands' ids by reference, when the file names brands."""
        if "brand" not in table.header:
            return {}
        return dict(Brand.objects.values_list("reference", "pk"))

    def _checked_records(
        self, table: CsvTable, checked: Checked, brands: dict, progress: Progress = no_progress
    ) -> Iterator[list]:
        """The records of the rows that pass every check, brands turned into their ids; the
        other rows add their errors to ``checked``. Reads no database: it may run in a thread
        of its own."""
        errors = checked.errors
        names = list(table.header)
        reference_index = names.index("reference")
        brand_index = names.index("brand") if "brand" in names else None
        first_row: dict[str, int] = {}
        for number, record in self.converted_rows(table, errors, checked.sample, progress):
            reference = record[reference_index]
            if reference in first_row:
                errors.add(
                    number, "reference", f"{reference} is on row {first_row[reference]} already."
                )
                continue
            first_row[reference] = number
            if brand_index is not None:
                if record[brand_index]:
                    brand_id = brands.get(record[brand_index])
                    if brand_id is None:
                        errors.add(
                            number, "brand", f"No brand has the reference {record[brand_index]}."
                        )
                        continue
                    record[brand_index] = brand_id
                else:
                    record[brand_index] = None
            yield record

    # --- checking while writing (PostgreSQL) ---------------------------------------------------

    def writes_while_checking(self) -> bool:
        return connection.vendor == "postgresql"

    def check_and_write(self, table: CsvTable, *, job) -> tuple[Checked, Written]:
        """The import of a file the preview passed, checked again while it is written, inside
        the caller's transaction: a thread checks the rows, STREAM_CHUNK_ROWS at a time, while
        the database upserts the chunks already checked, so that both work at once. When a row
        no longer passes (a brand deleted since the preview), writing stops; the caller rolls
        the transaction back and reports ``checked.errors`` (every row is still checked)."""
        checked = self._checking(table)
        brands = self._brands(table)
        upsert = _Upsert(
            list(checked.fields), reason=f"CSV import {job.pk}", user_id=job.confirmed_by_id
        )
        chunks_checked: queue.Queue = queue.Queue(maxsize=2)
        writing_stopped = threading.Event()

        def check_rows() -> None:
            try:
                chunk = []
                # This thread's connection is never opened: it would outlive the import.
                with connection.execute_wrapper(_no_queries):
                    for record in self._checked_records(table, checked, brands):
                        if writing_stopped.is_set():
                            return
                        chunk.append(record)
                        if len(chunk) == STREAM_CHUNK_ROWS:
                            chunks_checked.put(chunk)
                            chunk = []
                chunks_checked.put(chunk)
                chunks_checked.put(_DONE)
            except BaseException as exc:  # handed to the writing thread, which raises it
                chunks_checked.put(exc)

        checker = threading.Thread(target=check_rows, name=f"csv-import-{job.pk}", daemon=True)
        checker.start()
        try:
            while (chunk := chunks_checked.get()) is not _DONE:
                if isinstance(chunk, BaseException):
                    raise chunk
                if chunk and not checked.errors:
                    upsert.write(chunk)
        finally:
            # Writing failed (the database refused a chunk): the checker stops, and the chunk it
            # may be waiting to hand over is taken, so that it is never left blocked.
            writing_stopped.set()
            while checker.is_alive():
                with contextlib.suppress(queue.Empty):
                    chunks_checked.get(timeout=0.05)
            checker.join()
        written, created = upsert.finish()
        if checked.errors:
            return checked, Written()
        _announce(created)
        return checked, written

    # --- writing -------------------------------------------------------------------------------

    def write(self, checked: Checked, *, job) -> Written:
        """Upsert every record and record the history of those created or changed, inside the
        caller's transaction."""
        reason = f"CSV import {job.pk}"
        user_id = job.confirmed_by_id
        if connection.vendor == "postgresql":
            written, created = _write_with_copy(checked, reason=reason, user_id=user_id)
        else:
            written, created = _write_in_batches(checked, reason=reason, user_id=user_id)
        _announce(created)
        return written

    # --- exporting -----------------------------------------------------------------------------

    def export_rows(self, queryset) -> Iterator[list]:
        fields = [
            "brand__reference" if column.name == "brand" else column.name for column in self.columns
        ]
        rows = queryset.values_list(*fields).iterator(chunk_size=settings.CSV_EXPORT_CHUNK_SIZE)
        return (list(row) for row in rows)


def _history_columns() -> list[str]:
    """The product's columns its history rows copy (history_* are the history's own)."""
    history = Product.history.model
    return [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]


# The SQL below is built from the models' own table and column names (quoted); every value is a
# query parameter.


def _history_insert(source: str) -> str:
    """``INSERT INTO <history> … SELECT … FROM <source>``, parameters: date, reason, type, user."""
    columns = ", ".join(connection.ops.quote_name(c) for c in _history_columns())
    return (
        f"INSERT INTO {connection.ops.quote_name(Product.history.model._meta.db_table)} "  # noqa: S608
        f"({columns}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, %s, {{history_type}}, %s FROM {source}"
    )


def _defaults(present: set[str]) -> dict[str, object]:
    """Database values of the fields a file leaves out, for new products (the id, times and
    brand excepted: the statement sets those)."""
    return {
        f.column: f.get_db_prep_save(f.get_default(), connection)
        for f in Product._meta.concrete_fields
        if f.attname not in {*present, "id", "created_at", "updated_at", "brand_id"}
    }


# PostgreSQL's names of the column types the products' fields have, as binary COPY needs them.
BINARY_TYPES = {"integer": "int4", "smallint": "int2", "bigint": "int8", "boolean": "bool"}


def _binary_type(field: models.Field) -> str:
    db_type = field.db_type(connection).split("(")[0]
    return BINARY_TYPES.get(db_type, db_type)


def _write_with_copy(checked: Checked, *, reason: str, user_id) -> tuple[Written, list]:
    """PostgreSQL: every record upserted at once (see :class:`_Upsert`)."""
    upsert = _Upsert(list(checked.fields), reason=reason, user_id=user_id)
    upsert.write(checked.records)
    return upsert.finish()


class _Upsert:
    """PostgreSQL, inside the caller's transaction: each :meth:`write` COPYs its records into a
    temporary table, then one statement upserts them (only the rows that change something) and
    writes their history rows; :meth:`finish` counts and drops the table."""

    def __init__(self, present: list[str], *, reason: str, user_id=None):
        quote = connection.ops.quote_name
        table = quote(Product._meta.db_table)
        self.present = present
        now = timezone.now()
        default_brand = Brand.objects.default().pk
        defaults = _defaults(set(present))
        # The INSERT's columns and values: a new id drawn by PostgreSQL, this import's time,
        # the file's fields, the defaults of the others.
        columns = ["id", "created_at", "updated_at"]
        values = ["gen_random_uuid()", "%s", "%s"]
        params: list = [now, now]
        for name in present:
            column = _field(name).column
            columns.append(column)
            if name == "brand_id":
                # Empty: the product's current brand, or the default one for a new product.
                values.append(
                    f"COALESCE(staged.brand_id, (SELECT p.brand_id FROM {table} p "  # noqa: S608
                    f"WHERE p.reference = staged.reference), %s)"
                )
                params.append(default_brand)
            else:
                values.append(f"staged.{quote(column)}")
        if "brand_id" not in present:
            columns.append("brand_id")
            values.append("%s")
            params.append(default_brand)
        for column, value in defaults.items():
            columns.append(column)
            values.append("%s")
            params.append(value)
        changing = [quote(_field(n).column) for n in present if n != "reference"]
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*changing, "updated_at"])
        # Rows that change nothing are not written: no new updated_at, no history row.
        differs = (
            f"({', '.join(f'product.{c}' for c in changing)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in changing)})"
        )
        history = _history_insert("written").format(
            history_type="CASE WHEN written.inserted THEN '+' ELSE '~' END"
        )
        # With endpoints to tell of new products, the statement returns those products (their
        # history rows, to be exact); else only how many were created and updated.
        self.announce = bool(webhook_subscribers(EVENT_CREATED))
        result = (
            "SELECT history_type, id, label, reference, ean FROM history"
            if self.announce
            else "SELECT count(*) FILTER (WHERE history_type = '+'), "
            "count(*) FILTER (WHERE history_type = '~') FROM history"
        )
        self.statement = (
            f"WITH written AS ("  # noqa: S608
            f"INSERT INTO {table} AS product ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM csv_import_product staged "
            f"ON CONFLICT (reference) DO UPDATE SET {assignments} WHERE {differs} "
            f"RETURNING product.*, (product.xmax = 0) AS inserted"
            f"), history AS ({history} RETURNING history_type, id, label, reference, ean) "
            f"{result}"
        )
        self.announced: list[tuple] = []
        self.params = [*params, now, reason, user_id]
        self.copy = (
            f"COPY csv_import_product ({', '.join(quote(_field(n).column) for n in present)}) "
            "FROM STDIN (FORMAT BINARY)"
        )
        self.types = [_binary_type(_field(n)) for n in present]
        staged = ", ".join(
            f"{quote(_field(n).column)} {_field(n).db_type(connection)}" for n in present
        )
        self.created = self.updated = self.rows = 0
        with connection.cursor() as cursor:
            # The rows the upsert returns are kept in memory for their history rows, not
            # spilled to disk (for this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(f"CREATE TEMPORARY TABLE csv_import_product ({staged}) ON COMMIT DROP")

    def write(self, records: list) -> None:
        with connection.cursor() as cursor:
            if self.rows:
                cursor.execute("TRUNCATE csv_import_product")
            # Binary: PostgreSQL has no text to parse, and psycopg encodes each row in C.
            with cursor.copy(self.copy) as copy:
                copy.set_types(self.types)
                for record in records:
                    copy.write_row(record)
            cursor.execute(self.statement, self.params)
            if self.announce:
                created = updated = 0
                for history_type, *product in cursor.fetchall():
                    if history_type == "+":
                        created += 1
                        self.announced.append(tuple(product))
                    else:
                        updated += 1
            else:
                created, updated = cursor.fetchone()
        self.created += created
        self.updated += updated
        self.rows += len(records)

    def finish(self) -> tuple[Written, list]:
        """What was written, and the new products to announce (id, label, reference, EAN)."""
        with connection.cursor() as cursor:
            # Gone now, not only at the commit: an outer transaction may import again.
            cursor.execute("DROP TABLE csv_import_product")
        unchanged = self.rows - self.created - self.updated
        written = Written(created=self.created, updated=self.updated, unchanged=unchanged)
        return written, self.announced


def _write_in_batches(checked: Checked, *, reason: str, user_id) -> tuple[Written, list]:
    """Other databases (SQLite): per batch, the products the file names are read and the rows
    that change nothing set aside; the new ones are inserted and the changed ones updated, one
    ``executemany`` each (model instances and ``bulk_create`` cost a hundred times more per
    row), and their history rows written with ``INSERT … SELECT``."""
    # The connection itself, not django.db.connection's per-thread proxy: it is handed over for
    # every value below.
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    table = quote(Product._meta.db_table)
    fields = Product._meta.concrete_fields
    present = list(checked.fields)
    changing = [name for name in present if name != "reference"]
    reference_index = present.index("reference")
    now = timezone.now()
    default_brand = Brand.objects.default().pk
    # What a new product gets for the fields the file leaves out, ready for the database.
    constants = {
        f.attname: f.get_db_prep_save(f.get_default(), db)
        for f in fields
        if f.attname not in {*present, "id", "created_at", "updated_at"}
    }
    constants["created_at"] = constants["updated_at"] = _field("updated_at").get_db_prep_save(
        now, db
    )
    if "brand_id" not in present:
        constants["brand_id"] = _field("brand_id").get_db_prep_save(default_brand, db)
    prepare = {name: _field(name).get_db_prep_save for name in present}
    id_field = _field("id")
    insert = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    update = (
        f"UPDATE {table} SET "  # noqa: S608
        f"{', '.join(f'{quote(_field(n).column)} = %s' for n in [*changing, 'updated_at'])} "
        f"WHERE reference = %s"
    )
    written = Written()
    announced = []
    for batch in chunks(checked.records, settings.CSV_IMPORT_BATCH_SIZE):
        references = [record[reference_index] for record in batch]
        current = {
            row[0]: row[1:]
            for row in Product.objects.filter(reference__in=references).values_list(
                "reference", "brand_id", *changing
            )
        }
        new, changed = [], []
        for record in batch:
            values = dict(zip(present, record, strict=True))
            known = current.get(values["reference"])
            if "brand_id" in values and values["brand_id"] is None:
                values["brand_id"] = known[0] if known else default_brand
            if known is None:
                values["id"] = uuid.uuid4()
                new.append(values)
            elif tuple(values[name] for name in changing) != known[1:]:
                changed.append(values)
            else:
                written.unchanged += 1
        with db.cursor() as cursor:
            if new:
                cursor.executemany(
                    insert,
                    [
                        [
                            prepare[f.attname](row[f.attname], db)
                            if f.attname in prepare
                            else id_field.get_db_prep_save(row["id"], db)
                            if f.attname == "id"
                            else constants[f.attname]
                            for f in fields
                        ]
                        for row in new
                    ],
                )
            if changed:
                cursor.executemany(
                    update,
                    [
                        [
                            *(prepare[name](row[name], db) for name in changing),
                            constants["updated_at"],
                            row["reference"],
                        ]
                        for row in changed
                    ],
                )
            for rows, history_type in ((new, "+"), (changed, "~")):
                for part in chunks([row["reference"] for row in rows]):
                    marks = ", ".join(["%s"] * len(part))
                    cursor.execute(
                        _history_insert(f"{table} WHERE reference IN ({marks})").format(
                            history_type="%s"
                        ),
                        [now, reason, history_type, user_id, *part],
                    )
        written.created += len(new)
        written.updated += len(changed)
        announced += [
            (row["id"], row["label"], row["reference"], row.get("ean", "")) for row in new
        ]
    return written, announced


def _announce(created: list[tuple]) -> None:
    """``product.created`` for each new product, to every endpoint that wants it, as
    ``product_create`` sends it, in bulk in the import's transaction, sent after it commits."""
    if created:
        webhook_emit_many(
            event=EVENT_CREATED,
            datas=(
                {"id": pk, "label": label, "reference": reference, "ean": ean}
                for pk, label, reference, ean in created
            ),
            batch_size=settings.CSV_IMPORT_BATCH_SIZE,
        )
