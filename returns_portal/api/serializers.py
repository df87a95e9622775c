"""Serializer pieces shared by every resource of the integrator API."""

import base64
import binascii
import uuid

from django.core.files.base import ContentFile
from django.db import models
from rest_framework import serializers

from returns_portal.images import MAX_PICTURE_BYTES, image_extension


class ExactCharField(serializers.CharField):
    """Strings come back exactly as sent: no trimming."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: ExactCharField,
        models.TextField: ExactCharField,
        models.SlugField: ExactCharField,
    }


class LookupField(serializers.Field):
    """A related object named by its UUID or by its natural key (reference, order number…)."""

    default_error_messages = {"not_found": "No {model} with id or {key} {value!r}."}

    def __init__(self, *, queryset, natural_key: str | None = None, **kwargs):
        self.queryset = queryset
        self.natural_key = natural_key
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str | int | uuid.UUID) or data == "":
            self.fail("not_found", model=self._model_name, key=self.natural_key, value=data)
        value = str(data)
        try:
            return self.queryset.get(pk=uuid.UUID(value))
        except (ValueError, self.queryset.model.DoesNotExist):
            pass
        if self.natural_key:
            found = self.queryset.filter(**{self.natural_key: value}).first()
            if found is not None:
                return found
        self.fail("not_found", model=self._model_name, key=self.natural_key, value=data)

    def to_representation(self, value):
        return str(value.pk)

    @property
    def _model_name(self) -> str:
        return self.queryset.model._meta.verbose_name


class Base64PictureField(serializers.Field):
    """A picture given as base64 (optionally a data: URL); checked to be a real image."""

    default_error_messages = {
        "invalid": "Not valid base64 image data.",
        "too_large": "The picture is larger than 5 MB.",
        "not_image": "Not a JPEG, PNG, WebP or GIF image.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if data.startswith("data:"):
            data = data.partition(",")[2]
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid")
        if len(raw) > MAX_PICTURE_BYTES:
            self.fail("too_large")
        extension = image_extension(raw)
        if extension is None:
            self.fail("not_image")
        return ContentFile(raw, name=f"{uuid.uuid4().hex}.{extension}")

    def to_representation(self, value):  # write-only
        return None
