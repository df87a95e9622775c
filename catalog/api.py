"""Integrator API: brands, products and their spare parts (ShopRunBack API v1).

https://github.com/ShopRunBack/api-doc — "Products catalog" (seed 002).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from returns_portal.api import examples as ex
from returns_portal.api.schema import PAGE_PARAMETERS, id_parameter, paginated, refused, wrapped
from returns_portal.api.serializers import (
    ApiModelSerializer,
    Base64PictureField,
    ExactCharField,
    LookupField,
    MetadataField,
)
from returns_portal.api.views import IntegratorAPIView, find_by_id_or_key

from . import services
from .models import Brand, Product, SparePart


def absolute_url(request, file) -> str | None:
    if not file:
        return None
    return request.build_absolute_uri(file.url) if request else file.url


class BrandSerializer(ApiModelSerializer):
    default = serializers.BooleanField(source="is_default", read_only=True)

    class Meta:
        model = Brand
        fields = ["id", "name", "reference", "default", "created_at", "updated_at"]


class EmbeddedBrandSerializer(serializers.Serializer):
    """A product's brand given inline: found by reference (or id), created once otherwise."""

    id = serializers.UUIDField(required=False, help_text="Used when no reference is given.")
    name = ExactCharField(required=False, allow_blank=True, max_length=200)
    reference = ExactCharField(required=False, max_length=200)

    def validate(self, attrs):
        if not attrs.get("reference"):
            brand = Brand.objects.filter(pk=attrs.get("id")).first() if attrs.get("id") else None
            if brand is None:
                raise serializers.ValidationError({"reference": "Name the brand's reference."})
            attrs["brand"] = brand
        return attrs


class BrandSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    reference = serializers.CharField()


class ProductSerializer(ApiModelSerializer):
    brand_id = serializers.UUIDField(read_only=True)
    brand = BrandSummarySerializer(read_only=True)
    picture_url = serializers.SerializerMethodField()

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
            "metadata",
            "returnable",
            "return_window_days",
            "created_at",
            "updated_at",
        ]

    def get_picture_url(self, product) -> str | None:
        return absolute_url(self.context.get("request"), product.picture)


class ProductWriteSerializer(ApiModelSerializer):
    """What a product create or update may set. ShopRunBack's own examples also say
    ``weight_in_grams`` and ``image_url``: they are accepted as aliases."""

    ALIASES = {"weight_in_grams": "weight_grams", "image_url": "picture_file_url"}

    brand_id = LookupField(
        queryset=Brand.objects.all(),
        natural_key="reference",
        required=False,
        source="brand",
        help_text="The brand's UUID or reference. Without it (nor `brand`): the default brand.",
    )
    brand = EmbeddedBrandSerializer(
        required=False, source="embedded_brand", help_text="Ignored when brand_id is given."
    )
    picture_file_url = serializers.URLField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Public URL of a JPEG or PNG picture, fetched in the background.",
    )
    picture_file_base64 = Base64PictureField(required=False, help_text="The picture, base64.")
    metadata = MetadataField(required=False)

    class Meta:
        model = Product
        fields = [
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
            "picture_file_url",
            "picture_file_base64",
            "metadata",
            "returnable",
            "return_window_days",
        ]

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = {**data}
            for alias, name in self.ALIASES.items():
                if alias in data and name not in data:
                    data[name] = data[alias]
        return super().to_internal_value(data)


def product_fields(validated: dict) -> dict:
    """Validated input as the catalog services take it."""
    fields = dict(validated)
    embedded = fields.pop("embedded_brand", None)
    if embedded and "brand" not in fields:
        fields["brand"] = embedded.get("brand") or services.brand_ensure(
            name=embedded.get("name", ""), reference=embedded["reference"]
        )
    fields["picture"] = fields.pop("picture_file_base64", None)
    fields["picture_url"] = fields.pop("picture_file_url", "")
    return fields


class SparePartSerializer(ApiModelSerializer):
    picture_url = serializers.SerializerMethodField()
    picture_file_base64 = Base64PictureField(write_only=True, required=False, source="picture")
    metadata = MetadataField(required=False)

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
        return absolute_url(self.context.get("request"), part.picture)


class BulkSparePartsSerializer(serializers.Serializer):
    bulk = SparePartSerializer(many=True, allow_empty=False)


SpareParts = wrapped(SparePartSerializer, "spare_parts", "SpareParts")
REFERENCE = id_parameter(description="UUID or reference")


# Views ------------------------------------------------------------------------------------


