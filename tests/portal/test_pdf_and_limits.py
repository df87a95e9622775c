"""The return slip, the rate limiter and the site-wide content security policy."""

import base64
import re
import zlib

import pytest
from django.utils import translation

from shipbacks.portal import ratelimit
from shipbacks.portal.pdf import return_slip_pdf
from shipbacks.portal.templatetags.portal import format_price, hours_lines

from .helpers import add_item, confirmed_return, make_order

pytestmark = pytest.mark.django_db


def _streams(pdf: bytes) -> list[bytes]:
    """The content streams, as reportlab writes them: ASCII85, then Flate."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = raw.strip()
        try:
            streams.append(zlib.decompress(base64.a85decode(b"<~" + raw, adobe=True)))
        except (ValueError, zlib.error):
            streams.append(raw)
    return streams


def _unescape(text: bytes) -> str:
    text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), text)
    text = re.sub(rb"\\(.)", rb"\1", text)
    return text.decode("cp1252")


def _text(pdf: bytes) -> str:
    """The text shown on the pages: the strings of their Tj operators."""
    strings = []
    for stream in _streams(pdf):
        strings += re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", stream)
    return "\n".join(_unescape(s) for s in strings)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_the_return_slip_has_the_rma_the_warehouse_and_the_items(portal):
    order = make_order(items=0)
    add_item(order, label="Linen shirt & tie <blue>")
    shipback = confirmed_return(order, mode="direct")

    text = _text(return_slip_pdf(shipback))

    assert shipback.rma in text
    assert "Paris Nord" in text
    assert portal["warehouse"].address.zipcode in text
    assert "Linen shirt & tie <blue>" in text.replace("\n", "")  # escaped, then drawn as is
    assert "Doesn't fit" in text


def test_the_return_slip_speaks_french_and_runs_over_pages(portal):
    shipback = confirmed_return(make_order(items=30), mode="direct")

    with translation.override("fr"):
        pdf = return_slip_pdf(shipback)

    assert _pages(pdf) >= 2
    assert "Bon de retour" in _text(pdf)
    assert "Ne me va pas" in _text(pdf)


def test_a_barcode_and_a_qr_code_are_drawn(portal):
    shipback = confirmed_return(make_order(), mode="direct")

    pdf = return_slip_pdf(shipback)

    # Code128 bars and QR modules are filled rectangles: well over a hundred on the page; the
    # barcode prints the RMA under its bars too.
    assert sum(stream.count(b" re") for stream in _streams(pdf)) > 100
    assert _text(pdf).count(shipback.rma) >= 2


def test_the_limit_counts_per_scope_and_window(settings):
    settings.RETURNS_PORTAL_LOOKUP_ATTEMPTS = 2
    scopes = {"ip": "10.0.0.1", "order": "DEMO-1"}

    assert ratelimit.lookup_check(scopes).allowed
    ratelimit.lookup_failed(scopes)
    ratelimit.lookup_failed(scopes)
    verdict = ratelimit.lookup_check(scopes)

    assert not verdict.allowed
    assert 0 < verdict.retry_after <= settings.RETURNS_PORTAL_LOOKUP_WINDOW.total_seconds()
    assert ratelimit.lookup_check({"ip": "10.0.0.2", "order": "DEMO-2"}).allowed
    assert not ratelimit.lookup_check({"ip": "10.0.0.2", "order": "DEMO-1"}).allowed


def test_behind_a_proxy_the_address_it_saw_is_used(rf, settings):
    settings.RETURNS_PORTAL_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8", REMOTE_ADDR="10.0.0.1")

    assert ratelimit.client_address(request) == "5.6.7.8"


def test_prices_are_written_the_way_each_language_does():
    assert format_price(450, "EUR", "en") == "€4.50"
    assert format_price(450, "EUR", "fr") == "4,50\N{NO-BREAK SPACE}€"
    assert format_price(1299, "USD", "en") == "$12.99"
    assert format_price(5, "CHF", "en") == "0.05\N{NO-BREAK SPACE}CHF"


def test_opening_hours_are_grouped_by_days_alike():
    week = dict.fromkeys(["monday", "tuesday", "wednesday", "thursday", "friday"], "08-19")

    assert hours_lines({**week, "saturday": "09-12"}) == ["Monday–Friday: 08-19", "Saturday: 09-12"]
    assert hours_lines("Mon–Sat 9–19") == ["Mon–Sat 9–19"]
    assert hours_lines(None) == []


def test_the_admin_gets_the_strict_policy_too(admin_client):
    response = admin_client.get("/admin/")

    assert "default-src 'none'" in response["Content-Security-Policy"]
