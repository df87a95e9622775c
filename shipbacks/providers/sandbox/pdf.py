"""The sandbox's return labels: a real PDF, drawn with reportlab, that a carrier could scan.

The page carries the RMA, the carrier and mode, the sender (the customer) and the addressee (the
returns warehouse), the returned items, and the tracking number as a Code 128 barcode with its
human-readable line. Page streams are left uncompressed: a label is a few kilobytes, and its text
stays searchable in the file.
"""

from io import BytesIO

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

WAREHOUSE = ("ShopRunBack sandbox returns", "12 rue du Retour", "75010 Paris", "FR")
BAR_HEIGHT = 22 * mm
BAR_WIDTH = 0.33 * mm


def barcode(value: str) -> Code128:
    """The tracking number's barcode as drawn on the label (tests measure it the same way)."""
    return Code128(value, barHeight=BAR_HEIGHT, barWidth=BAR_WIDTH, humanReadable=False)


def label_pdf(shipback: dict, order: dict) -> bytes:
    """The label of ``shipback`` (ShopRunBack's shipback JSON) from ``order`` (its order JSON)."""
    buffer = BytesIO()
    width, height = A6
    canvas = Canvas(buffer, pagesize=A6, pageCompression=0)
    canvas.setTitle(f"Return label {shipback['rma']}")
    canvas.setAuthor("ShopRunBack sandbox")
    canvas.setSubject(f"Tracking number {shipback['tracking_number']}")
    margin, y = 8 * mm, height - 12 * mm

    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(margin, y, f"RMA {shipback['rma']}")
    canvas.setFont("Helvetica", 9)
    carrier = shipback.get("carrier") or "Carrier"
    canvas.drawRightString(width - margin, y, f"{carrier} - {shipback.get('mode') or ''}")
    y -= 9 * mm

    customer = shipback.get("customer") or order.get("customer") or {}
    address = customer.get("address") or {}
    sender = [
        f"{customer.get('first_name', '')} {customer.get('last_name', '')}".strip(),
        address.get("line1") or "",
        address.get("line2") or "",
        f"{address.get('zipcode', '')} {address.get('city', '')}".strip(),
        address.get("country_code") or "",
    ]
    y = _block(canvas, margin, y, "From", [line for line in sender if line])
    y = _block(canvas, margin, y - 3 * mm, "To", list(WAREHOUSE))

    canvas.setFont("Helvetica", 7)
    items = {item["id"]: item for item in order.get("items", [])}
    for returned in shipback.get("items", [])[:6]:
        item = items.get(returned["item_id"], {})
        canvas.drawString(
            margin,
            y,
            f"- {item.get('label') or item.get('product', {}).get('label') or ''}"
            f" ({returned['reason_code']})",
        )
        y -= 3.5 * mm

    tracking = shipback["tracking_number"]
    bars = barcode(tracking)
    bars.drawOn(canvas, (width - bars.width) / 2, 16 * mm)
    canvas.setFont("Courier-Bold", 10)
    canvas.drawCentredString(width / 2, 11 * mm, tracking)
    canvas.setFont("Helvetica", 6)
    canvas.drawCentredString(width / 2, 6 * mm, f"Order {order.get('order_number', '')}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _block(canvas: Canvas, x: float, y: float, title: str, lines: list[str]) -> float:
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(x, y, title)
    canvas.setFont("Helvetica", 9)
    for line in lines:
        y -= 4 * mm
        canvas.drawString(x + 10 * mm, y, line)
    return y - 4 * mm
