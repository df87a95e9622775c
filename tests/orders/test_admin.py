import datetime

import pytest
from django.urls import reverse

from catalog.models import Product
from orders.models import Address, Customer, Order, OrderItem, Shipment
from tests.admin_pages import add_row, count_queries, form_data, form_errors, log_in
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ReturnedItemFactory,
    ShipbackFactory,
    ShipmentFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:orders_order_changelist")
ORDER_ADD = reverse("admin:orders_order_add")


@pytest.fixture
def admin_client(client):
    """pytest-django's, without the slow password hashing."""
    log_in(client, SuperuserFactory)
    return client


def order_form(customer, **fields):
    data = {
        "order_number": "ORD-NEW",
        "ordered_at": "2025-03-01",
        "customer": str(customer.pk),
        "source": "",
        "source_ref": "",
        "tags": "[]",
        "metadata": "{}",
        "shippingbo_order_id": "",
        "kibo_order_id": "",
    }
    for prefix in ("items", "shipments"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    data.update(fields)
    return data


def item_row(product, **fields):
    return {
        "product": str(product.pk),
        "reference": "1",
        "label": "",
        "barcode": "",
        "price_cents": "1000",
        "currency": "EUR",
        "quantity": "1",
    } | fields


@pytest.mark.parametrize(
    "model", ["address", "customer", "order", "orderitem", "shipment"], ids=str
)
def test_every_orders_list_renders_searches_and_has_an_add_form(admin_client, model):
    ShipmentFactory.create_batch(2)
    OrderItemFactory.create_batch(2)
    changelist = reverse(f"admin:orders_{model}_changelist")

    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "ORD"}).status_code == 200
    assert admin_client.get(reverse(f"admin:orders_{model}_add")).status_code == 200


def test_order_list_shows_number_date_customer_item_count_and_shipback(admin_client):
    with_return = OrderFactory(order_number="ORD-A", items=3, customer__last_name="Durand")
    ShipbackFactory(order=with_return)
    OrderFactory(order_number="ORD-B", items=1)

    response = admin_client.get(ORDERS)

    rows = {order.order_number: order for order in response.context["cl"].result_list}
    assert (rows["ORD-A"].item_count, rows["ORD-A"].has_shipback) == (3, True)
    assert (rows["ORD-B"].item_count, rows["ORD-B"].has_shipback) == (1, False)
    assert "Camille Durand" in response.content.decode()


@pytest.mark.parametrize(("has_shipback", "expected"), [("yes", ["ORD-A"]), ("no", ["ORD-B"])])
def test_orders_are_filtered_by_having_a_shipback(admin_client, has_shipback, expected):
    ShipbackFactory(order=OrderFactory(order_number="ORD-A"))
    OrderFactory(order_number="ORD-B")

    response = admin_client.get(ORDERS, {"has_shipback": has_shipback})

    assert [o.order_number for o in response.context["cl"].result_list] == expected


@pytest.mark.parametrize("query", ["ORD-777", "camille.durand@example.com", "Durand", "Zoé"])
def test_orders_are_found_by_number_customer_email_or_name(admin_client, query):
    OrderFactory(
        order_number="ORD-777",
        customer__first_name="Zoé",
        customer__last_name="Durand",
        customer__email="camille.durand@example.com",
    )
    OrderFactory(order_number="ORD-888")

    response = admin_client.get(ORDERS, {"q": query})

    assert [o.order_number for o in response.context["cl"].result_list] == ["ORD-777"]


def test_order_list_takes_the_same_queries_for_two_or_fifteen_orders(admin_client):
    for _ in range(2):
        ShipbackFactory(order=OrderFactory(items=2))
    admin_client.get(ORDERS)  # warm the caches (content types, session)
    few = count_queries(admin_client, ORDERS)

    for _ in range(13):
        ShipbackFactory(order=OrderFactory(items=2))
    many = count_queries(admin_client, ORDERS)

    assert many == few


def test_order_page_takes_the_same_queries_for_one_or_ten_items(admin_client):
    small = OrderFactory(items=1)
    ShipmentFactory(order=small)
    large = OrderFactory(items=10)
    ShipmentFactory.create_batch(5, order=large)
    ShipbackFactory(order=large)
    admin_client.get(reverse("admin:orders_order_change", args=[small.pk]))  # warm the caches

    one = count_queries(admin_client, reverse("admin:orders_order_change", args=[small.pk]))
    ten = count_queries(admin_client, reverse("admin:orders_order_change", args=[large.pk]))

    assert ten == one


def test_order_page_shows_items_shipments_and_links_to_its_shipbacks(admin_client):
    order = OrderFactory(items=2)
    shipment = ShipmentFactory(order=order)
    shipback = ShipbackFactory(order=order)

    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    formsets = {i.formset.prefix: i.formset for i in response.context["inline_admin_formsets"]}
    assert len(formsets["items"].initial_forms) == 2
    assert formsets["shipments"].initial_forms[0].instance == shipment
    content = response.content.decode()
    assert reverse("admin:shipbacks_shipback_change", args=[shipback.pk]) in content
    assert shipback.rma in content


def test_adding_an_order_with_items_and_a_shipment_saves_them(admin_client):
    customer = CustomerFactory()
    product = ProductFactory()
    data = order_form(customer)
    add_row(data, "items", **item_row(product, reference="A"))
    add_row(data, "items", **item_row(product, reference="B", quantity="2"))
    add_row(data, "shipments", carrier="Colissimo", tracking_number="6A123")

    response = admin_client.post(ORDER_ADD, data)

    assert response.status_code == 302, form_errors(response)
    order = Order.objects.get(order_number="ORD-NEW")
    assert [(i.reference, i.quantity) for i in order.items.all()] == [("A", 1), ("B", 2)]
    assert [s.tracking_number for s in order.shipments.all()] == ["6A123"]


