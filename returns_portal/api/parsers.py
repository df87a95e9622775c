"""A JSON parser that forgives trailing commas.

ShopRunBack's published examples (seeds 002 and 003) have trailing commas in their bodies
(``{"product_id": "…",}``). Integrators copy them; they are accepted. Anything else that is
not JSON is still a 400.
"""

import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A comma followed only by whitespace before a closing bracket, outside strings: strings are
# matched first and kept as they are.
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])', re.S)


def _strip_trailing_commas(text: str) -> str:
    return _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text)


class LenientJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"The body is not {encoding} text.") from exc
        try:
            return json.loads(text)
        except ValueError:
            pass
        try:
            return json.loads(_strip_trailing_commas(text))
        except ValueError as exc:
            raise ParseError(f"JSON parse error: {exc}") from exc
