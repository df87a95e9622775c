"""The warehouse's receiving screens in Debian's Chromium, against a live server with the demo
data: the demo user ``warehouse`` logs in, scans a parcel, receives it and completes it.

Screenshots of each step are saved under var/screenshots/backoffice-*.png.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from catalog.models import Brand
from shipbacks.demo import seed_demo
from shipbacks.models import ItemAction, ReturnOrder, Shipback
from shipbacks.selectors import return_orders_for
from tests.portal.browser import (
    CHROMIUM,
    CSP_PROBE,
    PortalSite,
    csp_violations,
    screenshot,
    unlabelled_fields,
)

pytestmark = [
    pytest.mark.browser,
    # A live server needs committed data (flushed after each test).
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; CI installs it)",
    ),
]

DEMO_ORDERS = 20  # enough for return orders in every state at the warehouse user's sites


@pytest.fixture
def site(chromium, monkeypatch, settings, tmp_path):
    if not settings.PROVIDERS_SANDBOX:
        pytest.skip("the provider sandbox is off (PROVIDERS_SANDBOX=false)")
    settings.DEBUG = True  # the demo logins exist only in development
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    site = PortalSite(monkeypatch, settings, tmp_path)
    with site.lock:
        # The default brand comes from a data migration, which the flush after a test with a
        # live server removes.
        Brand.objects.get_or_create(
            is_default=True, defaults={"name": "default", "reference": "default"}
        )
        seed_demo(orders=DEMO_ORDERS)
    yield site
    site.stop()
    assert site.errors == []


@pytest.fixture
def page(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(CSP_PROBE)
    context.set_default_timeout(45_000)
    page = context.new_page()
    yield page
    assert csp_violations(page) == []
    context.close()


def parcel_to_receive(site) -> ReturnOrder:
    """A demo return order the warehouse user awaits, sent by a customer (it has a shipback)."""
    with site.lock:
        user = get_user_model().objects.get(username="warehouse")
        return (
            return_orders_for(user)
            .awaiting_arrival()
            .filter(shipback__state=Shipback.State.DELIVERING)
            .select_related("shipback")
            .order_by("created_at")
            .first()
        )


def test_the_warehouse_user_scans_receives_and_completes_a_demo_return(page, site):
    return_order = parcel_to_receive(site)
    assert return_order is not None, "the demo data has no parcel on its way to the warehouse"
    with site.lock:
        expected = list(
            return_order.expected_items.order_by("created_at", "pk").values_list(
                "quantity_expected", flat=True
            )
        )

    # given: the demo warehouse user logs in, straight to the parcels to receive
    page.goto(f"{site.url}/admin/shipbacks/returnorder/to-receive/")
    page.locator("#id_username").fill("warehouse")
    page.locator("#id_password").fill("warehouse")
    page.locator("#id_password").press("Enter")
    search = page.locator("#rcv-q")
    expect(search).to_be_focused()
    expect(page.locator(".rcv-list").first).to_contain_text(return_order.reference)
    screenshot(page, "backoffice-1-to-receive")

    # when: the scanner types the reference of the parcel's slip, then Enter
    page.keyboard.type(return_order.reference)
    page.keyboard.press("Enter")

    # then: its receiving screen, the first quantity ready to type in
    expect(page).to_have_url(f"{site.url}/admin/shipbacks/returnorder/{return_order.pk}/receive/")
    expect(page.locator("input[name=item-0-received]")).to_be_focused()
    assert unlabelled_fields(page) == []
    screenshot(page, "backoffice-2-receive")

    # when: everything arrived; the first line's units are restocked, with a reason
    page.get_by_role("button", name="Receive all expected units").click()
    for index, quantity in enumerate(expected):
        expect(page.locator(f"input[name=item-{index}-received]")).to_have_value(str(quantity))
    restock = page.locator("input[name=item-0-restock]")
    expect(restock).to_have_value(str(expected[0]))
    page.locator("input[name=item-0-restock_reason]").fill("Unworn, tags attached")
    screenshot(page, "backoffice-3-received")
    page.get_by_role("button", name="Save", exact=True).click()

    # then: saved, processing, the actions recorded by the warehouse user
    expect(page.locator(".messagelist")).to_contain_text("saved: processing")
    expect(page.locator(".rcv-done").first).to_contain_text("Unworn, tags attached")
    screenshot(page, "backoffice-4-saved")
    with site.lock:
        return_order.refresh_from_db()
        assert return_order.state == ReturnOrder.State.PROCESSING
        actions = ItemAction.objects.filter(expected_item__return_order=return_order)
        assert sum(action.quantity for action in actions) == sum(expected)
        assert {action.performed_by.username for action in actions} == {"warehouse"}

    # when: completed
    page.get_by_role("button", name="Save and complete").click()

    # then: back to the parcels to receive, this one done and its customer's return relocated
    expect(page).to_have_url(f"{site.url}/admin/shipbacks/returnorder/to-receive/")
    expect(page.locator(".messagelist")).to_contain_text(f"{return_order.reference} completed.")
    expect(page.locator("#rcv-q")).to_be_focused()
    expect(page.locator("#content-main")).not_to_contain_text(return_order.reference)
    screenshot(page, "backoffice-5-completed")
    with site.lock:
        return_order.refresh_from_db()
        assert return_order.state == ReturnOrder.State.COMPLETED
        shipback = Shipback.objects.get(pk=return_order.shipback_id)
        assert shipback.state == Shipback.State.RELOCATED
        assert set(shipback.returned_items.values_list("state", flat=True)) == {"relocated"}

    # and: its receipt is read-only, and its page links to it and to the slip
    page.goto(f"{site.url}/admin/shipbacks/returnorder/{return_order.pk}/receive/")
    expect(page.locator("h1")).to_contain_text(f"Receipt of {return_order.reference}")
    expect(page.locator("input[name=item-0-received]")).to_have_count(0)
    screenshot(page, "backoffice-6-receipt")
    page.get_by_role("link", name="Return order page").click()
    expect(page.get_by_role("link", name="View receipt")).to_be_visible()
    expect(page.get_by_role("link", name="Receiving slip (PDF)")).to_be_visible()
    screenshot(page, "backoffice-7-return-order-page")


def test_receiving_works_without_javascript_and_with_the_keyboard(chromium, site):
    return_order = parcel_to_receive(site)
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{site.url}/admin/login/?next=/admin/shipbacks/returnorder/to-receive/")
    page.locator("#id_username").fill("warehouse")
    page.locator("#id_password").fill("warehouse")
    page.locator("#id_password").press("Enter")
    page.locator("#rcv-q").fill(return_order.shipback.rma)
    page.locator("#rcv-q").press("Enter")
    expect(page.locator("h1")).to_contain_text(return_order.reference)

    # "Receive all" posts the form: the page comes back filled in, nothing saved yet
    page.get_by_role("button", name="Receive all expected units").click()
    expect(page.locator("input[name=item-0-received]")).not_to_have_value("0")
    with site.lock:
        assert ReturnOrder.objects.get(pk=return_order.pk).state == return_order.state
    screenshot(page, "backoffice-8-receive-all-without-script")
    # Enter in a field saves (the form's first button)
    page.locator("input[name=item-0-restock_reason]").press("Enter")

    expect(page.locator(".messagelist")).to_contain_text("saved: processing")
    context.close()
