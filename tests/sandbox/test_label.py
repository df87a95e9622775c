"""The label behind ``label_url``: a PDF made with reportlab, carrying the RMA, the addresses
and the tracking number as a Code 128 barcode."""

import re
from io import BytesIO

import requests
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

from shipbacks.providers.sandbox.pdf import barcode

from .helpers import registered_shipback

RECTANGLE = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b")


def bar_widths(pdf: bytes) -> list[bytes]:
    """The widths of the filled rectangles of an uncompressed PDF, in drawing order."""
    return [match.group(3) for match in RECTANGLE.finditer(pdf)]


def barcode_alone(value: str) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=0)
    barcode(value).drawOn(canvas, 0, 0)
    canvas.save()
    return buffer.getvalue()


def test_the_label_is_a_reportlab_pdf_with_the_rma_and_both_addresses(srb):
    labelled = registered_shipback(srb)

    response = requests.get(labelled.label_url, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"ReportLab" in pdf
    assert b"(RMA RMA1001)" in pdf
    assert b"(John Doe)" in pdf
    assert b"(75010 Paris)" in pdf
    assert f"({labelled.tracking_number})".encode() in pdf


def test_the_label_s_barcode_encodes_the_tracking_number(srb):
    labelled = registered_shipback(srb)

    pdf = requests.get(labelled.label_url, timeout=5).content

    widths = bar_widths(pdf)
    assert widths == bar_widths(barcode_alone(labelled.tracking_number))
    assert widths != bar_widths(barcode_alone("6A00000000000"))
    assert len(widths) > 20


def test_there_is_no_label_before_the_shipback_is_labelled(srb, settings):
    settings.SANDBOX_LABEL_SECONDS = 3600
    registered = registered_shipback(srb)
    url = f"{srb.base_url}/labels/{registered.provider_id}.pdf"

    response = requests.get(url, timeout=5)

    assert registered.state == "registered"
    assert response.status_code == 404
