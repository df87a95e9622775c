"""ShipBob API 2025-07, returns: HTTP only. Bodies are built by ``adapter.py``.

Documents: seed 001 (https://developer-stage.shipbob.dev/api/returns/create-return-order) and
the spec ../shared/provider-specs/shipbob-2025-07.openapi.json. The channel header is
``shipbob_channel_id`` with underscores, exactly: some servers and proxies drop such headers, so
a test double or a proxy in front of ShipBob must keep it.
"""

from typing import Any

from ..base import BaseClient, segment
from ..errors import NON_FIELD_ERRORS

API = "2025-07"


class ShipBobClient(BaseClient):
    provider = "ShipBob"

    def __init__(self, *, token: str, channel_id: str | int, **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.channel_id = str(channel_id)

    def auth_headers(self) -> dict[str, str]:
        # Seed 001: Authorization (Personal Access Token) and shipbob_channel_id, both required.
        return {"Authorization": f"Bearer {self.token}", "shipbob_channel_id": self.channel_id}

    def parse_error(self, body: Any) -> tuple[str, str, dict[str, list[str]]]:
        """400 ProblemDetails ``{title, detail, status, errors?: {field: [msg]}}`` and 422
        ApiError ``{message, errors: [msg], details}`` (seed 001 error bodies)."""
        message, code, field_errors = super().parse_error(body)
        if isinstance(body, dict):
            details = body.get("details")
            if isinstance(details, dict):
                for field, messages in details.items():
                    items = messages if isinstance(messages, list) else [messages]
                    field_errors.setdefault(str(field), []).extend(str(m) for m in items)
            elif isinstance(details, str) and details:
                field_errors.setdefault(NON_FIELD_ERRORS, []).append(details)
            if body.get("title") and body.get("detail"):
                message = f"{body['title']}: {body['detail']}"
        return message, code, field_errors

    def create_return(self, body: dict) -> dict:
        # POST /2025-07/return (seed 001 "Create Return Order"), 201 PublicReturnV1Dto.
        return self.post(f"{API}/return", json=body)

    def get_return(self, return_id: int | str) -> dict | None:
        # GET /2025-07/return/{id} (spec "Get Return Order"), PublicReturnDto.
        return self.get(f"{API}/return/{segment(return_id)}", not_found_ok=True)

    def list_returns(self, **filters: str) -> list[dict]:
        # GET /2025-07/return?ReferenceIds=...&Status=... (spec "Get Return Orders"): a page
        # {items, next, ...} of PublicReturnDto.
        body = self.get(f"{API}/return", params=filters)
        if isinstance(body, dict):
            body = body.get("items")
        return [item for item in body or [] if isinstance(item, dict)]

    def cancel_return(self, return_id: int | str) -> None:
        # POST /2025-07/return/{id}:cancel (spec "Cancel Return order"), 200 without a body.
        self.post(f"{API}/return/{segment(return_id)}:cancel")
