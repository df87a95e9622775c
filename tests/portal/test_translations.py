"""French throughout: every message of the catalog is translated, and the compiled catalog in
the tree (a fresh machine has no gettext tools) is the one of the .po file."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


def _po_entries() -> dict:
    """msgid (or (msgid, msgid_plural)) -> msgstr (or its plural forms), from the .po file."""
    entries = {}
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block:
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if not fields.get("msgid"):
            continue
        if "msgid_plural" in fields:
            entries[(fields["msgid"], fields["msgid_plural"])] = (
                fields.get("msgstr[0]", ""),
                fields.get("msgstr[1]", ""),
            )
        else:
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


def test_every_message_has_a_french_translation():
    untranslated = [
        key
        for key, value in _po_entries().items()
        if not (all(value) if isinstance(value, tuple) else value)
    ]

    assert untranslated == []


def test_the_compiled_catalog_is_the_one_of_the_po_file():
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)

    for key, value in _po_entries().items():
        if isinstance(key, tuple):
            assert catalog.ngettext(key[0], key[1], 1) == value[0], key
            assert catalog.ngettext(key[0], key[1], 2) == value[1], key
        else:
            assert catalog.gettext(key) == value, key
