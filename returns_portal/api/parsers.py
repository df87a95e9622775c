"""Request body parsers that accept what ShopRunBack's documented examples actually send.

- JSON with trailing commas: the published bodies (seeds 002 and 003) have them
  (``{"product_id": "…",}``); integrators copy them.
- JSON sent as ``application/x-www-form-urlencoded``: seed 003's ``curl -X POST -d '{…}'``
  examples give no Content-Type, so curl labels the JSON body as a form.
- Rails-style nested form fields (``overrides[try_at_home]=true``, ``items[][item_id]=…``):
  what the Ruby examples send, since HTTParty form-encodes a Hash ``body`` whatever the
  Content-Type header says.

Anything that is none of these is still a 400.
"""

import json
import re
from urllib.parse import parse_qsl, unquote_plus

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser

# A comma followed only by whitespace before a closing bracket, outside strings: strings are
# matched first and kept as they are.
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])', re.S)
# field, field[key], field[], field[][key], field[key][]... (Rails' nested parameters)
_FORM_KEY = re.compile(r"^[\w.-]+(\[[\w.-]*\])*$")


def _strip_trailing_commas(text: str) -> str:
    return _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _json(text: str):
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        return json.loads(_strip_trailing_commas(text), parse_constant=_refuse_constant)


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_storable(text: str, data) -> None:
    """Escaped lone surrogates (``"\\ud800"``) make strings no database can store."""
    if _ESCAPED_SURROGATE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError as exc:
            raise ParseError("The body has an invalid Unicode escape.") from exc


def _looks_like_form(text: str) -> bool:
    pairs = [pair for pair in text.strip().split("&") if pair]
    return bool(pairs) and all(
        "=" in pair and _FORM_KEY.match(unquote_plus(pair.partition("=")[0])) for pair in pairs
    )


def _assign(target: dict, keys: list[str], value) -> None:
    """Rails' rules: ``a[b]`` nests a hash, ``a[]`` appends, ``a[][k]`` fills the last hash of
    the list until ``k`` repeats, which starts a new one."""
    key, rest = keys[0], keys[1:]
    if not rest:
        target[key] = value
        return
    if rest[0] == "":
        items = target.setdefault(key, [])
        if not isinstance(items, list):
            raise ParseError(f"Form field {key} is both a list and a value.")
        if len(rest) == 1:
            items.append(value)
            return
        if not items or not isinstance(items[-1], dict) or rest[1] in items[-1]:
            items.append({})
        _assign(items[-1], rest[1:], value)
        return
    child = target.setdefault(key, {})
    if not isinstance(child, dict):
        raise ParseError(f"Form field {key} is both an object and a value.")
    _assign(child, rest, value)


def parse_nested_form(text: str) -> dict:
    data: dict = {}
    for name, value in parse_qsl(text, keep_blank_values=True, strict_parsing=False):
        head, _, tail = name.partition("[")
        keys = [head] + (tail[:-1].split("][") if tail else [])
        _assign(data, keys, value)
    return data


def _decode(stream, parser_context) -> str:
    encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
    try:
        return stream.read().decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(f"The body is not {encoding} text.") from exc


def parse_body(text: str, *, form_first: bool = False):
    """JSON (trailing commas forgiven), else Rails-style form fields."""
    if not text.strip():
        return {}
    if form_first and _looks_like_form(text):
        return parse_nested_form(text)
    try:
        data = _json(text)
    except RecursionError as exc:
        raise ParseError("The body is nested too deeply.") from exc
    except ValueError as exc:
        if _looks_like_form(text):
            return parse_nested_form(text)
        raise ParseError(f"JSON parse error: {exc}") from exc
    _check_storable(text, data)
    return data


class LenientJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return parse_body(_decode(stream, parser_context))


class LenientFormParser(BaseParser):
    """``application/x-www-form-urlencoded``: a JSON body (curl ``-d`` without a Content-Type),
    else Rails-style nested form fields."""

    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream, media_type=None, parser_context=None):
        text = _decode(stream, parser_context)
        if text.lstrip().startswith(("{", "[")):
            return parse_body(text)
        return parse_body(text, form_first=True)
