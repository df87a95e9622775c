"""Building CSV files for the import tests, and running an import through its services."""

import csv
import io

from django.core.files.base import ContentFile

from returns_portal.csvio.files import read_csv
from returns_portal.csvio.formats import csv_format
from returns_portal.csvio.services import (
    import_job_check,
    import_job_confirm,
    import_job_create,
    import_job_run,
)

PRODUCT_HEADER = [
    "reference",
    "label",
    "ean",
    "brand",
    "weight_grams",
    "width_mm",
    "length_mm",
    "height_mm",
    "color",
    "returnable",
    "return_window_days",
    "shipbob_inventory_id",
]


def csv_bytes(rows: list[list], *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def product_row(reference: str, **values) -> list:
    row = {
        "reference": reference,
        "label": f"Product {reference}",
        "ean": "",
        "brand": "",
        "weight_grams": "300",
        "width_mm": "",
        "length_mm": "",
        "height_mm": "",
        "color": "",
        "returnable": "true",
        "return_window_days": "",
        "shipbob_inventory_id": "",
    }
    row.update(values)
    return [row[name] for name in PRODUCT_HEADER]


def products_csv(*rows: list, header=PRODUCT_HEADER) -> bytes:
    return csv_bytes([header, *rows])


def checked(kind: str, content: bytes, *, preview: bool = True):
    """What the format finds in ``content`` (no job, nothing written)."""
    return csv_format(kind).check(read_csv(content), preview=preview)


def upload(kind: str, content: bytes, user=None, name: str = "file.csv"):
    """A job for ``content``, checked (its task's work, run here)."""
    job = import_job_create(kind=kind, name=name, content=content, user=user)
    return import_job_check(job_id=job.pk)


def import_file(kind: str, content: bytes, user=None):
    """Upload, check, confirm and import ``content``; returns the job as it ends."""
    job = upload(kind, content, user)
    assert job.state == "validated", job.errors
    import_job_confirm(job=job, user=user)
    return import_job_run(job_id=job.pk)


def file_of(content: bytes) -> ContentFile:
    return ContentFile(content, name="file.csv")
