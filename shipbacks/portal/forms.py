"""The portal's forms: they read and check what the customer typed; the rules are in
``shipbacks.services.portal``."""

import io
import uuid

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from shipbacks.models import ReturnReason
from shipbacks.services.portal import Selection

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
PHOTO_MAX_SIDE = 2400  # pixels: plenty to see a defect, a few hundred KB stored


class LookupForm(forms.Form):
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=100,
        help_text=_("As written in your order confirmation, for example DEMO-1001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("E-mail address or postcode"),
        max_length=254,
        help_text=_("The e-mail address of the order, or the postcode it was delivered to."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class ItemsForm(forms.Form):
    """Checkboxes ``item`` (order item ids) and a ``qty-<id>`` quantity for each; the template
    draws them next to each item's picture, so the form only reads them."""

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options

    def clean(self):
        picked = self.data.getlist("item") if hasattr(self.data, "getlist") else []
        quantities = {}
        for item_id in picked:
            raw = str(self.data.get(f"qty-{item_id}", "1")).strip()
            quantities[item_id] = int(raw) if raw.isdigit() else 0
        if not quantities:
            raise forms.ValidationError(_("Choose at least one item to return."), code="required")
        self.cleaned_data["selection"] = Selection(quantities)
        return self.cleaned_data

    def checked(self, item_id) -> bool:
        return self.is_bound and str(item_id) in self.data.getlist("item")

    def quantity(self, item_id, default: int) -> int:
        raw = str(self.data.get(f"qty-{item_id}", "")) if self.is_bound else ""
        return int(raw) if raw.isdigit() else default


def checked_photo(upload) -> ContentFile:
    """The uploaded photo re-encoded (no EXIF location, no hidden payload, bounded size) under
    a random name; ValidationError when it is not a JPEG, PNG or WebP picture of allowed size."""
    limit = settings.RETURNS_PORTAL_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The photo is too large: %(limit)s at most.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    raw = upload.read()
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            image_format = probe.format
            probe.verify()
        if image_format not in PHOTO_FORMATS:
            raise ValueError(image_format)
        with Image.open(io.BytesIO(raw)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            keep_alpha = image.mode in ("RGBA", "LA", "P") and image_format != "JPEG"
            output = io.BytesIO()
            if keep_alpha:
                image.save(output, format="PNG", optimize=True)
                extension = "png"
            else:
                image.convert("RGB").save(output, format="JPEG", quality=85)
                extension = "jpg"
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise forms.ValidationError(
            _("This file is not a photo we can read: send a JPEG, PNG or WebP picture."),
            code="invalid_image",
        ) from error
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


class ReasonForm(forms.Form):
    """One returned item's reason, comment and photo."""

    reason = forms.ChoiceField(label=_("Reason for the return"))
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )

    def __init__(self, *args, reasons: list[ReturnReason], language: str, has_photo=False, **kw):
        super().__init__(*args, **kw)
        self.reasons = {reason.code: reason for reason in reasons}
        self.has_photo = has_photo
        self.fields["reason"].choices = [("", _("Choose a reason"))] + [
            (reason.code, reason.label(language)) for reason in reasons
        ]
        self.fields["photo"].widget = forms.FileInput(attrs={"accept": PHOTO_ACCEPT})
        self.photo_codes = [reason.code for reason in reasons if reason.requires_photo]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return checked_photo(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        reason = self.reasons.get(cleaned.get("reason") or "")
        cleaned["reason_object"] = reason
        needs_photo = reason is not None and reason.requires_photo and not self.has_photo
        if needs_photo and not cleaned.get("photo") and "photo" not in self.errors:
            self.add_error("photo", _("Add a photo: this reason needs one."))
        return cleaned


class ShippingForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How do you want to send the parcel?"),
        choices=[
            ("dropoff", _("Drop-off point")),
            ("pickup", _("Pickup at your address")),
            ("postal", _("Post office")),
            ("direct", _("Ship it yourself")),
        ],
        error_messages={"required": _("Choose how to send the parcel.")},
    )
    dropoff_code = forms.CharField(required=False, max_length=50)
    pickup_slot = forms.CharField(required=False, max_length=80)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "dropoff" and not cleaned.get("dropoff_code"):
            self.add_error("dropoff_code", _("Choose a drop-off point."))
        if cleaned.get("mode") == "pickup" and not cleaned.get("pickup_slot"):
            self.add_error("pickup_slot", _("Choose a pickup slot."))
        return cleaned
