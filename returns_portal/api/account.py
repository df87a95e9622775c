"""``me`` and ``company``: the integrator behind the token, its contact and its webhook."""

from rest_framework import serializers
from rest_framework.response import Response

from returns_portal.services import company_endpoint, company_update

from .views import IntegratorAPIView


class CompanySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    contact_name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    contact_email = serializers.EmailField(allow_blank=True, required=False)
    webhook_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
    webhook_secret = serializers.CharField(max_length=200, allow_blank=True, required=False)

    def to_representation(self, integrator):
        endpoint = company_endpoint(integrator)
        return {
            "id": str(integrator.pk),
            "name": integrator.name,
            "contact_name": integrator.contact_name,
            "contact_email": integrator.contact_email,
            "webhook_url": endpoint.url if endpoint and endpoint.active else None,
            "webhook_secret": endpoint.secret if endpoint and endpoint.active else None,
        }


class Me(IntegratorAPIView):
    serializer_class = CompanySerializer

    def get(self, request):
        data = self.get_serializer(self.integrator).data
        token = request.auth
        data["token"] = {
            "prefix": token.prefix,
            "label": token.label,
            "created_at": token.created_at,
        }
        return Response(data)


class Company(IntegratorAPIView):
    serializer_class = CompanySerializer

    def get(self, request):
        return self.object_response(self.integrator)

    def put(self, request):
        payload = self.get_serializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        company_update(integrator=self.integrator, **payload.validated_data)
        return self.object_response(self.integrator)
