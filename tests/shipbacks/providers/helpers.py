"""Recorded payloads (payloads/<provider>/*.json) and small builders shared by these tests."""

import json
from pathlib import Path

PAYLOADS = Path(__file__).parent / "payloads"


def load_payload(name: str):
    """A recorded provider body, e.g. ``load_payload("shipbob/return_created.json")``."""
    return json.loads((PAYLOADS / name).read_text())


def sent_json(call) -> dict:
    """The JSON body of a request ``responses`` recorded."""
    return json.loads(call.request.body)