def test_an_order_without_items_is_refused(admin_client):
    response = admin_client.post(ORDER_ADD, order_form(CustomerFactory()))

    assert response.status_code == 200
    assert form_errors(response)["items"]
    assert not Order.objects.exists()


def test_a_taken_order_number_is_a_field_error_and_nothing_is_saved(admin_client):
    OrderFactory(order_number="ORD-NEW")
    data = order_form(CustomerFactory())
    add_row(data, "items", **item_row(ProductFactory()))

    response = admin_client.post(ORDER_ADD, data)

    assert response.status_code == 200
    assert "order_number" in form_errors(response)
    assert Order.objects.count() == 1
    assert not OrderItem.objects.exists()


def test_the_same_item_reference_twice_in_a_new_order_is_refused(admin_client):
    product = ProductFactory()
    data = order_form(CustomerFactory())
    add_row(data, "items", **item_row(product, reference="A"))
    add_row(data, "items", **item_row(product, reference="A"))

    response = admin_client.post(ORDER_ADD, data)

    assert response.status_code == 200
    assert form_errors(response)["items"]
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()


def test_an_item_reference_the_order_already_has_is_refused(admin_client):
    item = OrderItemFactory(reference="A")
    url = reverse("admin:orders_order_change", args=[item.order.pk])
    data = form_data(admin_client.get(url))
    add_row(data, "items", **item_row(item.product, reference="A"))
    data["order_number"] = "CHANGED"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert any(name.startswith("items-") for name in form_errors(response))
    item.order.refresh_from_db()
    assert item.order.order_number != "CHANGED"
    assert item.order.items.count() == 1


def test_a_shipment_delivered_before_it_was_shipped_is_refused(admin_client):
    order = OrderFactory(items=1)
    url = reverse("admin:orders_order_change", args=[order.pk])
    data = form_data(admin_client.get(url))
    add_row(
        data,
        "shipments",
        carrier="Colissimo",
        tracking_number="6A1",
        shipped_at_0="2025-03-05",
        shipped_at_1="10:00",
        delivered_at_0="2025-03-01",
        delivered_at_1="10:00",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response)
    assert not Shipment.objects.exists()


def test_deleting_an_order_with_a_shipback_shows_what_stops_it(admin_client):
    shipback = ShipbackFactory()
    url = reverse("admin:orders_order_delete", args=[shipback.order.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert shipback.rma in str(page.context["protected"])
    assert posted.status_code == 200
    assert Order.objects.filter(pk=shipback.order.pk).exists()


def test_deleting_orders_with_a_shipback_in_bulk_is_refused_too(admin_client):
    shipback = ShipbackFactory()
    free = OrderFactory()

    response = admin_client.post(
        ORDERS,
        {
            "action": "delete_selected",
            "_selected_action": [shipback.order.pk, free.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert Order.objects.count() == 2


def test_deleting_an_order_deletes_its_customer_and_address(admin_client):
    order = OrderFactory(items=2)
    customer, address = order.customer, order.customer.address

    response = admin_client.post(
        reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Order.objects.exists()
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Address.objects.filter(pk=address.pk).exists()
    assert Product.objects.count() == 2  # products stay in the catalog


def test_an_item_being_returned_cannot_be_deleted_from_its_order(admin_client):
    returned = ReturnedItemFactory()
    order = returned.shipback.order
    OrderItemFactory(order=order)
    url = reverse("admin:orders_order_change", args=[order.pk])
    data = form_data(admin_client.get(url))
    [row] = [k[: -len("-id")] for k, v in data.items() if v == str(returned.order_item.pk)]
    data[f"{row}-DELETE"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "would require deleting" in str(form_errors(response)), form_errors(response)
    assert OrderItem.objects.filter(pk=returned.order_item.pk).exists()


def test_customers_are_found_by_email_and_name(admin_client):
    CustomerFactory(last_name="Durand", email="zoe@example.com")
    CustomerFactory(last_name="Martin", email="paul@example.com")

    by_email = admin_client.get(reverse("admin:orders_customer_changelist"), {"q": "zoe@"})
    by_name = admin_client.get(reverse("admin:orders_customer_changelist"), {"q": "durand"})

    assert [c.email for c in by_email.context["cl"].result_list] == ["zoe@example.com"]
    assert [c.email for c in by_name.context["cl"].result_list] == ["zoe@example.com"]


def test_shipments_are_found_by_tracking_number(admin_client):
    ShipmentFactory(tracking_number="6A999")
    ShipmentFactory(tracking_number="6A111")

    response = admin_client.get(reverse("admin:orders_shipment_changelist"), {"q": "6A999"})

    assert [s.tracking_number for s in response.context["cl"].result_list] == ["6A999"]


def test_order_items_pick_orders_and_products_with_autocomplete(admin_client):
    item = OrderItemFactory()

    response = admin_client.get(reverse("admin:orders_orderitem_change", args=[item.pk]))
    autocomplete = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "orders",
            "model_name": "orderitem",
            "field_name": "order",
            "term": item.order.order_number,
        },
    )

    form = response.context["adminform"].form
    assert "admin-autocomplete" in form["order"].as_widget()
    assert "admin-autocomplete" in form["product"].as_widget()
    assert [r["text"] for r in autocomplete.json()["results"]] == [item.order.order_number]


def test_order_dates_are_kept_as_given(admin_client):
    data = order_form(CustomerFactory(), ordered_at="2025-02-28")
    add_row(data, "items", **item_row(ProductFactory()))

    admin_client.post(ORDER_ADD, data)

    assert Order.objects.get().ordered_at == datetime.date(2025, 2, 28)
