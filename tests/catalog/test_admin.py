import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Brand, Product, SparePart
from tests.admin_pages import add_row, count_queries, form_data, form_errors, log_in
from tests.factories import BrandFactory, ProductFactory, SparePartFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("admin:catalog_product_changelist")
PRODUCT_ADD = reverse("admin:catalog_product_add")
BRANDS = reverse("admin:catalog_brand_changelist")


@pytest.fixture
def admin_client(client):
    """pytest-django's, without the slow password hashing."""
    log_in(client, SuperuserFactory)
    return client


def product_form(**fields):
    data = {
        "label": "Linen shirt",
        "reference": "SHIRT-1",
        "ean": "",
        "brand": str(Brand.objects.default().pk),
        "color": "",
        "returnable": "on",
        "return_window_days": "",
        "weight_grams": "300",
        "width_mm": "",
        "length_mm": "",
        "height_mm": "",
        "shipbob_inventory_id": "",
        "metadata": "{}",
        "spare_parts-TOTAL_FORMS": "0",
        "spare_parts-INITIAL_FORMS": "0",
        "spare_parts-MIN_NUM_FORMS": "0",
        "spare_parts-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "url",
    [
        BRANDS,
        PRODUCTS,
        reverse("admin:catalog_sparepart_changelist"),
        reverse("admin:catalog_brand_add"),
        PRODUCT_ADD,
        reverse("admin:catalog_sparepart_add"),
    ],
)
def test_every_catalog_page_renders_with_rows(admin_client, url):
    SparePartFactory.create_batch(2)

    response = admin_client.get(url, {"q": "a"} if url.endswith("/") and "add" not in url else {})

    assert response.status_code == 200


def test_product_list_shows_label_reference_brand_returnable_and_weight(admin_client):
    brand = BrandFactory(name="Acme")
    ProductFactory(label="Linen shirt", reference="SHIRT-9", brand=brand, weight_grams=321)

    response = admin_client.get(PRODUCTS)

    assert [f for f in response.context["cl"].list_display if f != "action_checkbox"] == [
        "label",
        "reference",
        "brand",
        "returnable",
        "weight_grams",
        "created_at",
    ]
    content = response.content.decode()
    assert "Linen shirt" in content
    assert "SHIRT-9" in content
    assert "Acme" in content
    assert "321" in content


@pytest.mark.parametrize("query", ["SHIRT-9", "linen", "3760000000099"])
def test_products_are_found_by_label_reference_or_ean(admin_client, query):
    ProductFactory(label="Linen shirt", reference="SHIRT-9", ean="3760000000099")
    ProductFactory(label="Wool scarf", reference="SCARF-1", ean="3760000000100")

    response = admin_client.get(PRODUCTS, {"q": query})

    assert [p.reference for p in response.context["cl"].result_list] == ["SHIRT-9"]


def test_product_list_takes_the_same_queries_for_two_or_twenty_products(admin_client):
    ProductFactory.create_batch(2, brand=BrandFactory())
    admin_client.get(PRODUCTS)  # warm the caches (content types, session)
    few = count_queries(admin_client, PRODUCTS)

    for _ in range(18):
        ProductFactory(brand=BrandFactory())
    many = count_queries(admin_client, PRODUCTS)

    assert many == few


def test_the_product_add_form_starts_with_the_default_brand(admin_client):
    default = Brand.objects.default()
    BrandFactory(name="Another")

    response = admin_client.get(PRODUCT_ADD)

    assert response.context["adminform"].form.initial["brand"] == default.pk


def test_adding_a_product_with_a_spare_part_saves_both(admin_client):
    data = product_form()
    add_row(data, "spare_parts", reference="BTN-1", name="Spare button", description="")

    response = admin_client.post(PRODUCT_ADD, data)

    assert response.status_code == 302, form_errors(response)
    product = Product.objects.get(reference="SHIRT-1")
    assert product.brand == Brand.objects.default()
    assert [p.reference for p in product.spare_parts.all()] == ["BTN-1"]


def test_a_taken_product_reference_is_a_field_error_and_nothing_is_saved(admin_client):
    ProductFactory(reference="SHIRT-1")
    data = product_form()
    add_row(data, "spare_parts", reference="BTN-1", name="Spare button", description="")

    response = admin_client.post(PRODUCT_ADD, data)

    assert response.status_code == 200
    assert "reference" in form_errors(response)
    assert Product.objects.count() == 1
    assert not SparePart.objects.exists()


