"""Template filters of the portal: prices, opening hours and pickup slots in the customer's
language."""

from datetime import timedelta

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shipbacks.services.editing import as_datetime
from shipbacks.services.portal import slot_value as service_slot_value

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
WEEKDAYS = {
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
}


def format_price(cents: int | None, currency: str = "EUR", language: str | None = None) -> str:
    """4,50 € in French, €4.50 in English."""
    cents = cents or 0
    amount = f"{cents // 100}.{cents % 100:02d}"
    symbol = SYMBOLS.get(currency, currency)
    if (language or get_language() or "en")[:2] == "fr":
        return f"{amount.replace('.', ',')}\N{NO-BREAK SPACE}{symbol}"
    if symbol == currency:
        return f"{amount}\N{NO-BREAK SPACE}{currency}"
    return f"{symbol}{amount}"


@register.filter
def price(cents, currency="EUR"):
    return format_price(cents, currency or "EUR")


@register.filter
def hours_lines(value) -> list[str]:
    """A drop-off point's opening hours, as lines: a text, a list, or a day -> hours mapping."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _week_lines(value)
    if isinstance(value, list):
        return [line for entry in value for line in hours_lines(entry)]
    return [str(value)]


def _week_lines(hours: dict) -> list[str]:
    """Days in week order, consecutive days with the same hours on one line (Monday–Friday)."""
    order = list(WEEKDAYS)
    days = sorted(hours, key=lambda day: order.index(day) if day in order else len(order))
    runs: list[list] = []  # [first day, last day, hours]
    for day in days:
        follows = (
            runs
            and runs[-1][2] == hours[day]
            and day in order
            and runs[-1][1] in order
            and order.index(day) == order.index(runs[-1][1]) + 1
        )
        if follows:
            runs[-1][1] = day
        else:
            runs.append([day, day, hours[day]])
    lines = []
    for first, last, opening in runs:
        days_label = str(WEEKDAYS.get(first, first))
        if last != first:
            days_label = f"{days_label}–{WEEKDAYS.get(last, last)}"
        lines.append(_("%(days)s: %(hours)s") % {"days": days_label, "hours": opening})
    return lines


@register.filter
def slot_start(slot: dict):
    """A pickup slot's start, as an aware datetime for the ``date`` filter."""
    return as_datetime(slot.get("pickup_datetime")) if isinstance(slot, dict) else None


@register.filter
def slot_end(slot: dict):
    start = slot_start(slot)
    if start is None:
        return None
    return start + timedelta(minutes=int(slot.get("pickup_duration") or 0))


@register.filter
def slot_value(slot: dict) -> str:
    """The form value of a pickup slot."""
    return service_slot_value(slot) if isinstance(slot, dict) else ""
