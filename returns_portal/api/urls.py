"""The integrator API, under /api/v1/ (ShopRunBack's paths, Shippingbo's for return orders)."""

from django.urls import path, re_path

from catalog import api as catalog
from orders import api as orders
from returns_portal.api import account
from shipbacks.api import quotes, reference, return_orders
from shipbacks.api import views as shipbacks

from .views import not_found

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
    path("orders/<str:id>/items", orders.OrderItemList.as_view(), name="order-items"),
    path(
        "orders/<str:id>/items/<str:item_id>", orders.OrderItemDetail.as_view(), name="order-item"
    ),
    path("shipbacks", shipbacks.ShipbackList.as_view(), name="shipbacks"),
    path("shipbacks/<str:id>", shipbacks.ShipbackDetail.as_view(), name="shipback"),
    path("shipbacks/<str:id>/free", shipbacks.ShipbackFree.as_view(), name="shipback-free"),
    path(
        "shipbacks/<str:id>/returned_items",
        shipbacks.ShipbackItemList.as_view(),
        name="shipback-items",
    ),
    path(
        "shipbacks/<str:id>/returned_items/<str:item_id>",
        shipbacks.ShipbackItemDetail.as_view(),
        name="shipback-item",
    ),
    path(
        "shipbacks/<str:id>/customer",
        shipbacks.ShipbackCustomer.as_view(),
        name="shipback-customer",
    ),
    path("shipbacks/<str:id>/quotes", quotes.QuoteList.as_view(), name="shipback-quotes"),
    path(
        "shipbacks/<str:id>/quotes/clear", quotes.QuoteClear.as_view(), name="shipback-quotes-clear"
    ),
    path(
        "shipbacks/<str:id>/quotes/<str:mode>",
        quotes.QuoteDetail.as_view(),
        name="shipback-quote",
    ),
    path("return_orders", return_orders.ReturnOrderList.as_view(), name="return-orders"),
    path("return_orders/<str:id>", return_orders.ReturnOrderDetail.as_view(), name="return-order"),
    path(
        "return_orders/<str:id>/cancel",
        return_orders.ReturnOrderCancel.as_view(),
        name="return-order-cancel",
    ),
    path(
        "return_orders/<str:id>/receive",
        return_orders.ReturnOrderReceive.as_view(),
        name="return-order-receive",
    ),
    path(
        "return_orders/<str:id>/complete",
        return_orders.ReturnOrderComplete.as_view(),
        name="return-order-complete",
    ),
    path("warehouses", reference.WarehouseList.as_view(), name="warehouses"),
    path("warehouses/<str:id>", reference.WarehouseDetail.as_view(), name="warehouse"),
    path("reasons", reference.ReasonList.as_view(), name="reasons"),
    path("me", account.Me.as_view(), name="me"),
    path("company", account.Company.as_view(), name="company"),
    re_path(r"^.*$", not_found),
]
