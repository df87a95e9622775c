"""Integrator API: brands, products and their spare parts (ShopRunBack API v1)."""

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.response import Response

from returns_portal.api.serializers import ApiModelSerializer, Base64PictureField, LookupField
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from . import services
from .models import Brand, Product, SparePart


class BrandSerializer(ApiModelSerializer):
    default = serializers.BooleanField(source="is_default", read_only=True)

    class Meta:
        model = Brand
        fields = ["id", "name", "reference", "default", "created_at", "updated_at"]


class EmbeddedBrandSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    reference = serializers.CharField(trim_whitespace=False, max_length=200)


def picture_url(request, field) -> str | None:
    if not field:
        return None
    return request.build_absolute_uri(field.url) if request else field.url


class ProductSerializer(ApiModelSerializer):
    # Aliases seen in ShopRunBack's own examples are accepted too (weight_in_grams, image_url).
    ALIASES = {"weight_in_grams": "weight_grams", "image_url": "picture_file_url"}

    brand_id = LookupField(
        queryset=Brand.objects.all(), natural_key="reference", required=False, source="brand"
    )
    brand = serializers.SerializerMethodField()
    picture_url = serializers.SerializerMethodField()
    picture_file_url = serializers.URLField(write_only=True, required=False, allow_blank=True)
    picture_file_base64 = Base64PictureField(write_only=True, required=False)

    class Meta:
        model = Product
        fields = [
            "id",
            "label",
            "reference",
            "ean",
            "weight_grams",
            "width_mm",
            "length_mm",
            "height_mm",
            "color",
            "brand_id",
            "brand",
            "picture_url",
            "picture_file_url",
            "picture_file_base64",
            "metadata",
            "returnable",
            "return_window_days",
            "created_at",
            "updated_at",
        ]

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = {**data}
            for alias, name in self.ALIASES.items():
                if alias in data and name not in data:
                    data[name] = data[alias]
            self._embedded_brand = data.get("brand")
        return super().to_internal_value(data)

    def validate(self, attrs):
        embedded = getattr(self, "_embedded_brand", None)
        if embedded is not None and "brand" not in attrs:
            brand = EmbeddedBrandSerializer(data=embedded)
            if not brand.is_valid():
                raise serializers.ValidationError({"brand": brand.errors})
            attrs["embedded_brand"] = brand.validated_data
        return attrs

    def get_brand(self, product) -> dict:
        brand = product.brand
        return {"id": str(brand.pk), "name": brand.name, "reference": brand.reference}

    def get_picture_url(self, product) -> str | None:
        return picture_url(self.context.get("request"), product.picture)


def _product_fields(validated: dict) -> dict:
    fields = dict(validated)
    if embedded := fields.pop("embedded_brand", None):
        fields["brand"] = services.brand_ensure(
            name=embedded.get("name", ""), reference=embedded["reference"]
        )
    fields["picture"] = fields.pop("picture_file_base64", None)
    fields["picture_url"] = fields.pop("picture_file_url", "")
    return fields


class SparePartSerializer(ApiModelSerializer):
    picture_url = serializers.SerializerMethodField()
    picture_file_base64 = Base64PictureField(write_only=True, required=False, source="picture")

    class Meta:
        model = SparePart
        fields = [
            "id",
            "reference",
            "name",
            "description",
            "picture_url",
            "picture_file_base64",
            "metadata",
            "created_at",
            "updated_at",
        ]
        # Uniqueness per product is the upsert key, checked by the service.
        validators = []

    def get_picture_url(self, part) -> str | None:
        return picture_url(self.context.get("request"), part.picture)


class BulkSparePartsSerializer(serializers.Serializer):
    bulk = SparePartSerializer(many=True, allow_empty=False)


# Views ------------------------------------------------------------------------------------


class BrandList(IntegratorAPIView):
    queryset = Brand.objects.order_by("created_at", "reference")
    serializer_class = BrandSerializer
    collection_name = "brands"

    def get(self, request):
        return self.list_response(self.get_queryset())

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        brand = services.brand_create(**serializer.validated_data)
        return self.object_response(brand, status.HTTP_201_CREATED)


class BrandDetail(IntegratorAPIView):
    queryset = Brand.objects.all()
    serializer_class = BrandSerializer
    natural_key = "reference"

    def get(self, request, id):
        return self.object_response(self.get_object())

    def put(self, request, id):
        brand = self.get_object()
        serializer = self.get_serializer(brand, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.object_response(services.brand_update(brand=brand, **serializer.validated_data))

    def delete(self, request, id):
        brand = self.get_object()
        data = self.get_serializer(brand).data
        services.brand_delete(brand=brand)
        return Response(data)


class ProductList(IntegratorAPIView):
    queryset = Product.objects.select_related("brand").order_by("created_at", "reference")
    serializer_class = ProductSerializer
    collection_name = "products"

    def get(self, request):
        return self.list_response(self.get_queryset())

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            product = services.product_create(**_product_fields(serializer.validated_data))
        return self.object_response(product, status.HTTP_201_CREATED)


class ProductDetail(IntegratorAPIView):
    queryset = Product.objects.select_related("brand")
    serializer_class = ProductSerializer
    natural_key = "reference"

    def get(self, request, id):
        return self.object_response(self.get_object())

    def put(self, request, id):
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            product = services.product_update(
                product=product, **_product_fields(serializer.validated_data)
            )
        return self.object_response(product)

    def delete(self, request, id):
        product = self.get_object()
        data = self.get_serializer(product).data
        services.product_delete(product=product)
        return Response(data)


class ProductImage(ProductDetail):
    def delete(self, request, id):
        return self.object_response(services.product_clear_picture(product=self.get_object()))


class ProductParts(IntegratorAPIView):
    queryset = Product.objects.all()
    serializer_class = SparePartSerializer
    natural_key = "reference"

    def get(self, request, id):
        parts = self.get_object().spare_parts.order_by("reference")
        return Response({"spare_parts": self.get_serializer(parts, many=True).data})


class ProductPartsBulk(ProductParts):
    def post(self, request, id):
        product = self.get_object()
        payload = BulkSparePartsSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        parts = services.spare_parts_upsert(product=product, parts=payload.validated_data["bulk"])
        return Response(
            {"spare_parts": self.get_serializer(parts, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class ProductPart(ProductParts):
    def delete(self, request, id, part_id):
        part = find_by_id_or_key(self.get_object().spare_parts.all(), part_id, "reference")
        data = self.get_serializer(part).data
        services.spare_part_delete(part=part)
        return Response(data)
