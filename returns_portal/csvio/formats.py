"""What every CSV format shares: its columns, the checks of a cell, row errors, the result of
checking a file, and the base class each app's format derives from.

Cells are checked in plain Python, one function per column, mirroring the model's fields and
constraints (lengths, ranges, choices): a file of 100,000 rows is checked in seconds, and each
error names its row and column. What a format checks across rows and against the database
(references that must exist, duplicates) it adds in its own :meth:`CsvFormat.check`.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.module_loading import import_string

from .files import CsvTable

# The first rows of a file shown on its preview page.
SAMPLE_ROWS = 10
# References looked up per query when a file names products, orders or warehouses.
LOOKUP_CHUNK = 900  # under SQLite's oldest limit of 999 parameters

TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})

MAX_INTEGER = 2_147_483_647  # PositiveIntegerField
MAX_SMALL_INTEGER = 32_767  # PositiveSmallIntegerField
BIG_INTEGER = 9_223_372_036_854_775_807  # BigIntegerField


class CellError(ValueError):
    """A cell's value does not fit its column."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


REQUIRED = "This field is required."


def text(max_length: int, *, required: bool = False) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value:
            if required:
                raise CellError(REQUIRED)
            return ""
        if len(value) > max_length:
            raise CellError(f"At most {max_length} characters (it has {len(value)}).")
        return value

    return check


def field_text(model, name: str, *, required: bool = False) -> Callable[[str], str]:
    """``text`` as long as the model's field ``name`` allows."""
    return text(model._meta.get_field(name).max_length, required=required)


def integer(
    *, min_value: int = 0, max_value: int = MAX_INTEGER, required: bool = False, default=None
) -> Callable[[str], int | None]:
    def check(value: str) -> int | None:
        if not value:
            if required:
                raise CellError(REQUIRED)
            return default
        try:
            number = int(value)
        except ValueError:
            raise CellError(f"A whole number is expected, not “{value[:50]}”.") from None
        if number < min_value:
            raise CellError(f"At least {min_value}.")
        if number > max_value:
            raise CellError(f"At most {max_value}.")
        return number

    return check


def boolean(*, default: bool | None = None) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        lowered = value.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        if not value and default is not None:
            return default
        raise CellError("Write true or false (or yes/no, 1/0).")

    return check


def iso_date(*, required: bool = False) -> Callable[[str], datetime.date | None]:
    def check(value: str) -> datetime.date | None:
        if not value:
            if required:
                raise CellError(REQUIRED)
            return None
        try:
            return datetime.date.fromisoformat(value[:10] if "T" in value else value)
        except ValueError:
            raise CellError(f"A date as YYYY-MM-DD is expected, not “{value[:50]}”.") from None

    return check


def choice(choices: type[models.TextChoices], *, default: str = "") -> Callable[[str], str]:
    allowed = {value: value for value in choices.values}
    # Labels are accepted too, in any case ("Restock" for "restock").
    allowed.update({str(label).lower(): value for value, label in choices.choices})

    def check(value: str) -> str:
        if not value:
            if default:
                return default
            raise CellError(REQUIRED)
        found = allowed.get(value) or allowed.get(value.lower())
        if found is None:
            raise CellError(f"One of {', '.join(choices.values)}; not “{value[:50]}”.")
        return found

    return check


def matching(
    regex: str, message: str, *, required: bool = True, default: str = ""
) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not value:
            if default:
                return default
            if required:
                raise CellError(REQUIRED)
            return ""
        if not compiled.fullmatch(value):
            raise CellError(message)
        return value

    return check


def email(*, max_length: int = 254) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value:
            raise CellError(REQUIRED)
        if len(value) > max_length:
            raise CellError(f"At most {max_length} characters (it has {len(value)}).")
        try:
            validate_email(value)
        except ValidationError:
            raise CellError("Enter a valid e-mail address.") from None
        return value

    return check


@dataclass(frozen=True)
class Column:
    name: str
    check: Callable[[str], Any] | None  # None: exported only, ignored by an import
    help: str = ""
    required: bool = False  # the header must have it


class RowErrors:
    """The errors found in a file: every one counted, the first ``limit`` kept."""

    def __init__(self, limit: int | None = None):
        self.limit = settings.CSV_IMPORT_MAX_ERRORS if limit is None else limit
        self.kept: list[dict] = []
        self.count = 0
        self.rows: set[int] = set()

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        self.rows.add(row)
        if len(self.kept) < self.limit:
            self.kept.append({"row": row, "column": column, "message": message})

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[dict]:
        return sorted(self.kept, key=lambda error: error["row"])


@dataclass
class Checked:
    """A file checked: what its format will write, or the errors that keep it from it."""

    records: list
    errors: RowErrors
    fields: list[str] = field(default_factory=list)  # what each record holds, if a tuple
    to_create: int = 0
    to_update: int = 0
    sample: dict = field(default_factory=dict)


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


Progress = Callable[[int], None]


def _as_is(value: str) -> str:
    return value


def no_progress(rows: int) -> None:
    return None


