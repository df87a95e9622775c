"""The returns dashboard, a page of the admin at /admin/dashboard/ (``admin:dashboard``).

It shows the figures of ``shipbacks.dashboard`` for a period and, optionally, one warehouse: a
chart each (drawn by static/returns_portal/dashboard.js with the vendored Chart.js) and the same
figures in a table under it. Whoever holds ``shipbacks.view_dashboard`` may see it.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from .. import dashboard as figures
from ..models import Warehouse

PERMISSION = "shipbacks.view_dashboard"
DEFAULT_DAYS = 30
PRESET_DAYS = (30, 90)
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
# The actions' colours, the same in the light and dark themes: restocked green, quarantined
# amber, disposed of red.
ACTION_COLOURS = {"restock": "#4c9a2a", "quarantine": "#d39e00", "dispose": "#ba2121"}


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _iso(day: date) -> str:
    return day.isoformat()


def _date_field(label: str) -> forms.DateField:
    # Bounded, so that the instants a period spans stay within what datetimes can hold.
    return forms.DateField(
        label=label,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )


class DashboardFilterForm(forms.Form):
    date_from = _date_field("From")
    date_to = _date_field("To")
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.all(), required=False, empty_label="All warehouses"
    )

    @classmethod
    def from_query(cls, query) -> "DashboardFilterForm":
        """The form bound to the page's query string, the last 30 days for dates not given."""
        data = query.copy()
        today = _today()
        data.setdefault("date_to", _iso(today))
        data.setdefault("date_from", _iso(today - timedelta(days=DEFAULT_DAYS - 1)))
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", "The end of the period is before its start.")
            elif (date_to - date_from).days + 1 > figures.MAX_DAYS:
                self.add_error("date_from", f"Choose a period of at most {figures.MAX_DAYS} days.")
        return cleaned


def _presets(form: DashboardFilterForm) -> list[dict]:
    """Links to the last 30 and 90 days, for the warehouse chosen."""
    today = _today()
    warehouse = form.cleaned_data.get("warehouse") if form.is_valid() else None
    presets = []
    for days in PRESET_DAYS:
        query = {"date_from": _iso(today - timedelta(days=days - 1)), "date_to": _iso(today)}
        if warehouse is not None:
            query["warehouse"] = str(warehouse.pk)
        presets.append({"label": f"Last {days} days", "query": f"?{urlencode(query)}"})
    return presets


def _series(rows, label, value) -> dict:
    return {"labels": [label(row) for row in rows], "values": [value(row) for row in rows]}


def _charts(board: figures.Dashboard) -> dict:
    """What dashboard.js draws: per chart its kind, labels, values and the name of the values."""

    def breakdown(rows, kind="bar"):
        return {
            "kind": kind,
            "name": "Returns",
            **_series(rows, lambda r: r.label, lambda r: r.count),
        }

    return {
        "per-day": {
            "kind": "bar",
            "name": "Returns",
            **_series(board.per_day, lambda d: _iso(d.day), lambda d: d.returns),
        },
        "by-state": breakdown(board.by_state),
        "by-mode": breakdown(board.by_mode, kind="doughnut"),
        "by-reason": {**breakdown(board.by_reason), "name": "Units"},
        "by-warehouse": breakdown(board.by_warehouse),
        "top-products": {
            "kind": "bar",
            "name": "Units",
            **_series(
                board.top_products, lambda p: f"{p.label} ({p.reference})", lambda p: p.units
            ),
        },
        "actions": {
            "kind": "doughnut",
            "name": "Units",
            "colours": [ACTION_COLOURS[a.action] for a in board.actions],
            **_series(board.actions, lambda a: a.label, lambda a: a.units),
        },
    }


def _breakdowns(board: figures.Dashboard) -> list[dict]:
    """The breakdowns the page shows alike: a chart and a two-column table each."""
    return [
        {
            "key": "by-state",
            "heading": "By state",
            "column": "State",
            "unit": "Returns",
            "chart": "Bar chart",
            "rows": board.by_state,
        },
        {
            "key": "by-mode",
            "heading": "By mode",
            "column": "Mode",
            "unit": "Returns",
            "chart": "Doughnut chart",
            "rows": board.by_mode,
        },
        {
            "key": "by-reason",
            "heading": "By reason",
            "column": "Reason",
            "unit": "Units",
            "chart": "Bar chart",
            "rows": board.by_reason,
        },
        {
            "key": "by-warehouse",
            "heading": "By warehouse",
            "column": "Warehouse",
            "unit": "Returns",
            "chart": "Bar chart",
            "rows": board.by_warehouse,
        },
    ]


def dashboard_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = DashboardFilterForm.from_query(request.GET)
    context = {
        **admin.site.each_context(request),
        "title": "Returns dashboard",
        "form": form,
        "presets": _presets(form),
        "time_zone": timezone.get_default_timezone_name(),
    }
    if form.is_valid():
        board = figures.dashboard(**form.cleaned_data)
        average = board.completion.average
        context.update(
            board=board,
            breakdowns=_breakdowns(board),
            charts=_charts(board),
            completion_days=average.total_seconds() / 86400 if average is not None else None,
        )
    return TemplateResponse(request, "admin/dashboard.html", context)


def _with_dashboard(get_urls):
    """The admin site's URLs, the dashboard's first (in the ``admin`` namespace)."""

    def urls():
        view = admin.site.admin_view(dashboard_view)
        return [path("dashboard/", view, name="dashboard"), *get_urls()]

    return urls


admin.site.get_urls = _with_dashboard(admin.site.get_urls)
