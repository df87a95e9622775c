"""CSV in the admin: "Import CSV" and "Export CSV" on a model's list, and the imports' pages.

:class:`CsvImportExportMixin` goes first in a ModelAdmin's bases and names its format
(``csv_kind``). Importing needs the ``returns_portal.import_data`` permission and the model's
add permission (and change, for formats that update records); exporting needs
``returns_portal.export_data`` and the model's view permission. Superusers have them all; the
roles give them to returns managers, not to warehouse staff.

An import's page (the :class:`ImportJobAdmin` object page) follows the job: a progress bar
while a worker checks or imports the file (``static/returns_portal/csvio.js`` polls a small
JSON status; without JavaScript a refresh link does), then the preview and its confirm button,
the errors, or the counts of what was imported.
"""

import itertools

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..errors import DomainError
from ..models import ImportJob
from .files import csv_lines
from .formats import CsvFormat, csv_format
from .forms import CsvUploadForm
from .services import import_job_confirm, import_job_create, import_job_delete

State = ImportJob.State
# How often the job's page asks for its progress, in milliseconds.
POLL_INTERVAL_MS = 1000


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def can_import(user, fmt: CsvFormat) -> bool:
    actions = ("add", "change") if fmt.updates_existing else ("add",)
    return user.has_perm("returns_portal.import_data") and all(
        user.has_perm(_perm(fmt.model, action)) for action in actions
    )


def can_export(user, fmt: CsvFormat) -> bool:
    return user.has_perm("returns_portal.export_data") and (
        user.has_perm(_perm(fmt.model, "view")) or user.has_perm(_perm(fmt.model, "change"))
    )


def _changelist_url(fmt: CsvFormat) -> str:
    opts = fmt.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _import_url(fmt: CsvFormat) -> str:
    opts = fmt.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_csv_import")


def _no_results(changelist, request) -> None:
    return None


