"""Serializer pieces shared by every resource of the integrator API."""

import base64
import binascii
import uuid

from django.core.files.base import ContentFile
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from returns_portal.images import MAX_PICTURE_BYTES, image_extension


class ExactCharField(serializers.CharField):
    """Strings come back exactly as sent: no trimming. NUL characters are refused before any
    validator (a uniqueness check, say) takes the text to the database, which cannot hold them."""

    default_error_messages = {"nul": "Text cannot contain NUL characters."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            self.fail("nul")
        return value


class CodeField(serializers.SlugRelatedField):
    """A related row named by a code (a reason's ``reason_code``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 255:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:50])
        return super().to_internal_value(data)


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: ExactCharField,
        models.TextField: ExactCharField,
        models.SlugField: ExactCharField,
    }


@extend_schema_field(OpenApiTypes.STR)
class LookupField(serializers.Field):
    """A related object named by its UUID or by its natural key (reference, order number…)."""

    default_error_messages = {"not_found": "No {model} {value!r}."}

    def __init__(self, *, queryset, natural_key: str | None = None, **kwargs):
        self.queryset = queryset
        self.natural_key = natural_key
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | uuid.UUID) or data == "":
            self._not_found(data)
        if isinstance(data, str) and ("\x00" in data or len(data) > 255):
            self._not_found(data)
        value = str(data)
        try:
            return self.queryset.get(pk=uuid.UUID(value))
        except (ValueError, self.queryset.model.DoesNotExist):
            pass
        if self.natural_key:
            found = self.queryset.filter(**{self.natural_key: value}).first()
            if found is not None:
                return found
        self._not_found(data)

    def _not_found(self, value):
        self.fail("not_found", model=self.queryset.model._meta.verbose_name, value=value)

    def to_representation(self, value):
        return str(value.pk)


@extend_schema_field({"type": "string", "format": "byte", "writeOnly": True})
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


@extend_schema_field(OpenApiTypes.DATE)
class OrderDateField(serializers.Field):
    """A date given as ``YYYY-MM-DD``, or as a date and time (``2017-02-03 10:20:30``, ISO 8601)
    of which the date is kept."""

    default_error_messages = {"invalid": "Give a date as YYYY-MM-DD (a time may follow)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = parse_date(data) if len(data) == 10 else parse_datetime(data)
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        return value if len(data) == 10 else value.date()

    def to_representation(self, value):
        return value.isoformat()


class StrictIntegerField(serializers.IntegerField):
    """An integer, also given as a string of digits ("120"), never as a float or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool | float):
            self.fail("invalid")
        return super().to_internal_value(data)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


@extend_schema_field({"type": "object", "additionalProperties": True})
class MetadataField(serializers.JSONField):
    """Free key/value data, kept and returned as sent (an object; no NUL characters, which
    PostgreSQL's JSON cannot store)."""

    default_error_messages = {
        "not_object": "Give an object of keys and values.",
        "nul": "Text cannot contain NUL characters.",
    }
    kind = dict

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, self.kind):
            self.fail("not_object")
        if _has_nul(value):
            self.fail("nul")
        return value


@extend_schema_field({"type": "array", "items": {}})
class JSONListField(MetadataField):
    default_error_messages = {"not_object": "Give a list."}
    kind = list