class BrandList(IntegratorAPIView):
    queryset = Brand.objects.order_by("created_at", "reference")
    serializer_class = BrandSerializer
    collection_name = "brands"

    @extend_schema(
        summary="List your brands",
        parameters=PAGE_PARAMETERS,
        responses=paginated(BrandSerializer, "brands"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset())

    @extend_schema(
        summary="Create a brand",
        request=BrandSerializer,
        responses={201: BrandSerializer},
        examples=[ex.BRAND_CREATE, ex.BRAND_CREATED],
    )
    def post(self, request):
        brand = services.brand_create(**self.validated(BrandSerializer))
        return self.object_response(brand, status.HTTP_201_CREATED)


DEFAULT_BRAND = ("DEFAULT_BRAND", "The default brand cannot be deleted.")
DEPENDENT_PRODUCT = ("DEPENDENT_PRODUCT", "This brand still has products; move them first.")


@extend_schema(parameters=[REFERENCE])
class BrandDetail(IntegratorAPIView):
    queryset = Brand.objects.all()
    serializer_class = BrandSerializer
    natural_key = "reference"

    @extend_schema(summary="Get a brand")
    def get(self, request, id):
        return self.object_response(self.get_object())

    @extend_schema(summary="Update a brand (only the keys given)")
    def put(self, request, id):
        brand = self.get_object()
        fields = self.validated(BrandSerializer, brand, partial=True)
        return self.object_response(services.brand_update(brand=brand, **fields))

    @extend_schema(
        summary="Delete a brand",
        responses={200: BrandSerializer, 400: refused(DEFAULT_BRAND, DEPENDENT_PRODUCT)},
    )
    def delete(self, request, id):
        brand = self.get_object()
        data = self.get_serializer(brand).data
        services.brand_delete(brand=brand)
        return Response(data)


class ProductList(IntegratorAPIView):
    queryset = Product.objects.select_related("brand").order_by("created_at", "reference")
    serializer_class = ProductSerializer
    collection_name = "products"

    @extend_schema(
        summary="List your products",
        parameters=PAGE_PARAMETERS,
        responses=paginated(ProductSerializer, "products"),
    )
    def get(self, request):
        return self.list_response(self.get_queryset())

    @extend_schema(
        summary="Add a product (with brand_id, or with its brand embedded)",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer},
        examples=[ex.PRODUCT_WITH_BRAND_ID, ex.PRODUCT_WITH_BRAND, ex.PRODUCT_CREATED],
    )
    def post(self, request):
        fields = product_fields(self.validated(ProductWriteSerializer))
        product = services.product_create(**fields)
        return self.object_response(product, status.HTTP_201_CREATED)


DEPENDENT_ORDER = ("DEPENDENT_ORDER", "This product is in orders or returns and cannot be deleted.")


@extend_schema(parameters=[REFERENCE])
class ProductDetail(IntegratorAPIView):
    queryset = Product.objects.select_related("brand")
    serializer_class = ProductSerializer
    natural_key = "reference"

    @extend_schema(summary="Get a product")
    def get(self, request, id):
        return self.object_response(self.get_object())

    @extend_schema(summary="Update a product (only the keys given)", request=ProductWriteSerializer)
    def put(self, request, id):
        product = self.get_object()
        fields = product_fields(self.validated(ProductWriteSerializer, product, partial=True))
        return self.object_response(services.product_update(product=product, **fields))

    @extend_schema(
        summary="Delete a product",
        responses={200: ProductSerializer, 400: refused(DEPENDENT_ORDER)},
    )
    def delete(self, request, id):
        product = self.get_object()
        data = self.get_serializer(product).data
        services.product_delete(product=product)
        return Response(data)


@extend_schema(parameters=[REFERENCE])
class ProductImage(ProductDetail):
    http_method_names = ["delete", "options"]

    @extend_schema(summary="Remove a product's picture")
    def delete(self, request, id):
        return self.object_response(services.product_clear_picture(product=self.get_object()))


@extend_schema(parameters=[REFERENCE])
class ProductParts(IntegratorAPIView):
    queryset = Product.objects.all()
    serializer_class = SparePartSerializer
    natural_key = "reference"

    @extend_schema(summary="List a product's spare parts", responses=SpareParts)
    def get(self, request, id):
        parts = self.get_object().spare_parts.order_by("reference")
        return Response({"spare_parts": self.get_serializer(parts, many=True).data})


@extend_schema(parameters=[REFERENCE])
class ProductPartsBulk(ProductParts):
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Create or update spare parts by reference, all or nothing",
        request=BulkSparePartsSerializer,
        responses={201: SpareParts},
    )
    def post(self, request, id):
        product = self.get_object()
        payload = self.validated(BulkSparePartsSerializer)
        parts = services.spare_parts_upsert(product=product, parts=payload["bulk"])
        return Response(
            {"spare_parts": self.get_serializer(parts, many=True).data},
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[REFERENCE, id_parameter("part_id", "UUID or reference")])
class ProductPart(ProductParts):
    http_method_names = ["delete", "options"]

    @extend_schema(summary="Delete a spare part", responses=SparePartSerializer)
    def delete(self, request, id, part_id):
        part = find_by_id_or_key(self.get_object().spare_parts.all(), part_id, "reference")
        data = self.get_serializer(part).data
        services.spare_part_delete(part=part)
        return Response(data)
