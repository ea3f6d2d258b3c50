"""Reading tabular exports (CSV and XLSX) into rows that remember their line.

Used for rosters and, later, survey exports. A coordinator's files come from HR
systems, Google Forms and Excel: UTF-8 with or without BOM, a declared legacy
encoding, `,` `;` or tab delimiters, CRLF, quoted multi-line cells, ragged rows.
Nothing here raises on bad bytes: every difficulty becomes a `Problem`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import Location, Problem, error, warning
from ..text import clean, header_key, suggest

MAX_TABLE_BYTES = 100_000_000  # generous: 100,000 rows of a wide HR export is ~50 MB
DELIMITERS = (",", ";", "\t")
T = TypeVar("T")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Row:
    """One record: the line it starts on and its cells (trimmed, NFC)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A header and its records, from one file."""

    file: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[Row, ...] = field(default=())


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV, judged from its header line only (quotes ignored)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def _decode(data: bytes, file: str, encoding: str) -> tuple[str | None, list[Problem]]:
    if data.startswith(_BOM):
        data, encoding = data[len(_BOM) :], "utf-8"
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode(encoding, errors="replace")) + 1
        name = codecs.lookup(encoding).name
        if name == "utf-8":
            hint = "re-save as CSV UTF-8, or set roster.encoding (e.g. cp1252) in program.yaml"
        else:
            hint = "check the encoding named in program.yaml"
        message = f"byte 0x{data[exc.start]:02x} is not valid {name}"
        return None, [error(Location(file, line, col), message, hint)]


def read_csv(data: bytes, file: str, encoding: str = "utf-8") -> tuple[Table | None, list[Problem]]:
    """Read CSV bytes into a `Table`; `None` (with problems) when it cannot be read."""
    top = Location(file, 1, 1)
    if len(data) > MAX_TABLE_BYTES:
        return None, [error(top, f"file is larger than {MAX_TABLE_BYTES:,} bytes")]
    text, problems = _decode(data, file, encoding)
    if text is None:
        return None, problems
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [
            error(Location(file, line, 1), "the file contains NUL bytes; is it really a CSV?")
        ]
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    # strict: a quote left open must be an error, not swallow the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    header_line = 0
    rows: list[Row] = []
    last = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            cells = tuple(clean(c) for c in record)
            if not any(cells):
                continue  # blank lines and rows of empty cells
            if header is None:
                header, header_line = cells, start
            else:
                rows.append(Row(start, cells))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            line, column = _unclosed_quote(text, delimiter)
            return None, [
                error(
                    Location(file, line, column),
                    "a quoted cell opens here and is never closed",
                    'close the quote; a quote inside a quoted cell is written twice ("")',
                )
            ]
        return None, [error(Location(file, last + 1, 1), f"cannot read this CSV line: {exc}")]
    if header is None:
        return None, [error(top, "the file has no header line")]
    return Table(file, header, header_line, tuple(rows)), []


def _unclosed_quote(text: str, delimiter: str) -> tuple[int, int]:
    """Line and field number where the quoted cell that never closes begins."""
    line, field, quoted, at_start = 1, 1, False, True
    opened = (1, 1)
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"' and text[i + 1 : i + 2] == '"':
                i += 1
            elif char == '"':
                quoted = False
            elif char == "\n" or (char == "\r" and text[i + 1 : i + 2] != "\n"):
                line += 1
        elif char == '"' and at_start:
            quoted, opened = True, (line, field)
        elif char == delimiter:
            field, at_start = field + 1, True
            i += 1
            continue
        elif char == "\n" or (char == "\r" and text[i + 1 : i + 2] != "\n"):
            line, field, at_start = line + 1, 1, True
            i += 1
            continue
        at_start = False
        i += 1
    return opened


def _cell_text(value: object) -> str:
    """An Excel cell as text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(
    data: bytes, file: str, sheet: str | None = None, sheet_at: Location | None = None
) -> tuple[Table | None, list[Problem]]:
    """Read the first (or the named) sheet of an .xlsx workbook into a `Table`."""
    from openpyxl import load_workbook  # only when an .xlsx is read: it is slow to import

    top = Location(file, 1, 1)
    if len(data) > MAX_TABLE_BYTES:
        return None, [error(top, f"file is larger than {MAX_TABLE_BYTES:,} bytes")]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        return None, [
            error(
                top,
                f"cannot open as an Excel workbook ({type(exc).__name__})",
                "save it from Excel as .xlsx, or export CSV UTF-8",
            )
        ]
    try:
        if sheet is not None and sheet not in book.sheetnames:
            hint = suggest(sheet, book.sheetnames) or f"sheets: {', '.join(book.sheetnames)}"
            return None, [error(sheet_at or top, f"no sheet named `{sheet}` in {file}", hint)]
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        header: tuple[str, ...] | None = None
        header_line = 0
        rows: list[Row] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = tuple(clean(_cell_text(v)) for v in values)
            while cells and not cells[-1]:
                cells = cells[:-1]
            if not cells:
                continue
            if header is None:
                header, header_line = cells, number
            else:
                rows.append(Row(number, cells))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
        return None, [error(top, f"cannot read the workbook ({type(exc).__name__})")]
    finally:
        book.close()
    if header is None:
        return None, [error(top, "the sheet has no header row")]
    return Table(file, header, header_line, tuple(rows)), []


