"""The receiving slip of a return order, printed by the warehouse: what the parcel should hold,
with boxes to write the quantities received and tick the action taken, and the return order's
reference as a Code128 barcode, which the "to receive" screen's search box reads back from a
scanner. Drawn with reportlab, as the portal's return slip (``shipbacks.portal.pdf``)."""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import ReturnOrder
from .portal.pdf import INK, LINE, MUTED, _address_lines, _paragraph, _styles

BLANK_LINES = 3  # rows left empty for units that arrived without being expected


def _details(return_order: ReturnOrder) -> list[tuple[str, str]]:
    shipback, order = return_order.shipback, return_order.order
    customer = (shipback.customer if shipback else None) or (order.customer if order else None)
    tracking = return_order.tracking_number or (shipback.tracking_number if shipback else "")
    return [
        ("RMA", shipback.rma if shipback else "-"),
        ("Warehouse", f"{return_order.warehouse.name} ({return_order.warehouse.reference})"),
        (
            "Order",
            order.order_number if order else f"{return_order.source} {return_order.source_ref}",
        ),
        ("Customer", f"{customer.full_name} <{customer.email}>" if customer else "-"),
        ("Tracking number", tracking or "-"),
        ("Reason", return_order.reason or "-"),
        ("Created", date_format(timezone.localtime(return_order.created_at), "DATE_FORMAT")),
    ]


def receiving_slip_pdf(return_order: ReturnOrder) -> bytes:
    """The slip as PDF bytes. Three queries: the return order's relations are read with it when
    loaded with ``select_related("warehouse__address", "order__customer",
    "shipback__customer")``; the expected items here."""
    styles = _styles()
    items = list(return_order.expected_items.select_related("product").order_by("created_at", "pk"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Receiving slip {return_order.reference}",
        author=settings.RETURNS_MERCHANT_NAME,
    )
    barcode = code128.Code128(
        return_order.reference, barHeight=16 * mm, barWidth=0.42 * mm, humanReadable=True
    )
    header = Table(
        [
            [
                [
                    Paragraph(escape(settings.RETURNS_MERCHANT_NAME), styles["muted"]),
                    Paragraph("Receiving slip", styles["title"]),
                    Paragraph(escape(return_order.reference), styles["rma"]),
                ],
                barcode,
            ]
        ],
        colWidths=[100 * mm, 80 * mm],
    )
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),  # room for the barcode's text
            ]
        )
    )
    details = Table(
        [
            [Paragraph(escape(label), styles["muted"]), Paragraph(escape(value), styles["body"])]
            for label, value in _details(return_order)
        ],
        colWidths=[32 * mm, 148 * mm],
    )
    details.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    cell = styles["cell"]
    code = ParagraphStyle("code", parent=cell, fontSize=8, leading=10)
    rows = [
        [
            "Reference",
            "EAN",
            "Item",
            "Expected",
            "Requested",
            "Received",
            "Restock",
            "Quarantine",
            "Dispose",
        ]
    ]
    for item in items:
        product = item.product
        rows.append(
            [
                Paragraph(escape(product.reference), code),
                Paragraph(escape(product.ean or "-"), code),
                Paragraph(escape(product.label), cell),
                "unexpected" if item.unexpected else str(item.quantity_expected),
                item.get_requested_action_display(),
                "",
                "",
                "",
                "",
            ]
        )
    rows += [[""] * 9 for _ in range(BLANK_LINES)]
    widths = [27, 27, 34, 13, 17, 16, 15, 18, 13]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("FONTSIZE", (0, 0), (-1, 0), 7.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("TOPPADDING", (0, 1), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
                # The boxes to write in: received quantity and the split by action.
                ("BOX", (5, 1), (5, -1), 0.8, INK),
                ("INNERGRID", (5, 1), (-1, -1), 0.5, MUTED),
                ("BOX", (6, 1), (-1, -1), 0.8, INK),
                ("LINEBELOW", (0, 1), (4, -1), 0.3, LINE),
            ]
        )
    )
    warehouse = return_order.warehouse
    story = [
        header,
        Spacer(0, 3 * mm),
        details,
        Paragraph("Expected items", styles["h2"]),
        table,
        Paragraph(
            escape(
                "Write the number of units received in each line (0 when missing) and how many "
                "were restocked, quarantined or disposed of; add the units that were not "
                "expected in the empty lines."
            ),
            styles["muted"],
        ),
        Spacer(0, 8 * mm),
        Table(
            [["Received by", "Date", "Signature"], ["", "", ""]],
            colWidths=[60 * mm, 60 * mm, 60 * mm],
            rowHeights=[None, 12 * mm],
            style=TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
                    ("LINEBELOW", (0, 1), (-1, 1), 0.5, INK),
                ]
            ),
        ),
        Spacer(0, 6 * mm),
        _paragraph([warehouse.name, *_address_lines(warehouse.address)], styles["muted"]),
    ]
    document.build(story)
    return buffer.getvalue()
