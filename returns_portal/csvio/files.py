"""Reading CSV files people make with spreadsheets, and writing ones they can open safely.

Spreadsheets save CSV as UTF-8 with or without a byte order mark, separated by commas or (in
French and German locales) semicolons; both are read. A cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is run as a formula when a spreadsheet opens the file: every
such cell written gets a leading single quote, and reading takes it off again, so an export
imports back unchanged.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

FORMULA_STARTS = frozenset("=+-@\t\r")
DELIMITERS = (",", ";")


class CsvFileError(Exception):
    """The file as a whole cannot be read (encoding, header): said to the person uploading it."""


def escape_cell(text: str) -> str:
    """A cell's text, with a quote in front when a spreadsheet would take it for a formula."""
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """A cell as read: surrounding spaces dropped, and the quote :func:`escape_cell` added."""
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


class _Line:
    """A file-like object whose ``write`` returns what it was given (for streaming rows)."""

    def write(self, value: str) -> str:
        return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # dates and times in ISO 8601
    return str(value)


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The file's lines, one string per row, every cell escaped. Empty for None, ``true`` or
    ``false`` for booleans, ISO 8601 for dates and times."""
    writer = csv.writer(_Line())
    yield writer.writerow([escape_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([escape_cell(_text(value)) for value in row])


@dataclass
class CsvTable:
    """A decoded CSV file: its header (names in lower case) and its data rows."""

    text: str
    delimiter: str
    header: list[str]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` of every data row, the header being row 1. Cells are
        unescaped; blank rows are skipped (their numbers too, as a spreadsheet shows them);
        rows shorter than the header are padded with empty cells. Raises
        :class:`CsvFileError` on a row the csv module cannot read."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
        width = len(self.header)
        strip = str.strip
        number = 1
        try:
            next(reader, None)
            for number, record in enumerate(reader, start=2):
                cells = list(map(strip, record))
                if not any(cells):
                    continue
                # Most rows have no cell starting with a quote: one search over the row.
                joined = "\x1f".join(cells)
                if joined.startswith("'") or "\x1f'" in joined:
                    cells = [unescape_cell(cell) for cell in cells]
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                yield number, cells
        except csv.Error as exc:
            raise CsvFileError(f"Row {number + 1} cannot be read: {exc}.") from exc

    def count(self) -> int:
        """How many data rows :meth:`records` yields (a quick first pass)."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
        next(reader, None)
        try:
            return sum(1 for record in reader if any(cell.strip() for cell in record))
        except csv.Error as exc:
            raise CsvFileError(f"The file cannot be read: {exc}.") from exc


def read_csv(raw: bytes) -> CsvTable:
    """Decode a file and read its header. Raises :class:`CsvFileError` when it is not a CSV
    file in UTF-8 with a header row."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvFileError(
            "This is a spreadsheet file (Excel), not CSV: save it as “CSV UTF-8” and upload that."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            f"The file is not UTF-8 text (byte {exc.start + 1} is not): save it as “CSV UTF-8”."
        ) from exc
    if "\x00" in text:
        raise CsvFileError("The file is not text: upload a CSV file.")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise CsvFileError("The file is empty: its first row must name the columns.")
    # The header names columns in plain words: whichever separator it uses more is the one.
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise CsvFileError(f"The header row cannot be read: {exc}.") from exc
    header = [unescape_cell(name).lower() for name in header]
    while header and not header[-1]:
        header.pop()  # spreadsheets add empty columns after the last one
    return CsvTable(text=text, delimiter=delimiter, header=header)
