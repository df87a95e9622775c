"""The return slip of a direct return (the customer sends the parcel without a carrier label):
the RMA as text, Code128 barcode and QR code, where to send the parcel, and what is inside.
In the active language."""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shipbacks.models import Shipback
from shipbacks.services.portal import shipback_destinations

INK = colors.HexColor("#1c2b39")
MUTED = colors.HexColor("#52606d")
LINE = colors.HexColor("#c9d2dc")


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], alignment=0, textColor=INK),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=INK, spaceBefore=8),
        "body": ParagraphStyle("body", parent=base["BodyText"], textColor=INK, leading=14),
        "muted": ParagraphStyle("muted", parent=base["BodyText"], textColor=MUTED, fontSize=9),
        "rma": ParagraphStyle(
            "rma", parent=base["Title"], fontSize=28, leading=34, alignment=0, textColor=INK
        ),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=9, leading=11),
    }


def _qr(value: str, size: float) -> Drawing:
    widget = qr.QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _address_lines(address) -> list[str]:
    if address is None:
        return []
    city = " ".join(part for part in (address.zipcode, address.city) if part)
    lines = [address.line1, address.line2, city, address.state, address.country_code]
    return [line for line in lines if line]


def _paragraph(lines: list[str], style) -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def return_slip_pdf(shipback: Shipback) -> bytes:
    """The slip as PDF bytes; call with the shipback's registered, direct return."""
    styles = _styles()
    items = list(
        shipback.returned_items.select_related("order_item__product", "reason").order_by(
            "created_at", "pk"
        )
    )
    destinations = shipback_destinations(shipback=shipback, items=items)
    language = get_language()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Return slip %(rma)s") % {"rma": shipback.rma},
        author=settings.RETURNS_MERCHANT_NAME,
    )
    story = [
        Paragraph(escape(settings.RETURNS_MERCHANT_NAME), styles["muted"]),
        Paragraph(escape(_("Return slip")), styles["title"]),
    ]
    barcode = code128.Code128(
        shipback.rma, barHeight=18 * mm, barWidth=0.45 * mm, humanReadable=True
    )
    codes = Table(
        [
            [
                [
                    Paragraph(escape(_("Return number (RMA)")), styles["muted"]),
                    Paragraph(escape(shipback.rma), styles["rma"]),
                    barcode,
                ],
                _qr(shipback.rma, 34 * mm),
            ]
        ],
        colWidths=[120 * mm, 54 * mm],
    )
    codes.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("BOX", (0, 0), (-1, -1), 0.8, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 14),  # room for the barcode's text
            ]
        )
    )
    registered = timezone.localtime(shipback.registered_at) if shipback.registered_at else None
    story += [
        codes,
        Spacer(0, 4 * mm),
        Paragraph(
            escape(
                _("Order %(order)s, return registered on %(date)s.")
                % {
                    "order": shipback.order.order_number,
                    "date": date_format(registered, "DATE_FORMAT") if registered else "",
                }
            ),
            styles["body"],
        ),
        Paragraph(escape(_("How to send your return")), styles["h2"]),
        Paragraph(
            escape(
                _(
                    "Pack the items below, put this slip inside the parcel and write the return "
                    "number on the outside. Send the parcel with the carrier of your choice to "
                    "the address below and keep the proof of postage."
                )
            ),
            styles["body"],
        ),
    ]
    customer = shipback.customer
    sender = _paragraph([customer.full_name, *_address_lines(customer.address)], styles["body"])
    for destination in destinations:
        warehouse = destination.warehouse
        recipient = _paragraph(
            [
                settings.RETURNS_MERCHANT_NAME,
                f"{warehouse.name} – {shipback.rma}",
                *_address_lines(warehouse.address),
            ],
            styles["body"],
        )
        addresses = Table(
            [
                [
                    Paragraph(escape(_("Send to")), styles["h2"]),
                    Paragraph(escape(_("From")), styles["h2"]),
                ],
                [recipient, sender],
            ],
            colWidths=[87 * mm, 87 * mm],
        )
        addresses.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        rows = [[_("Item"), _("Reference"), _("Qty"), _("Reason")]]
        rows += [
            [
                Paragraph(escape(item.order_item.display_label), styles["cell"]),
                Paragraph(escape(item.order_item.reference), styles["cell"]),
                str(item.quantity),
                Paragraph(escape(item.reason.label(language)), styles["cell"]),
            ]
            for item in destination.items
        ]
        table = Table(rows, colWidths=[72 * mm, 38 * mm, 14 * mm, 50 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ]
            )
        )
        story += [
            Spacer(0, 4 * mm),
            KeepTogether([addresses]),
            Paragraph(escape(_("In this parcel")), styles["h2"]),
            table,
        ]
    document.build(story)
    return buffer.getvalue()
