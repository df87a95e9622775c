"""An admin site whose return order admin has the CSV buttons, for the tests, until
``shipbacks.admin.return_orders.ReturnOrderAdmin`` takes the mixin itself (then it is that one).

    ReturnOrderAdmin(CsvImportExportMixin, ...) with csv_kind = "return_orders"
"""

from django.contrib import admin
from django.urls import path

from returns_portal.csvio.admin import CsvImportExportMixin, ImportJobAdmin
from returns_portal.models import ImportJob
from shipbacks.admin.return_orders import ReturnOrderAdmin
from shipbacks.models import ReturnOrder

if issubclass(ReturnOrderAdmin, CsvImportExportMixin):
    ReturnOrderCsvAdmin = ReturnOrderAdmin
else:

    class ReturnOrderCsvAdmin(CsvImportExportMixin, ReturnOrderAdmin):
        csv_kind = "return_orders"


site = admin.AdminSite(name="admin")
site.register(ReturnOrder, ReturnOrderCsvAdmin)
site.register(ImportJob, ImportJobAdmin)

urlpatterns = [path("admin/", site.urls)]