class CsvImportExportMixin:
    """Import and export buttons on the list, the upload page, and the streamed export."""

    csv_kind = ""
    change_list_template = "admin/csvio/change_list.html"
    csv_upload_template = "admin/csvio/upload.html"

    @property
    def csv_format(self) -> CsvFormat:
        return csv_format(self.csv_kind)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.csv_import_view),
                name="{}_{}_csv_import".format(*info),
            ),
            path(
                "export-csv/",
                self.admin_site.admin_view(self.csv_export_view),
                name="{}_{}_csv_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if getattr(request, "csv_export", False):
            # An export needs the list's filtered queryset, not the page of results it shows.
            return type("ExportChangeList", (changelist,), {"get_results": _no_results})
        return changelist

    def changelist_view(self, request, extra_context=None):
        info = self.opts.app_label, self.opts.model_name
        extra_context = {**(extra_context or {})}
        if can_import(request.user, self.csv_format):
            extra_context["csv_import_url"] = reverse("admin:{}_{}_csv_import".format(*info))
        if can_export(request.user, self.csv_format):
            extra_context["csv_export_url"] = reverse("admin:{}_{}_csv_export".format(*info))
        return super().changelist_view(request, extra_context)

    def csv_import_view(self, request):
        fmt = self.csv_format
        if not can_import(request.user, fmt):
            raise PermissionDenied
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    kind=fmt.kind, name=upload.name, content=upload.read(), user=request.user
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                return HttpResponseRedirect(
                    reverse("admin:returns_portal_importjob_change", args=[job.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {self.opts.verbose_name_plural} from CSV",
            "form": form,
            "format": fmt,
            "recent_jobs": ImportJob.objects.filter(kind=fmt.kind).select_related("created_by")[:5],
            "max_megabytes": settings.CSV_IMPORT_MAX_BYTES // (1024 * 1024),
        }
        return TemplateResponse(request, self.csv_upload_template, context)

    def csv_export_view(self, request):
        """The list as filtered, searched and sorted on screen, streamed as CSV."""
        fmt = self.csv_format
        if not can_export(request.user, fmt):
            raise PermissionDenied
        request.csv_export = True  # see get_changelist
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        lines = csv_lines(fmt.header, fmt.export_rows(changelist.queryset))
        response = StreamingHttpResponse(
            itertools.chain(["\ufeff"], lines),  # the BOM tells spreadsheets it is UTF-8
            content_type="text/csv; charset=utf-8",
        )
        filename = f"{fmt.kind}-{timezone.localtime():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def progress_text(job: ImportJob) -> str:
    total = job.rows_total
    if job.state == State.UPLOADED:
        return "Waiting for a worker to check the file…"
    if job.state == State.VALIDATING:
        if total is None:
            return "Counting the rows…"
        return f"Checking the rows: {job.rows_processed:,} of {total:,}."
    if job.state == State.IMPORTING:
        if total and job.rows_processed < total:
            return f"Checking the rows again: {job.rows_processed:,} of {total:,}."
        return f"Writing {total or 0:,} rows, all in one transaction…"
    return job.get_state_display()


def job_status(job: ImportJob) -> dict:
    """What the job's page shows while it waits (the JSON it polls)."""
    writing = job.state == State.IMPORTING and job.rows_processed >= (job.rows_total or 0)
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "running": job.is_running,
        "rows_total": job.rows_total,
        "rows_processed": job.rows_processed,
        "percent": job.percent,
        # No way to tell how far a single transaction is: the bar just shows it is busy.
        "indeterminate": writing or job.rows_total is None,
        "text": progress_text(job),
    }


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The imports: a read-only list, and each one's page (progress, preview, result)."""

    list_display = [
        "created_at",
        "kind",
        "file_name",
        "state",
        "rows_total",
        "error_count",
        "created_count",
        "updated_count",
        "created_by",
    ]
    list_filter = ["state", "kind", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["file_name", "created_by__username"]
    ordering = ["-created_at"]
    job_template = "admin/csvio/job.html"

    def _allowed(self, request) -> bool:
        return request.user.has_perm("returns_portal.import_data")

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False  # uploaded from the list of what is imported

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_running:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        import_job_delete(job=obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            try:
                import_job_delete(job=job)
            except DomainError as exc:
                self.message_user(request, f"{job}: {exc.message}", messages.ERROR)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="returns_portal_importjob_status",
            ),
            path(
                "<path:object_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="returns_portal_importjob_confirm",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, object_id) -> ImportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id)
        fmt = csv_format(job.kind)
        errors = job.errors
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "status": job_status(job),
            "config": {
                "statusUrl": reverse("admin:returns_portal_importjob_status", args=[job.pk]),
                "running": job.is_running,
                "state": job.state,
                "interval": POLL_INTERVAL_MS,
            },
            "can_confirm": job.state == State.VALIDATED and can_import(request.user, fmt),
            "confirm_url": reverse("admin:returns_portal_importjob_confirm", args=[job.pk]),
            "records_url": _changelist_url(fmt),
            "records_name": fmt.model._meta.verbose_name_plural,
            "import_url": _import_url(fmt) if can_import(request.user, fmt) else "",
            "errors": errors,
            "more_errors": job.error_count - len(errors),
            "sample": job.sample,
            "can_delete": self.has_delete_permission(request, job),
        }
        return TemplateResponse(request, self.job_template, context)

    def status_view(self, request, object_id):
        # admin_view marks it never cached: each poll gets the job as it is now.
        return JsonResponse(job_status(self._job(request, object_id)))

    def confirm_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._job(request, object_id)
        if not can_import(request.user, csv_format(job.kind)):
            raise PermissionDenied
        try:
            import_job_confirm(job=job, user=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request, format_html("Importing <b>{}</b>…", job.file_name), messages.INFO
            )
        return HttpResponseRedirect(reverse("admin:returns_portal_importjob_change", args=[job.pk]))
