"""The examples of ShopRunBack's API documents (seeds 002 and 003), for the OpenAPI schema.

Bodies are as printed (without their trailing commas, which the API forgives); ids are the
documents' own.
"""

from drf_spectacular.utils import OpenApiExample

APPLE_ID = "1f27f9d9-3b5c-4152-98b7-760f56967dea"


def request(name: str, value, description: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True, description=description)


def response(name: str, value, status_code: int | str = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status_code)])


BRAND_CREATE = request("Create a brand", {"name": "Apple", "reference": "apple"})
BRAND = {"id": APPLE_ID, "name": "Apple", "reference": "apple", "default": False}
BRAND_CREATED = response("The brand created", BRAND, 201)

PRODUCT_WITH_BRAND_ID = request(
    "Add your products",
    {
        "label": "Iphone 14S Blue",
        "reference": "IPHONE 14S B",
        "ean": "1258987561456",
        "weight_grams": 200,
        "brand_id": APPLE_ID,
        "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg",
    },
)
PRODUCT_WITH_BRAND = request(
    "Create a product with its brand",
    {
        "label": "Iphone 14S Blue",
        "reference": "IPHONE 14S B",
        "ean": "1258987561456",
        "weight_in_grams": 200,
        "brand": {"name": "Apple", "reference": "apple"},
        "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg",
    },
    "If two products have the same brand `reference`, only one brand is created.",
)
PRODUCT = {
    "id": APPLE_ID,
    "label": "Iphone 14S Blue",
    "reference": "IPHONE 14S B",
    "ean": "1258987561456",
    "weight_grams": 200,
    "picture_url": "https://s3.eu-central-1.amazonaws.com/shoprunback-dev/products/484/7b4/f4-/pictures/medium.?1505912197",
    "brand": {"id": "20d0be72-a191-4eb8-af22-9dd4c3e65fe8", "name": "Apple", "reference": "apple"},
}
PRODUCT_CREATED = response("The product created", PRODUCT, 201)

ADDRESS = {
    "line1": "One Infinite Loop",
    "line2": "Building B",
    "zipcode": "95014",
    "country_code": "US",
    "city": "Cupertino",
    "state": "California",
}
CUSTOMER = {
    "first_name": "Steve",
    "last_name": "Jobs",
    "email": "steve@apple.com",
    "phone": "555-878-456",
    "address": ADDRESS,
}
ORDER_CREATE = request(
    "Create an order",
    {
        "ordered_at": "2017-02-03",
        "order_number": "4548-9854",
        "customer": CUSTOMER,
        "items": [{"product_id": APPLE_ID}, {"product_id": APPLE_ID}],
        "metadata": {"foo": "bar", "bar": "foo"},
    },
)
ORDER_WITH_REFERENCES = request(
    "Create the order with your own references",
    {
        "ordered_at": "2017-06-12",
        "order_number": "1234567",
        "customer": {
            "first_name": "John",
            "last_name": "Doe",
            "email": "john@doe.com",
            "phone": "1230145365",
            "address": {
                "line1": "651 rue de dunkerque",
                "zipcode": "78010",
                "country_code": "FR",
                "city": "Paris",
            },
        },
        "items": [
            {"label": "Chemise bleu", "reference": "item 001", "product_id": "reference1"},
            {"label": "Casquette rouge", "reference": "item 2", "product_id": "reference2"},
        ],
    },
    "Items named by your own references, products by their reference: the shipback can then "
    "be created without reading this response.",
)
_ITEM_PRODUCT = {
    "id": APPLE_ID,
    "label": "Iphone 14S Red",
    "reference": "IPHONE 14S B",
    "ean": "1258987561456",
    "brand_id": APPLE_ID,
    "brand_name": "Apple",
    "picture_url": "http://s3.amazonaws/assets/iphone_14s.jpg",
}
ORDER = {
    "id": APPLE_ID,
    "ordered_at": "2017-02-03",
    "order_number": "4548-9854",
    "customer": {"id": APPLE_ID, **CUSTOMER, "address": {"id": APPLE_ID, **ADDRESS}},
    "items": [{"id": APPLE_ID, "product_id": APPLE_ID, "product": _ITEM_PRODUCT}],
    "metadata": {"foo": "bar"},
    "shipback": None,
}
ORDER_CREATED = response("The order created", ORDER, 201)
ORDER_UPDATE = request(
    "Update an order",
    {
        "ordered_at": "2017-02-03",
        "order_number": "4548-9854",
        "customer": CUSTOMER,
        "metadata": {"foo": "bar"},
    },
    "Only the keys given change. Items are changed through /orders/{id}/items.",
)

SHIPBACK_CREATE = request(
    "Create the shipback with your own references",
    {
        "mode": "pickup",
        "order_id": "1234567",
        "items": [{"item_id": "item 2", "reason_code": "doesnt_fit"}],
    },
    "`order_id` may be the order number and `item_id` the item's reference.",
)
MODE_DROPOFF = request("Mode dropoff", {"dropoff_code": "O4001", "mode": "dropoff"})
MODE_PICKUP = request(
    "Mode pickup",
    {"pickup_datetime": "2018-01-18 14:00:00", "pickup_duration": "120", "mode": "pickup"},
)
OVERRIDE_RELOCATION = request(
    "Override the relocation warehouse",
    {"mode": "pickup", "overrides": {"relocation_warehouse_id": "E002"}},
)
OVERRIDE_PRICES = request(
    "Override the customer's prices",
    {
        "mode": "pickup",
        "overrides": {
            "dropoff_customer_price_cents": 300,
            "postal_customer_price_cents": 450,
            "pickup_customer_price_cents": 1200,
        },
    },
)
TRY_AT_HOME = request("Try at home", {"overrides": {"try_at_home": True}})

QUOTES_COMPUTING = response(
    "Quotes being computed",
    [
        {
            "id": "570f3429-25ec-4685-9229-581853d0fecc",
            "state": "computing",
            "mode": "postal",
            "price_cents": None,
            "customer_price_cents": None,
        },
        {
            "id": "dc1383df-020b-44a6-8100-69bed63c35ee",
            "state": "computing",
            "mode": "pickup",
            "price_cents": None,
            "customer_price_cents": None,
        },
        {
            "id": "d014d7c6-8f46-4c87-9d81-df91d502b1ef",
            "state": "computing",
            "mode": "dropoff",
            "price_cents": None,
            "customer_price_cents": None,
        },
    ],
)

DEPENDENT_SHIPBACK = (
    "DEPENDENT_SHIPBACK",
    "dependent shipback found (fee4a476-13ff-422d-85df-4ef68fa0c8d7)",
)
SHIPBACK_REGISTERED = (
    "SHIPBACK_REGISTERED",
    "This shipback is already processing. You can't delete it.",
)

RETURN_ORDER_FROM_ORDER = request(
    "Create with your own system",
    {
        "order_id": 123,
        "reason": "broken product",
        "reason_ref": "REPAiR",
        "return_order_type": "return_order_customer",
        "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
    },
    "Shippingbo's body: `order_id` is the order's id, number or Shippingbo id.",
)
RETURN_ORDER_FROM_SOURCE = request(
    "Create with order source information (for a third party)",
    {
        "source": "Amazon-123",
        "source_ref": "amazon_order_id",
        "reason": "broken product",
        "reason_ref": "REPAiR",
        "return_order_type": "return_order_customer",
        "supplier_id": 1,
        "return_order_expected_items_attributes": [{"quantity": 2, "user_ref": "my_sku"}],
    },
    "The order is matched by `source` and `source_ref` (404 if none); `supplier_id` is the "
    "warehouse's Shippingbo supplier id.",
)