class CsvFormat:
    """One kind of file: its columns, how its rows are checked and written, and its export.

    A subclass sets ``kind``, ``model`` (exported, and whose permissions an import needs) and
    ``columns``, and implements :meth:`check`, :meth:`write` and :meth:`export_rows`. Columns
    left out of a file's header keep their value on existing records (and their default on new
    ones) where the format updates records; the ``required`` ones must be there.
    """

    kind: str = ""
    model: type[models.Model]
    columns: tuple[Column, ...] = ()
    updates_existing = False  # an import changes existing records (the change permission)
    description = ""

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def writes_while_checking(self) -> bool:
        """Whether an import checks its rows again while it writes them
        (``check_and_write(table, job=job) -> (Checked, Written)``, in the caller's
        transaction), rather than all of them before (``check`` then ``write``)."""
        return False

    def header_errors(self, header: list[str]) -> list[str]:
        """What is wrong with a file's header: unknown, repeated and missing columns."""
        known = {column.name for column in self.columns}
        problems = []
        unknown = [name or "(empty)" for name in header if name not in known]
        if unknown:
            problems.append(
                f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                f"The columns are: {', '.join(self.header)}."
            )
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            problems.append(f"Columns named twice: {', '.join(repeated)}.")
        missing = [c.name for c in self.columns if c.required and c.name not in header]
        if missing:
            problems.append(
                f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}."
            )
        return problems

    def converted_rows(
        self, table: CsvTable, errors: RowErrors, sample: dict, progress: Progress
    ) -> Iterator[tuple[int, list]]:
        """``(row number, values)`` of each row whose cells all pass their checks, the values
        in the order of the header (an exported-only column keeps its text); the other rows
        add their errors. Fills ``sample`` with the header and the first rows, and calls
        ``progress`` every few thousand rows."""
        by_name = {column.name: column for column in self.columns}
        checks = [
            (index, name, by_name[name].check or _as_is) for index, name in enumerate(table.header)
        ]
        width = len(table.header)
        every = settings.CSV_IMPORT_PROGRESS_ROWS
        sample.update(header=list(table.header), rows=[])
        for seen, (number, cells) in enumerate(table.records(), start=1):
            if seen % every == 0:
                progress(seen)
            if seen <= SAMPLE_ROWS:
                sample["rows"].append([number, *cells[:width]])
            if len(cells) > width and any(cells[width:]):
                errors.add(number, "", f"More cells than the header's {width} columns.")
                continue
            try:
                values = [check(cells[index]) for index, _, check in checks]
            except CellError:
                # Rare: go again cell by cell, to report every error of the row.
                for index, name, check in checks:
                    try:
                        check(cells[index])
                    except CellError as exc:
                        errors.add(number, name, exc.message)
                continue
            yield number, values

    def converted_dicts(
        self, table: CsvTable, errors: RowErrors, sample: dict, progress: Progress
    ) -> Iterator[tuple[int, dict]]:
        """:meth:`converted_rows` as ``{column: value}``."""
        header = table.header
        for number, values in self.converted_rows(table, errors, sample, progress):
            yield number, dict(zip(header, values, strict=True))

    def check(
        self, table: CsvTable, *, progress: Progress = no_progress, preview: bool = True
    ) -> Checked:
        """Check every row of ``table``. With ``preview``, also count what would be created
        and updated (the import itself learns that from writing)."""
        raise NotImplementedError

    def write(self, checked: Checked, *, job) -> Written:
        """Write what :meth:`check` found, for ``job`` (an ImportJob: its id and who confirmed
        it), inside the caller's transaction; raise DomainError to refuse."""
        raise NotImplementedError

    def export_rows(self, queryset: models.QuerySet) -> Iterator[list]:
        """One list of cells per row, in the order of :attr:`header`, for the records of
        ``queryset`` (the admin's list as filtered), in a constant number of queries."""
        raise NotImplementedError


@cache
def csv_format(kind: str) -> CsvFormat:
    """The format of ``kind`` files, as the ``CSV_FORMATS`` setting names it."""
    return import_string(settings.CSV_FORMATS[kind])()


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(queryset: models.QuerySet, field_name: str, keys) -> dict:
    """``{key: record}`` of the records of ``queryset`` whose ``field_name`` is in ``keys``,
    a thousand keys per query."""
    found = {}
    for part in chunks(sorted(set(keys))):
        for record in queryset.filter(**{f"{field_name}__in": part}):
            found[getattr(record, field_name)] = record
    return found


def grouped(
    rows: list[tuple[int, dict]], key: str, shared: tuple[str, ...], errors: RowErrors
) -> dict[str, list[tuple[int, dict]]]:
    """Rows grouped by their ``key`` column (an order's items, a return order's lines), in
    the file's order. The ``shared`` columns describe the group: a row whose value differs
    from the group's first row is an error (reported once per row)."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, values in rows:
        group = groups.setdefault(values[key], [])
        if group:
            first_number, first = group[0]
            different = [name for name in shared if name in values and values[name] != first[name]]
            if different:
                errors.add(
                    number,
                    different[0],
                    f"Differs from row {first_number}, the first row of {key} "
                    f"{values[key]} (every row of it must say the same).",
                )
                continue
        group.append((number, values))
    return groups