@pytest.mark.parametrize("weight", ["0", "-5"])
def test_a_weight_of_zero_or_less_is_a_field_error(admin_client, weight):
    response = admin_client.post(PRODUCT_ADD, product_form(weight_grams=weight))

    assert response.status_code == 200
    assert "weight_grams" in form_errors(response)
    assert not Product.objects.exists()


def test_a_spare_part_reference_twice_for_one_product_is_refused(admin_client):
    data = product_form()
    add_row(data, "spare_parts", reference="BTN-1", name="Spare button", description="")
    add_row(data, "spare_parts", reference="BTN-1", name="Other button", description="")

    response = admin_client.post(PRODUCT_ADD, data)

    assert response.status_code == 200
    assert form_errors(response)["spare_parts"]
    assert not Product.objects.exists()


def test_editing_a_product_keeps_its_spare_parts(admin_client):
    part = SparePartFactory()
    url = reverse("admin:catalog_product_change", args=[part.product.pk])
    data = form_data(admin_client.get(url))
    data["label"] = "Renamed"

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    part.product.refresh_from_db()
    assert part.product.label == "Renamed"
    assert list(part.product.spare_parts.all()) == [part]


def test_a_taken_brand_reference_is_a_field_error(admin_client):
    BrandFactory(reference="acme")

    response = admin_client.post(
        reverse("admin:catalog_brand_add"), {"name": "Acme again", "reference": "acme"}
    )

    assert response.status_code == 200
    assert "reference" in form_errors(response)
    assert Brand.objects.filter(reference="acme").count() == 1


def test_brand_list_counts_each_brand_s_products(admin_client):
    brand = BrandFactory(name="Acme")
    ProductFactory.create_batch(3, brand=brand)

    response = admin_client.get(BRANDS, {"q": "Acme"})

    [row] = response.context["cl"].result_list
    assert row.product_count == 3


def test_the_default_brand_cannot_be_deleted(admin_client):
    default = Brand.objects.default()

    page = admin_client.get(reverse("admin:catalog_brand_delete", args=[default.pk]))
    posted = admin_client.post(reverse("admin:catalog_brand_delete", args=[default.pk]))

    assert page.status_code == 403
    assert posted.status_code == 403
    assert Brand.objects.filter(pk=default.pk).exists()


def test_the_default_brand_cannot_be_deleted_in_bulk(admin_client):
    default = Brand.objects.default()

    response = admin_client.post(
        BRANDS, {"action": "delete_selected", "_selected_action": [default.pk], "post": "yes"}
    )

    assert response.status_code == 403
    assert Brand.objects.filter(pk=default.pk).exists()


def test_a_brand_without_products_is_deleted(admin_client):
    brand = BrandFactory()

    response = admin_client.post(
        reverse("admin:catalog_brand_delete", args=[brand.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Brand.objects.filter(pk=brand.pk).exists()


def test_a_brand_with_products_shows_what_stops_its_deletion(admin_client):
    brand = BrandFactory()
    ProductFactory(brand=brand, label="Linen shirt")
    url = reverse("admin:catalog_brand_delete", args=[brand.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert "Linen shirt" in str(page.context["protected"])
    assert posted.status_code == 200
    assert Brand.objects.filter(pk=brand.pk).exists()


def test_make_default_moves_the_default_to_the_chosen_brand(admin_client):
    previous = Brand.objects.default()
    brand = BrandFactory()

    response = admin_client.post(BRANDS, {"action": "make_default", "_selected_action": [brand.pk]})

    assert response.status_code == 302
    assert Brand.objects.default() == brand
    previous.refresh_from_db()
    assert not previous.is_default
    assert f"{brand} is now the default brand." in messages_of(response)


def test_make_default_asks_for_exactly_one_brand(admin_client):
    previous = Brand.objects.default()
    brands = BrandFactory.create_batch(2)

    response = admin_client.post(
        BRANDS, {"action": "make_default", "_selected_action": [b.pk for b in brands]}
    )

    assert Brand.objects.default() == previous
    assert "Select exactly one brand to make default." in messages_of(response)


def test_the_default_flag_is_not_edited_in_the_brand_form(admin_client):
    brand = BrandFactory()
    url = reverse("admin:catalog_brand_change", args=[brand.pk])

    response = admin_client.post(
        url, {"name": brand.name, "reference": brand.reference, "is_default": "on"}
    )

    assert response.status_code == 302
    brand.refresh_from_db()
    assert not brand.is_default
    assert Brand.objects.filter(is_default=True).count() == 1
