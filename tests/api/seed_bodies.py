# ruff: noqa: E501
"""Every request body printed in ShopRunBack's documents (seeds 002 and 003), verbatim.

Bodies of the curl and Ruby examples are the texts printed, trailing commas included. The PHP
examples build arrays: here is what their ``json_encode`` sends. The Ruby brand body is Ruby
syntax, not JSON: HTTParty form-encodes it (as it does every Hash body), which is what is kept.
"""

# (document, language, section of the document, body)
BODIES = [
    ("002", "ruby-httparty", "Create a brand", "name=Apple&reference=apple"),
    ("002", "curl", "Create a brand", '{\n  "name": "Apple",\n  "reference": "apple"\n}'),
    ("002", "php", "Create a brand", '{"name": "Apple", "reference": "apple"}'),
    (
        "002",
        "ruby",
        "Add your products",
        '{\n  "label": "Iphone 14S Blue",\n  "reference": "IPHONE 14S B",\n  "ean": "1258987561456",\n  "weight_grams": 200,\n  "brand_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n  "image_url": "http://www.apple.com/images/iphone-14s.jpg"\n}',
    ),
    (
        "002",
        "curl",
        "Add your products",
        '{\n  "label": "Iphone 14S Blue",\n  "reference": "IPHONE 14S B",\n  "ean": "1258987561456",\n  "weight_grams": 200,\n  "brand_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n  "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg"\n}',
    ),
    (
        "002",
        "php",
        "Add your products",
        '{"reference": "IPHONE 14S B", "id": "1f27f9d9-3b5c-4152-98b7-760f56967dea", "picture_url": "https://s3.eu-central-1.amazonaws.com/shoprunback-dev/products/484/7b4/f4-/pictures/medium.?1505912197", "label": "Iphone 14S Blue", "weight_grams": 200, "brand": {"id": "1f27f9d9-3b5c-4152-98b7-760f56967dea", "name": "Apple", "reference": "apple"}, "ean": "1258987561456"}',
    ),
    (
        "002",
        "ruby",
        "Create a product with its brand",
        '{\n  "label": "Iphone 14S Blue",\n  "reference": "IPHONE 14S B",\n  "ean": "1258987561456",\n  "brand": {\n    "name": "Apple",\n    "reference": "apple"\n  },\n  "image_url": "http://www.apple.com/images/iphone-14s.jpg"\n}',
    ),
    (
        "002",
        "curl",
        "Create a product with its brand",
        '{\n  "label": "Iphone 14S Blue",\n  "reference": "IPHONE 14S B",\n  "ean": "1258987561456",\n  "weight_in_grams": 200,\n  "brand": {\n    "name": "Apple",\n    "reference": "apple"\n  },\n  "picture_file_url": "http://www.apple.com/images/iphone-14s.jpg"\n}',
    ),
    (
        "002",
        "php",
        "Create a product with its brand",
        '{"reference": "IPHONE 14S B", "id": "1f27f9d9-3b5c-4152-98b7-760f56967dea", "picture_url": "https://s3.eu-central-1.amazonaws.com/shoprunback-dev/products/484/7b4/f4-/pictures/medium.?1505912197", "label": "Iphone 14S Blue", "brand": {"id": "20d0be72-a191-4eb8-af22-9dd4c3e65fe8", "name": "Apple", "reference": "apple"}, "weight_grams": 200, "ean": "1258987561456"}',
    ),
    (
        "002",
        "ruby",
        "Create an order",
        '{\n  "ordered_at": "2017-02-03",\n  "order_number": "4548-9854",\n  "customer": {\n    "first_name": "Steve",\n    "last_name": "Jobs",\n    "email": "steve@apple.com",\n    "phone": "555-878-456",\n    "address": {\n      "line1": "One Infinite Loop",\n      "line2": "Building B",\n      "zipcode": "95014",\n      "country_code": "US",\n      "city": "Cupertino",\n      "state": "California"\n    }\n  },\n  "items": [\n    {\n      "product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n    },\n  ],\n  "metadata": {\n    "foo": "bar",\n    "bar": "foo"\n  }\n}',
    ),
    (
        "002",
        "curl",
        "Create an order",
        '{\n  "ordered_at": "2017-02-03",\n  "order_number": "4548-9854",\n  "customer": {\n    "first_name": "Steve",\n    "last_name": "Jobs",\n    "email": "steve@apple.com",\n    "phone": "555-878-456",\n    "address": {\n      "line1": "One Infinite Loop",\n      "line2": "Building B",\n      "zipcode": "95014",\n      "country_code": "US",\n      "city": "Cupertino",\n      "state": "California"\n    }\n  },\n  "items":\n  [\n    {\n      "product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n    },\n    {\n      "product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n    }\n  ],\n  "metadata": {\n    "foo": "bar",\n    "bar": "foo"\n  }\n}',
    ),
    (
        "002",
        "php",
        "Create an order",
        '{"order_number": "4548-9854", "metadata": {"foo": "bar", "bar": "foo"}, "customer": {"email": "steve@apple.com", "phone": "555-878-456", "last_name": "Jobs", "first_name": "Steve", "address": {"country_code": "US", "line2": "Building B", "state": "California", "line1": "One Infinite Loop", "zipcode": "95014", "city": "Cupertino"}}, "items": [{"product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea"}], "ordered_at": "2017-02-03"}',
    ),
    (
        "002",
        "ruby",
        "Update an order",
        '{\n  "ordered_at": "2017-02-03",\n  "order_number": "4548-9854",\n  "customer": {\n    "first_name": "Steve",\n    "last_name": "Jobs",\n    "email": "steve@apple.com",\n    "phone": "555-878-456",\n    "address": {\n      "line1": "One Infinite Loop",\n      "line2": "Building B",\n      "zipcode": "95014",\n      "country_code": "US",\n      "city": "Cupertino",\n      "state": "California"\n    }\n  },\n  "items": [\n    {\n      "product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n    },\n  ],\n  "metadata": {\n    "foo": "bar"\n  }\n}',
    ),
    (
        "002",
        "curl",
        "Update an order",
        '{\n  "ordered_at": "2017-02-03",\n  "order_number": "4548-9854",\n  "customer": {\n    "first_name": "Steve",\n    "last_name": "Jobs",\n    "email": "steve@apple.com",\n    "phone": "555-878-456",\n    "address": {\n      "line1": "One Infinite Loop",\n      "line2": "Building B",\n      "zipcode": "95014",\n      "country_code": "US",\n      "city": "Cupertino",\n      "state": "California"\n    }\n  },\n  "items":\n  [\n    {\n      "product_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n      "product": {\n        "id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n        "label": "Iphone 14S Red",\n        "reference": "IPHONE 14S B",\n        "ean": "1258987561456",\n        "brand_id": "1f27f9d9-3b5c-4152-98b7-760f56967dea",\n        "brand_name": "Apple",\n        "picture_url": "http://s3.amazonaws/assets/iphone_14s.jpg"\n      }\n    },\n  ],\n  "metadata": {\n    "foo": "bar"\n  }\n}',
    ),
    (
        "002",
        "ruby",
        "Create the order",
        '{\n  "ordered_at": "2017-06-12",\n  "order_number": "1234567",\n  "customer": {\n    "first_name": "John",\n    "last_name": "Doe",\n    "email": "john@doe.com",\n    "phone": "1230145365",\n    "address": {\n      "line1": "651 rue de dunkerque",\n      "zipcode": "78010",\n      "country_code": "FR",\n      "city": "Paris"\n    }\n  },\n  "items": [\n    {\n      "label": "Chemise bleu",\n      "reference": "item 001",\n      "product_id": "reference1"\n    },\n    {\n      "label": "Casquette rouge",\n      "reference": "item 2",\n      "product_id": "reference2"\n    }\n  ]\n}',
    ),
    (
        "002",
        "ruby",
        "Create the shipback",
        '{\n  "mode": "pickup",\n  "order_id": "1234567",\n  "items": [\n    {\n      "item_id": "item 2",\n      "reason_code": "doesnt_fit"\n    }\n  ]\n}',
    ),
    (
        "003",
        "snippet",
        "Mode Dropoff",
        '{\n  "dropoff_code": "O4001",\n  "mode": "dropoff"\n}',
    ),
    (
        "003",
        "snippet",
        "Mode Pickup",
        '{\n  "pickup_datetime": "2018-01-18 14:00:00",\n  "pickup_duration": "120",\n  "mode": "pickup"\n}',
    ),
    (
        "003",
        "snippet",
        "Relocation",
        '{\n  "mode": "pickup",\n  "overrides": {\n    "relocation_warehouse_id": "E002"\n  }\n}',
    ),
    (
        "003",
        "snippet",
        "Price paid by the customer",
        '{\n  "mode": "pickup",\n  "overrides": {\n    "dropoff_customer_price_cents": 300,\n    "postal_customer_price_cents": 450,\n    "pickup_customer_price_cents": 1200\n  }\n}',
    ),
    ("003", "snippet", "Try at Home", '{\n  "overrides": {\n    "try_at_home": true\n  }\n}'),
    ("003", "curl", "Try at Home", '{"overrides": {"try_at_home": true}}'),
]
