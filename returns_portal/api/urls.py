"""The integrator API, under /api/v1/ (ShopRunBack's paths)."""

from django.urls import path

from catalog import api as catalog
from orders import api as orders
from returns_portal.api import account
from shipbacks.api import views as shipbacks

app_name = "api"

urlpatterns = [
    path("brands", catalog.BrandList.as_view(), name="brands"),
    path("brands/<str:id>", catalog.BrandDetail.as_view(), name="brand"),
    path("products", catalog.ProductList.as_view(), name="products"),
    path("products/<str:id>", catalog.ProductDetail.as_view(), name="product"),
    path("products/<str:id>/image", catalog.ProductImage.as_view(), name="product-image"),
    path("products/<str:id>/parts", catalog.ProductParts.as_view(), name="product-parts"),
    path(
        "products/<str:id>/parts/bulk",
        catalog.ProductPartsBulk.as_view(),
        name="product-parts-bulk",
    ),
    path(
        "products/<str:id>/parts/<str:part_id>", catalog.ProductPart.as_view(), name="product-part"
    ),
    path("orders", orders.OrderList.as_view(), name="orders"),
    path("orders/<str:id>", orders.OrderDetail.as_view(), name="order"),
    path("orders/<str:id>/items", orders.OrderItems.as_view(), name="order-items"),
    path(
        "orders/<str:id>/items/<str:item_id>", orders.OrderItemDetail.as_view(), name="order-item"
    ),
    path("shipbacks", shipbacks.ShipbackList.as_view(), name="shipbacks"),
    path("shipbacks/<str:id>", shipbacks.ShipbackDetail.as_view(), name="shipback"),
    path("shipbacks/<str:id>/free", shipbacks.ShipbackFree.as_view(), name="shipback-free"),
    path(
        "shipbacks/<str:id>/returned_items",
        shipbacks.ShipbackItems.as_view(),
        name="shipback-items",
    ),
    path(
        "shipbacks/<str:id>/returned_items/<str:item_id>",
        shipbacks.ShipbackItem.as_view(),
        name="shipback-item",
    ),
    path(
        "shipbacks/<str:id>/customer",
        shipbacks.ShipbackCustomer.as_view(),
        name="shipback-customer",
    ),
    path("warehouses", shipbacks.WarehouseList.as_view(), name="warehouses"),
    path("warehouses/<str:id>", shipbacks.WarehouseDetail.as_view(), name="warehouse"),
    path("reasons", shipbacks.ReasonList.as_view(), name="reasons"),
    path("me", account.Me.as_view(), name="me"),
    path("company", account.Company.as_view(), name="company"),
]
