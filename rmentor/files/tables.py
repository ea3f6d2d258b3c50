"""Reading tabular exports (CSV and XLSX) into rows that remember their line.

Used for rosters and, later, survey exports. A coordinator's files come from HR
systems, Google Forms and Excel: UTF-8 with or without BOM, a declared legacy
encoding, `,` `;` or tab delimiters, CRLF, quoted multi-line cells, ragged rows.
Nothing here raises on bad bytes: every difficulty becomes a `Problem`.

Every table is bounded (docs/safety.md): the file's size before it is read
(`reading.read_capped`), then MAX_ROWS rows, MAX_COLUMNS columns and MAX_CELL_CHARS
characters a cell, counted on what is really there. A workbook is read by our own
streaming reader over its zip (`reading.read_sheet`), never trusting what the file
says about itself: not its `<dimension>`, not its shared-string count.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import Location, Problem, error, warning
from ..text import clean, suggest
from .reading import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_PROBLEMS,
    MAX_LINES,
    MAX_ROWS,
    ROWS_HINT,
    TABLE_BYTES,
    NoSuchSheet,
    NotAWorkbook,
    Refused,
    read_capped,
    read_sheet,
    too_many_rows,
)

MAX_TABLE_BYTES = TABLE_BYTES
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


def read_csv(
    data: bytes,
    file: str,
    encoding: str = "utf-8",
    *,
    max_rows: int = MAX_ROWS,
    rows_hint: str | None = None,
) -> tuple[Table | None, list[Problem]]:
    """Read CSV bytes into a `Table`; `None` (with problems) when it cannot be read.

    At most `max_rows` rows below the header are read (`rows_hint` says why, if not
    the file's own limit), MAX_COLUMNS columns, MAX_CELL_CHARS characters a cell,
    MAX_CELLS cells and MAX_LINES records (blank ones too).
    """
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
    end = text.find("\n")
    delimiter = sniff_delimiter(text if end < 0 else text[:end])
    # strict: a quote left open must be an error, not swallow the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    header_line = 0
    rows: list[Row] = []
    last = records = kept = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            records += 1
            if records > MAX_LINES:
                return None, [_too_many(file, start, MAX_LINES, "lines")]
            if not any(record):
                continue  # a blank line, or a row of empty cells (the quick way)
            if len(record) > MAX_COLUMNS:
                width = _used_width(record)
                if width > MAX_COLUMNS:
                    return None, [_too_wide(file, start, width)]
                record = record[:width]  # trailing empty cells, as a spreadsheet leaves
            cells = tuple(map(clean, record))
            if not any(cells):
                continue  # a row of cells that are only spaces
            if max(map(len, cells)) > MAX_CELL_CHARS:
                column = next(i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS)
                return None, [_too_long(Location(file, start, column + 1), len(cells[column]))]
            kept += len(cells)
            if kept > MAX_CELLS:
                return None, [_too_many(file, start, MAX_CELLS, "cells")]
            if header is None:
                header, header_line = cells, start
            elif len(rows) == max_rows:
                return None, [_too_many_rows(file, start, max_rows, rows_hint)]
            else:
                rows.append(Row(start, cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own cap, 131,072
            return None, [_too_long(Location(file, last + 1, 1), csv.field_size_limit(), more=True)]
        if "unexpected end of data" in str(exc):
            line, column = _unclosed_quote(text, delimiter, last + 1)
            return None, [
                error(
                    Location(file, line, column),
                    "a quoted cell opens here and is never closed",
                    'close the quote; a quote inside a quoted cell is written twice ("")',
                )
            ]
        return None, [error(Location(file, last + 1, 1), f"cannot read this CSV line: {exc}")]
    if header is None:
        return None, [
            error(
                top,
                "the file has no header line",
                "the first line must name the columns, such as id,name,role: export the sheet "
                "again with its header row",
            )
        ]
    return Table(file, header, header_line, tuple(rows)), []


def _used_width(cells: Sequence[str]) -> int:
    """Cells up to the last one that is not empty."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def _too_wide(file: str, line: int, width: int, column: str = "") -> Problem:
    reaches = f"a value in column {column}, " if column else ""
    return error(
        Location(file, line, MAX_COLUMNS + 1),
        f"the row has {reaches}{width:,} columns; at most {MAX_COLUMNS:,} are read",
        "delete the columns the program does not need",
    )


def _too_long(where: Location, length: int, *, more: bool = False) -> Problem:
    count = f"more than {length:,}" if more else f"{length:,}"
    return error(where, f"the cell has {count} characters; at most {MAX_CELL_CHARS:,} are read")


def _too_many(file: str, line: int, limit: int, what: str) -> Problem:
    return error(
        Location(file, line, 1),
        f"the file has more than {limit:,} {what}; at most {limit:,} are read",
        "leave out the rows and columns the program does not need",
    )


def _too_many_rows(file: str, line: int, limit: int, hint: str | None) -> Problem:
    return error(Location(file, line, 1), too_many_rows(limit), hint or ROWS_HINT)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what csv counts as the end of a line


def _unclosed_quote(text: str, delimiter: str, first_line: int = 1) -> tuple[int, int]:
    """Line and field number where the quoted cell that never closes begins.

    The search starts at `first_line`, the start of the record csv could not finish:
    scanning a 20 MB file char by char from its top would take seconds.
    """
    i = 0
    if first_line > 1:
        breaks = _LINE_BREAK.finditer(text)
        for _ in range(first_line - 1):
            found = next(breaks, None)
            if found is None:
                break
            i = found.end()
    line, field, quoted, at_start = first_line, 1, False, True
    opened = (first_line, 1)
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


def read_xlsx(
    data: bytes,
    file: str,
    sheet: str | None = None,
    sheet_at: Location | None = None,
    *,
    max_rows: int = MAX_ROWS,
    rows_hint: str | None = None,
) -> tuple[Table | None, list[Problem]]:
    """Read the first (or the named) sheet of an .xlsx workbook into a `Table`
    (its limits as `read_csv`'s).

    `reading.read_sheet` checks the zip before anything is inflated and streams the XML
    with no DOCTYPE allowed; every limit it meets is a problem at its cell or at 1:1.
    """
    top = Location(file, 1, 1)
    if len(data) > MAX_TABLE_BYTES:
        return None, [error(top, f"file is larger than {MAX_TABLE_BYTES:,} bytes")]
    try:
        found = read_sheet(data, sheet, max_rows)
    except NoSuchSheet as exc:
        hint = suggest(sheet or "", exc.names) or f"sheets: {', '.join(exc.names)}"
        return None, [error(sheet_at or top, f"no sheet named `{sheet}` in {file}", hint)]
    except NotAWorkbook as exc:
        return None, [error(top, exc.message, "save it from Excel as .xlsx, or export CSV UTF-8")]
    except Refused as exc:
        why = rows_hint if rows_hint and exc.hint == ROWS_HINT else exc.hint
        return None, [error(Location(file, exc.line, exc.column), exc.message, why)]
    if not found:
        return None, [error(top, "the sheet has no header row")]
    (header_line, header), *rows = found
    return Table(file, header, header_line, tuple(Row(line, cells) for line, cells in rows)), []


def read_table(
    folder: Path,
    name: str,
    named_at: Location,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    sheet_at: Location | None = None,
    max_rows: int = MAX_ROWS,
    rows_hint: str | None = None,
) -> tuple[Table | None, list[Problem]]:
    """Read a .csv or .xlsx file named (relative to the program folder) in program.yaml.

    The file must be a regular file of at most MAX_TABLE_BYTES; see `read_csv` for the
    rest of the limits.
    """
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
        data = read_capped(path, MAX_TABLE_BYTES)
    except FileNotFoundError:
        hint = (
            suggest(path.name, (p.name for p in path.parent.glob("*")))
            if path.parent.is_dir()
            else None
        )
        where = f"looked for {path}; put the export there, or correct the name in program.yaml"
        return None, [error(named_at, f"file `{name}` not found", hint or where)]
    except OSError as exc:
        return None, [error(named_at, f"cannot read `{name}`: {exc.strerror}")]
    if suffix == ".xlsx":
        return read_xlsx(data, name, sheet, sheet_at, max_rows=max_rows, rows_hint=rows_hint)
    return read_csv(data, name, encoding, max_rows=max_rows, rows_hint=rows_hint)


def too_many_problems(table: Table, row: Row, problems: Sequence[Problem]) -> Problem | None:
    """An error to stop at, when one file has given more than MAX_FILE_PROBLEMS problems.

    A file with a mistake on every row says so after a thousand: the rest would only
    bury the first ones, and printing them all would take minutes.
    """
    if len(problems) <= MAX_FILE_PROBLEMS:
        return None
    return error(
        Location(table.file, row.line, 1),
        f"more than {MAX_FILE_PROBLEMS:,} problems in {table.file}; "
        "the rows from here on are not checked",
        "fix these first",
    )


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


def split_list(value: str, separator: str) -> tuple[str, ...]:
    """Split a list cell; items are trimmed and empty items (a trailing `;`) dropped."""
    return tuple(item.strip() for item in value.split(separator) if item.strip())
