"""Columns copied from another row when a row is written, for the dashboard
(shipbacks.dashboard), which counts and groups rows without joining the rows they come from.
Only the service that creates the row (or registers its return) writes them."""

from django.db import models


def copied_time(help_text: str) -> models.DateTimeField:
    return models.DateTimeField(null=True, blank=True, editable=False, help_text=help_text)


def copied_link(to, help_text: str) -> models.ForeignKey:
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=help_text,
    )
