"""Small tolerant readers for provider JSON, shared by the adapters."""

from datetime import UTC, datetime
from typing import Any


def to_int(value: Any) -> int | None:
    """Numbers or numeric strings ("10000"); None for anything else."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 (with Z or an offset, or naive taken as UTC), or ShopRunBack's
    "2018-02-20 16:54:22 +0100", or Kibo's "2017-01-13T19:27:27+0000"."""
    if not value:
        return None
    text = str(value).strip()
    for form in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, form)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def drop_empty(values: dict) -> dict:
    """The keys whose value says something: optional fields are left out, not sent empty."""
    return {key: value for key, value in values.items() if value not in ("", None)}
