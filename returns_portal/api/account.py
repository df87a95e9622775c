"""``me`` and ``company``: the integrator behind the token, its contact and its webhook."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from returns_portal.services import company_endpoint, company_update

from .serializers import ExactCharField
from .views import IntegratorAPIView


class CompanySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = ExactCharField(max_length=200)
    contact_name = ExactCharField(max_length=200, allow_blank=True, required=False)
    contact_email = serializers.EmailField(allow_blank=True, required=False)
    webhook_url = serializers.URLField(
        max_length=500,
        allow_blank=True,
        required=False,
        allow_null=True,
        help_text="Where webhooks are POSTed; empty switches them off.",
    )
    webhook_secret = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        allow_null=True,
        help_text="Signs each webhook (Shoprunback-Signature: hex HMAC-SHA256 of the body).",
    )

    def to_representation(self, integrator):
        endpoint = company_endpoint(integrator)
        active = endpoint is not None and endpoint.active
        return {
            "id": str(integrator.pk),
            "name": integrator.name,
            "contact_name": integrator.contact_name,
            "contact_email": integrator.contact_email,
            "webhook_url": endpoint.url if active else None,
            "webhook_secret": endpoint.secret if active else None,
        }


class TokenSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="The token's first characters.")
    label = serializers.CharField()
    created_at = serializers.DateTimeField()


class MeSerializer(CompanySerializer):
    token = TokenSerializer(read_only=True)


class Company(IntegratorAPIView):
    serializer_class = CompanySerializer

    @extend_schema(summary="Your company: name, contact and webhook")
    def get(self, request):
        return self.object_response(self.integrator)

    @extend_schema(summary="Update your company (only the keys given)")
    def put(self, request):
        fields = self.validated(CompanySerializer, partial=True)
        if "webhook_url" in fields and fields["webhook_url"] is None:
            fields["webhook_url"] = ""  # null switches the webhook off, as an empty URL does
        if fields.get("webhook_secret") is None:
            fields.pop("webhook_secret", None)
        company_update(integrator=self.integrator, **fields)
        return self.get(request)


class Me(Company):
    """The company behind the token (as ``company``), and the token itself."""

    serializer_class = MeSerializer

    @extend_schema(summary="The company behind the token, and the token")
    def get(self, request):
        data = CompanySerializer(self.integrator).data
        data["token"] = TokenSerializer(request.auth).data
        return Response(data)

    @extend_schema(summary="Update your company (as PUT /company)", request=CompanySerializer)
    def put(self, request):
        return super().put(request)