def read_table(
    folder: Path,
    name: str,
    named_at: Location,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    sheet_at: Location | None = None,
) -> tuple[Table | None, list[Problem]]:
    """Read a .csv or .xlsx file named (relative to the program folder) in program.yaml."""
    path = folder / name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt", ".tsv"):
        return None, [
            error(
                named_at,
                f"`{name}` is not a .csv or .xlsx file",
                "export the sheet as CSV UTF-8 or .xlsx",
            )
        ]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        hint = (
            suggest(path.name, (p.name for p in path.parent.glob("*")))
            if path.parent.is_dir()
            else None
        )
        return None, [error(named_at, f"file `{name}` not found", hint)]
    except OSError as exc:
        return None, [error(named_at, f"cannot read `{name}`: {exc.strerror}")]
    if suffix == ".xlsx":
        return read_xlsx(data, name, sheet, sheet_at)
    return read_csv(data, name, encoding)


def overflow(table: Table, row: Row) -> Problem | None:
    """A warning when a row has values beyond the header's columns (they are ignored)."""
    width = len(table.header)
    if not any(row.cells[width:]):
        return None
    return warning(
        Location(table.file, row.line, width + 1),
        f"row has {len(row.cells)} values but the header has {width} columns; "
        "the extra values are ignored",
        "is a value with the delimiter in it missing its quotes?",
    )


@dataclass(frozen=True)
class ColumnMap:
    """Which header position holds which canonical field; the rest are extra columns."""

    fields: Mapping[str, int]
    extra: Mapping[str, int]


def map_columns(
    table: Table,
    canonical: Iterable[str],
    required: Iterable[str],
    aliases: Mapping[str, str],
    *,
    allow: re.Pattern[str] | None = None,
) -> tuple[ColumnMap, list[Problem]]:
    """Match a table's header to canonical field names.

    A header matches a field by the program's mapping (`aliases`: export header ->
    field, compared case-insensitively) or by the field's own name in any case.
    `allow` admits patterned fields such as `skill:<topic>`.
    """
    canon = tuple(canonical)
    known = {header_key(f): f for f in canon}
    mapped = {header_key(k): v for k, v in aliases.items()}
    fields: dict[str, int] = {}
    extra: dict[str, int] = {}
    problems: list[Problem] = []
    for index, title in enumerate(table.header):
        where = Location(table.file, table.header_line, index + 1)
        if not title:
            continue
        key = header_key(title)
        target = mapped.get(key) or known.get(key)
        if target is None and allow is not None and allow.match(key):
            target = key
        if target is None:
            extra[title] = index
            close = suggest(title, canon)
            if close:
                problems.append(
                    warning(
                        where,
                        f"column `{title}` is not a known field and is kept as an extra column",
                        close,
                    )
                )
            continue
        if target in fields:
            first = table.header[fields[target]]
            problems.append(
                error(
                    where,
                    f"column `{title}` repeats field `{target}` "
                    f"(already read from column `{first}`)",
                )
            )
            continue
        fields[target] = index
    for name in required:
        if name not in fields:
            hint = f"add a `{name}` column, or map your export's header to it under columns:"
            problems.append(
                error(
                    Location(table.file, table.header_line, 1),
                    f"required column `{name}` is missing",
                    hint,
                )
            )
    return ColumnMap(fields, extra), problems


@dataclass
class RowReader:
    """One row's cells by field, each with its file:line:col; conversions collect problems.

    `clean` is applied to every cell's text (meetings.csv undoes its formula guard);
    `bad` is set when a conversion failed, so the row can be left out.
    """

    table: Table
    row: Row
    columns: ColumnMap
    problems: list[Problem]
    clean: Callable[[str], str] = str
    bad: bool = False

    def where(self, field: str) -> Location:
        """The cell of a field, or the row's first column when the field has none."""
        index = self.columns.fields.get(field)
        return Location(self.table.file, self.row.line, index + 1 if index is not None else 1)

    def text(self, field: str) -> str:
        """The field's text ("" when the column is missing or the row is short)."""
        index = self.columns.fields.get(field)
        if index is None or index >= len(self.row.cells):
            return ""
        return self.clean(self.row.cells[index])

    def optional(self, field: str) -> str | None:
        """The field's text, or None when empty."""
        return self.text(field) or None

    def convert(self, field: str, parse: Callable[[str], T]) -> T | None:
        """`parse` the field's text (None when empty); a ValueError becomes a problem."""
        value = self.text(field)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problems.append(error(self.where(field), f"{field}: {exc}"))
            self.bad = True
            return None


def split_list(value: str, separator: str) -> tuple[str, ...]:
    """Split a list cell; items are trimmed and empty items (a trailing `;`) dropped."""
    return tuple(item.strip() for item in value.split(separator) if item.strip())
