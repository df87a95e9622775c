"""The admin's History pages for records with a history (django-simple-history).

Each change is listed with its author, and a past version can be opened to read it. Nothing is
reverted from there: a record changes through its own form or its services, whose rules a
revert would skip.
"""

from django.http import HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin


class HistoryReadingAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)
