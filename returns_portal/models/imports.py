"""CSV imports: one row per uploaded file, from the upload to the import (or its refusal).

The file is checked row by row first (``validating``), which ends in a preview (``validated``)
or in the list of what is wrong (``invalid``); a manager then confirms, and the whole file is
written in one transaction (``importing`` → ``done``) or not at all (``failed``, with why).
"""

from django.conf import settings
from django.db import models

from .base import StateMachine, TimeStampedModel, state_check


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "Products"
    ORDERS = "orders", "Orders"
    RETURN_ORDERS = "return_orders", "Return orders"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    VALIDATING = "validating", "Checking"
    VALIDATED = "validated", "Ready to import"
    INVALID = "invalid", "Has errors"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class ImportJob(StateMachine, TimeStampedModel):
    Kind = ImportKind
    State = ImportState

    S = ImportState
    TRANSITIONS = {
        S.UPLOADED: {S.VALIDATING, S.FAILED},
        S.VALIDATING: {S.VALIDATED, S.INVALID, S.FAILED},
        S.VALIDATED: {S.IMPORTING},
        S.IMPORTING: {S.DONE, S.FAILED},
        S.INVALID: set(),
        S.DONE: set(),
        S.FAILED: set(),
    }
    FINAL_STATES = (S.INVALID, S.DONE, S.FAILED)
    # States a worker is busy with: the job's page follows them with a progress bar.
    RUNNING_STATES = (S.UPLOADED, S.VALIDATING, S.IMPORTING)
    MILESTONES = {
        S.VALIDATED: "validated_at",
        S.INVALID: "validated_at",
        S.IMPORTING: "started_at",
        S.DONE: "finished_at",
        S.FAILED: "finished_at",
    }
    del S

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file = models.FileField(upload_to="imports/", max_length=200)
    file_name = models.CharField(max_length=255, help_text="The name of the uploaded file.")
    state = models.CharField(
        max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED, editable=False
    )
    rows_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Data rows in the file (the header row excluded)."
    )
    rows_processed = models.PositiveIntegerField(
        default=0, help_text="Rows checked (or written) so far: the progress bar."
    )
    to_create = models.PositiveIntegerField(null=True, blank=True)
    to_update = models.PositiveIntegerField(null=True, blank=True)
    created_count = models.PositiveIntegerField("created", null=True, blank=True)
    updated_count = models.PositiveIntegerField("updated", null=True, blank=True)
    unchanged_count = models.PositiveIntegerField("unchanged", null=True, blank=True)
    errors = models.JSONField(
        default=list,
        blank=True,
        help_text='The first row errors, as {"row", "column", "message"}; row 1 is the header.',
    )
    error_count = models.PositiveIntegerField(default=0, help_text="Every row error found.")
    sample = models.JSONField(
        default=dict, blank=True, help_text="The header and the first rows, for the preview."
    )
    failure = models.TextField(blank=True, help_text="Why the import stopped, when it failed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who confirmed the import: the records' history names them.",
    )
    validated_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "CSV import"
        permissions = [
            ("import_data", "Can import CSV files"),
            ("export_data", "Can export CSV files"),
        ]
        constraints = [
            state_check("state", ImportState, "returns_portal_importjob_state_valid"),
            state_check("kind", ImportKind, "returns_portal_importjob_kind_valid"),
        ]

    def __str__(self) -> str:
        when = f" of {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else ""
        return f"{self.get_kind_display()} import{when} ({self.file_name})"

    @property
    def is_running(self) -> bool:
        return self.state in self.RUNNING_STATES

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state in self.FINAL_STATES else 0
        return min(100, round(100 * self.rows_processed / self.rows_total))
