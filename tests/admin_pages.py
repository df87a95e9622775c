"""Helpers for admin tests: post a rendered admin form back as a browser would, read its errors,
count the queries a page takes."""

import factory
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _text(value) -> str:
    return "" if value is None else str(value)


def _field_data(bound_field) -> dict[str, str]:
    widget = bound_field.field.widget
    widget = getattr(widget, "widget", widget)  # the admin's related-object wrapper
    value = bound_field.value()
    if isinstance(bound_field.field, forms.FileField):
        return {}  # no new upload: the file stays as it is
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list) else widget.decompress(value)
        return {
            f"{bound_field.html_name}{suffix}": _text(part)
            for suffix, part in zip(widget.widgets_names, parts, strict=True)
        }
    return {bound_field.html_name: _text(value)}


def form_data(response) -> dict[str, str]:
    """The POST data of the admin form ``response`` rendered, unchanged: the main form's values,
    and each inline's management form and existing rows (without the blank extra rows)."""
    data = {}
    for bound_field in response.context["adminform"].form:
        data.update(_field_data(bound_field))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count()
        for bound_field in formset.management_form:
            data.update(_field_data(bound_field))
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial)
        for form in formset.forms[:initial]:
            for bound_field in form:
                data.update(_field_data(bound_field))
    return data


def add_row(data: dict, prefix: str, **values) -> dict:
    """Add a row to the inline ``prefix`` of ``data`` (from :func:`form_data`)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = _text(value)
    return data


def form_errors(response) -> dict[str, list[str]]:
    """Every error of an admin form page: ``field``, ``__all__``, ``<prefix>`` (an inline's own
    errors) and ``<prefix>-<row>-<field>``."""
    errors = {name: list(e) for name, e in response.context["adminform"].form.errors.items()}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.non_form_errors():
            errors[formset.prefix] = list(formset.non_form_errors())
        for index, form in enumerate(formset.forms):
            for name, messages in form.errors.items():
                errors[f"{formset.prefix}-{index}-{name}"] = list(messages)
    return errors


def count_queries(client, url: str) -> int:
    """How many queries rendering ``url`` takes (it must render)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries.captured_queries)


def log_in(client, user_factory, **fields):
    """Log ``client`` in as a new user of ``user_factory``. No password is set: force_login needs
    none, and hashing one costs most of a test's time."""
    user = user_factory(password=factory.Transformer.Force("!"), **fields)
    client.force_login(user)
    return user
