"""Bounded reading: a program's input files, and the sheets of a workbook, within limits.

Every limit on input is here, with why it is what it is; docs/safety.md lists them with
the test that holds each.

**Files.** Every reader in `files/` gets its bytes from `read_capped`, which

- opens with O_NONBLOCK, so that a named pipe (FIFO) nobody writes to cannot block the
  run: opening it returns at once, and the check below refuses it;
- checks with `fstat` on the open descriptor (not a second lookup of the path, which a
  swap could change in between) that it is a regular file: not a FIFO, a device such as
  /dev/zero (a symlink to one included), a socket or a folder;
- refuses a file larger than the cap for its kind *before* reading a byte; and
- reads at most cap + 1 bytes, so a file that grows while it is read, or a file system
  that reports no size, still cannot make it read more.

A refusal is an `InputRefused`, an `OSError` whose `strerror` is worded for a person, so
that a caller's existing `except OSError` turns it into a problem like any unreadable file.

**Workbooks.** An .xlsx is a zip of XML parts, and both layers can be turned against a
reader: a zip member that inflates a thousandfold (a zip bomb), and XML whose DOCTYPE
declares entities that expand to gigabytes (billion laughs) or name a file of this
machine (an external entity). So `read_sheet` checks the zip from its directory before
any part is inflated (parts, total size, compression ratio), never inflates a part past
the size the directory gave, and parses the XML with expat and a handler that stops at
any DOCTYPE: with no DTD no entity can be declared, so none is ever expanded or fetched
(an undeclared `&name;` is a syntax error). Parsing is streamed and capped by nesting
depth and by the number of elements, which bounds its time whatever the bytes are; the
sheet's rows, columns, cells and shared strings are counted as they really are, never
by what the file says of itself (`<dimension>`, `count`).
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import posixpath
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.parsers import expat

# Per kind of file, in bytes. Each is ten or more times the largest real file we know
# of, and small enough that reading and parsing the file stays within 10 s and 500 MB.
PROGRAM_BYTES = 1_000_000  # program.yaml: a few KB in practice
TABLE_BYTES = 20_000_000  # a roster, survey export or meetings.csv (CSV or .xlsx)
# The state files are TOML, which tomllib reads at ~4 MB/s. state/pairings.toml takes
# ~260 bytes a pair (4 MB: 15,000 pairs, more than the roster allows); state/schedule.toml
# ~6.5 KB a pair for half a year of weekly sessions (measured: 13 MB for 2,000 pairs,
# read in 3.0 s with a 95 MB peak), so 40 MB holds about 6,000 pairs. A table header
# (`[x]`, `[[x]]`) costs tomllib ~800 bytes of memory, ten times a value: 10 MB of nothing
# but headers took 800 MB. So headers are counted before the parse. (rtoml reads a state
# file first, five times faster, in parts of ~1 MB: `state.load_toml`; the caps are set
# for tomllib, which reads whatever rtoml refuses.)
PAIRINGS_BYTES = 4_000_000  # state/pairings.toml, and each matching.history file
SCHEDULE_BYTES = 40_000_000  # state/schedule.toml
TOML_TABLES = 300_000  # table headers in one state file: ~25 a pair in a schedule

# Tables (CSV and workbooks): far above a real roster or survey export (a large one has a
# few thousand rows and 40 columns), low enough that reading and checking stay bounded.
MAX_ROWS = 100_000  # in one file: a 2,000-pair program logs ~50,000 meetings
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_CELLS = 2_000_000  # in the rows of one file: ~120 MB of cells at most
MAX_LINES = 1_000_000  # of a CSV, blank ones too (each costs time, even unkept)
# In all the files of one kind together (a program.yaml may name one file many times).
# A person costs ~0.25 ms and 10 KB to read and check: 20,000 is ~6 s and ~250 MB.
ROSTER_ROWS = 20_000
SURVEY_ROWS = 100_000  # answers, in all survey exports
MAX_FILE_PROBLEMS = 1_000  # a file with more is reported up to here, then left

# Workbooks
XLSX_PARTS = 10_000  # a workbook of a few sheets has a dozen parts
XLSX_UNPACKED_BYTES = 100_000_000  # all parts together, inflated, as the zip directory says
XLSX_RATIO = 100  # a sheet's XML deflates 5-30 to 1; a bomb deflates ~1,000 to 1
XLSX_RATIO_FLOOR = 1_000_000  # parts smaller than this may compress as they like
XML_DEPTH = 100  # SpreadsheetML nests about 6 deep
XML_ELEMENTS = 1_500_000  # in all parts read: ~700,000 cells, at most ~5 s of parsing
MAX_SHARED_STRINGS = 1_000_000  # a workbook's table of distinct texts

_READ_BLOCK = 1 << 20


class InputRefused(OSError):
    """A file that is not read at all: not a regular file, or larger than its cap."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of `path`, a regular file of at most `cap` bytes.

    Raises `FileNotFoundError` (and other `OSError`s) as `open` would, and
    `InputRefused` for anything that is not a regular file or is larger than `cap`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            what = _kind(info.st_mode)
            if stat.S_ISDIR(info.st_mode):
                raise InputRefused(errno.EISDIR, f"it is {what}, not a file", str(path))
            raise InputRefused(errno.EINVAL, f"it is {what}, not a regular file", str(path))
        if info.st_size > cap:
            raise InputRefused(errno.EFBIG, _too_large(info.st_size, cap), str(path))
        chunks: list[bytes] = []
        total = 0
        while total <= cap:
            chunk = os.read(handle, min(_READ_BLOCK, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:  # it grew after fstat
            raise InputRefused(errno.EFBIG, _too_large(total, cap), str(path))
        return b"".join(chunks)
    finally:
        os.close(handle)


def _too_large(size: int, cap: int) -> str:
    return f"it is larger than {cap:,} bytes ({size:,}), the most rmentor reads for this file"


# -- workbooks ---------------------------------------------------------------------------


ROWS_HINT = "split it, or leave out the rows that are not participants, answers or meetings"


def too_many_rows(limit: int) -> str:
    """The message for a table with more rows than are read."""
    return f"the file has more than {limit:,} rows; at most {limit:,} rows are read"


class Refused(Exception):
    """Input that is not read on: a message for a person, and where (line, column) it is."""

    def __init__(self, message: str, line: int = 1, column: int = 1, hint: str | None = None):
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


class NotAWorkbook(Refused):
    """The bytes are not a zip at all (a renamed CSV, an old .xls, an encrypted file)."""


class NoSuchSheet(Refused):
    """The sheet named in program.yaml is not in the workbook; `names` are the ones it has."""

    def __init__(self, sheet: str, names: Sequence[str]) -> None:
        super().__init__(f"no sheet named `{sheet}`")
        self.names = tuple(names)


Cells = tuple[str, ...]
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_DIGITS = "0123456789"
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


def _small(text: str | None, default: int = 0) -> int:
    """A row, style or string number from the XML (at most 9 digits), or `default`."""
    return int(text) if text is not None and _SMALL_NUMBER.fullmatch(text) else default


def column_letters(number: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMNS: dict[str, int] = {}  # letters → number, filled as cells are read


def _column(reference: str, row: int, previous: int) -> int:
    """The column of a cell reference such as `AB12`."""
    letters = reference.rstrip(_DIGITS)
    number = _COLUMNS.get(letters)
    if number is None:
        if not _LETTERS.fullmatch(letters):
            raise Refused(f"`{reference[:20]}` is not a cell reference", row, previous + 1)
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        if len(_COLUMNS) < 20_000:  # every real column fits: 16,384 of them
            _COLUMNS[letters] = number
    return number


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a person would have typed."""
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


def _number_text(raw: str) -> str:
    """A numeric cell's text as a person would have typed it ("7.0" → "7")."""
    if raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
        return raw  # the common case, already as typed
    try:
        if "." in raw or "e" in raw or "E" in raw:
            return cell_text(float(raw))
        return str(int(raw))
    except ValueError:  # not a number, or more digits than int() converts: as written
        return raw


_DAY_MS = 86_400_000
_WINDOWS_EPOCH = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 (day 60 is a leap-year bug)
_MAC_EPOCH = dt.date(1904, 1, 1).toordinal()


def _serial_text(serial: float, date1904: bool, duration: bool) -> str:
    """An Excel date serial (days since the epoch) as text, as openpyxl's `from_excel` and
    `cell_text` would give it ("2024-03-01", "2001-05-06T07:08:00", "09:30:00"), but
    without their cost, which a sheet of a million dates would feel."""
    if duration:  # rare: openpyxl's own rounding, to the millisecond
        from openpyxl.utils.datetime import from_excel

        return cell_text(from_excel(serial, timedelta=True))
    days = int(serial // 1)
    ms = round((serial - days) * _DAY_MS)
    if 0 <= serial < 1 and ms < _DAY_MS:
        return (dt.datetime.min + dt.timedelta(milliseconds=ms)).time().isoformat()
    if not date1904 and 0 < serial < 60:
        days += 1  # Excel counts a 29 February 1900 that never was
    ordinal = (_MAC_EPOCH if date1904 else _WINDOWS_EPOCH) + days
    if ms == _DAY_MS:  # a fraction that rounds up to the next midnight
        ordinal, ms = ordinal + 1, 0
    day = dt.date.fromordinal(ordinal).isoformat()
    if ms == 0:
        return day
    seconds, milli = divmod(ms, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    fraction = f".{milli:03d}000" if milli else ""  # as datetime.isoformat writes it
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}{fraction}"


def _clean(text: str) -> str:
    """Trimmed and NFC, as `text.clean` (ASCII is NFC already: the fast way)."""
    return text.strip() if text.isascii() else unicodedata.normalize("NFC", text).strip()


class _Budget:
    """XML elements left to parse, shared by every part of one workbook."""

    def __init__(self) -> None:
        self.elements = XML_ELEMENTS


class _Part:
    """A reader of one XML part. `starts` and `ends` map an element's local name (its
    namespace prefix taken off) to a handler; `collect` and `pause` switch on and off
    the gathering of character data into `text`.

    The two `on_` methods are expat's handlers, called once per element: they are kept
    short, since they are most of the time a large sheet takes to read.
    """

    def __init__(self, name: str, budget: _Budget) -> None:
        self.name = name
        self.budget = budget
        self.depth = 0
        self.left = 0  # elements this part may still have: the budget's, while parsing
        self.parser = expat.ParserCreate()
        self.text: list[str] = []
        self.starts: dict[str, Callable[[dict[str, str]], None]] = {}
        self.ends: dict[str, Callable[[], None]] = {}

    def on_start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.left -= 1
        if self.left < 0 or self.depth > XML_DEPTH:
            self._too_much()
        if ":" in tag:
            tag = tag[tag.index(":") + 1 :]
        handler = self.starts.get(tag)
        if handler is not None:
            handler(attrs)

    def on_end(self, tag: str) -> None:
        self.depth -= 1
        if ":" in tag:
            tag = tag[tag.index(":") + 1 :]
        handler = self.ends.get(tag)
        if handler is not None:
            handler()

    def _too_much(self) -> None:
        if self.depth > XML_DEPTH:
            raise Refused(f"part `{self.name}` is nested more than {XML_DEPTH} elements deep")
        raise Refused(
            f"the workbook holds more than {XML_ELEMENTS:,} XML elements; "
            f"at most {XML_ELEMENTS:,} are read"
        )

    def collect(self) -> None:
        """Gather character data from here on, into a fresh `text`."""
        self.text = []
        self.parser.CharacterDataHandler = self.text.append

    def resume(self) -> None:
        """Gather character data again, into the same `text`."""
        self.parser.CharacterDataHandler = self.text.append

    def pause(self, _: object = None) -> None:
        """Stop gathering character data (inside a formula or a phonetic hint, or after)."""
        self.parser.CharacterDataHandler = None

    def taken(self) -> str:
        """The text gathered, and gathering stopped."""
        self.pause()
        return "".join(self.text)

    def parse(self, book: zipfile.ZipFile) -> None:
        """Stream the part through expat with these handlers; no DOCTYPE allowed.

        Raises `Refused` (a DOCTYPE, too deep, too many elements, or what a handler
        refuses), `KeyError` for a missing part, `zipfile.BadZipFile` for a part that
        does not inflate to what the directory says, `expat.ExpatError` for bad XML.
        """
        info = book.getinfo(self.name)
        parser = self.parser
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self.on_start
        parser.EndElementHandler = self.on_end
        read = 0
        self.left = self.budget.elements
        try:
            with book.open(info) as stream:
                while chunk := stream.read(1 << 16):
                    read += len(chunk)
                    if read > info.file_size:  # zipfile stops there itself; this says so
                        raise zipfile.BadZipFile(f"part `{self.name}` inflates past its size")
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        finally:
            self.budget.elements = self.left

    def _doctype(self, *_: object) -> None:
        raise Refused(
            f"part `{self.name}` has a DOCTYPE; workbooks never need one, and its entities "
            "could expand without end or read files of this computer"
        )


class _Relationships(_Part):
    """A part's `_rels`: relationship id → (type, part name)."""

    def __init__(self, name: str, budget: _Budget, base: str) -> None:
        super().__init__(name, budget)
        self.base = base
        self.targets: dict[str, tuple[str, str]] = {}
        self.starts["Relationship"] = self._relationship

    def _relationship(self, attrs: dict[str, str]) -> None:
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            # a target is relative to the part's folder, or absolute from the zip's root
            absolute = target.startswith("/")
            name = target.lstrip("/") if absolute else posixpath.join(self.base, target)
            kind = attrs.get("Type", "").removeprefix(_RELS)
            self.targets[attrs["Id"]] = (kind, posixpath.normpath(name))

    def of_kind(self, kind: str) -> list[str]:
        return [name for k, name in self.targets.values() if k == kind]


class _Workbook(_Part):
    """xl/workbook.xml: the sheets in order (name, relationship id) and the date system."""

    def __init__(self, name: str, budget: _Budget) -> None:
        super().__init__(name, budget)
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False
        self.starts.update(sheet=self._sheet, workbookPr=self._properties)

    def _sheet(self, attrs: dict[str, str]) -> None:
        rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")
        self.sheets.append((attrs.get("name", ""), rid))

    def _properties(self, attrs: dict[str, str]) -> None:
        self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _Styles(_Part):
    """xl/styles.xml: which cell styles show a number as a date (or a duration)."""

    def __init__(self, name: str, budget: _Budget) -> None:
        super().__init__(name, budget)
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_formats = False
        self.starts.update(numFmt=self._number_format, cellXfs=self._open, xf=self._format)
        self.ends["cellXfs"] = self._close

    def _number_format(self, attrs: dict[str, str]) -> None:
        self.custom[_small(attrs.get("numFmtId"))] = attrs.get("formatCode", "")

    def _open(self, _: dict[str, str]) -> None:
        self.in_cell_formats = True

    def _close(self) -> None:
        self.in_cell_formats = False

    def _format(self, attrs: dict[str, str]) -> None:
        if self.in_cell_formats:  # cellStyleXfs holds <xf> too; those are not cell styles
            self.formats.append(_small(attrs.get("numFmtId")))

    def dates(self) -> tuple[frozenset[str], frozenset[str]]:
        """The `s` values of cells that are dates, and of those that are durations."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        dates, durations = set(), set()
        for index, number_format in enumerate(self.formats):
            code = self.custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
            if code and is_date_format(code):
                dates.add(str(index))
            if code and is_timedelta_format(code):
                durations.add(str(index))
        return frozenset(dates), frozenset(durations)


class _SharedStrings(_Part):
    """xl/sharedStrings.xml: the distinct texts cells refer to, at most MAX_SHARED_STRINGS.

    A string's text is all its runs, without phonetic hints (`<rPh>`).
    """

    def __init__(self, name: str, budget: _Budget) -> None:
        super().__init__(name, budget)
        self.strings: list[str] = []
        self.starts.update(si=self._open, rPh=self.pause)
        self.ends.update(si=self._close, rPh=self.resume)

    def _open(self, _: dict[str, str]) -> None:
        if len(self.strings) == MAX_SHARED_STRINGS:
            raise Refused(
                f"the workbook has more than {MAX_SHARED_STRINGS:,} shared strings; "
                f"at most {MAX_SHARED_STRINGS:,} are read"
            )
        self.collect()

    def _close(self) -> None:
        self.strings.append(self.taken())


class _Sheet(_Part):
    """A worksheet part, streamed into its non-empty rows: only cells really there count.

    Rows and columns are numbered by each `<row r>` and `<c r>` (by position when those
    are left out), never by `<dimension>`; empty cells take no room. A cell's text is
    all the character data inside it but a formula's (`<f>`) and phonetic hints.
    """

    def __init__(
        self,
        name: str,
        budget: _Budget,
        shared: Sequence[str],
        styles: tuple[frozenset[str], frozenset[str]],
        date1904: bool,
    ) -> None:
        super().__init__(name, budget)
        self.shared = shared
        self.dates, self.durations = styles
        self.date1904 = date1904
        self.rows: list[tuple[int, Cells]] = []
        self.max_rows = MAX_ROWS
        self.row = 0
        self.column = 0
        self.cells: dict[int, str] = {}
        self.kind = "n"
        self.style: str | None = None
        self.starts.update(c=self._open_cell, row=self._open_row, f=self.pause, rPh=self.pause)
        self.ends.update(c=self._close_cell, row=self._close_row, f=self.resume, rPh=self.resume)

    def _open_row(self, attrs: dict[str, str]) -> None:
        number = attrs.get("r")
        self.row = self.row + 1 if number is None else _small(number, -1)
        if not 1 <= self.row <= EXCEL_ROWS:
            raise Refused(f"`{str(number)[:20]}` is not a row number of Excel")
        self.column = 0
        self.cells = {}

    def _open_cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r")
        if reference is None:
            self.column += 1
        else:
            self.column = _column(reference, self.row, self.column)
        self.kind = attrs.get("t", "n")
        self.style = attrs.get("s")
        self.text = []  # `collect`, inline: this runs once per cell
        self.parser.CharacterDataHandler = self.text.append

    def _close_cell(self) -> None:
        self.parser.CharacterDataHandler = None
        raw = "".join(self.text)
        if not raw:
            return
        if self.kind == "s":
            index = _small(raw.strip(), -1)
            if not 0 <= index < len(self.shared):
                raise Refused(
                    f"cannot read the workbook: the cell refers to shared string "
                    f"`{raw[:12]}`, which it does not have",
                    self.row,
                    self.column,
                )
            raw = self.shared[index]
        if len(raw) > MAX_CELL_CHARS:
            raise Refused(
                f"the cell has {len(raw):,} characters; at most {MAX_CELL_CHARS:,} are read",
                self.row,
                self.column,
            )
        value = _clean(self._value(raw))
        if not value:
            return
        if self.column > MAX_COLUMNS:
            raise Refused(
                f"the row has a value in column {column_letters(self.column)}, "
                f"{self.column:,} columns; at most {MAX_COLUMNS:,} are read",
                self.row,
                MAX_COLUMNS + 1,
                "delete the columns the program does not need",
            )
        self.cells[self.column] = value

    def _value(self, raw: str) -> str:
        """A cell's text as a person would have typed it, by its type and style."""
        kind = self.kind
        if kind == "n" and self.style not in self.dates:
            return _number_text(raw.strip())
        if kind in ("s", "str", "inlineStr", "e"):
            return raw
        if kind == "b":
            return {"0": "false", "1": "true"}.get(raw.strip(), raw)
        if kind == "d":
            try:
                return cell_text(dt.datetime.fromisoformat(raw.strip()))
            except ValueError:
                return raw
        try:
            return _serial_text(float(raw), self.date1904, self.style in self.durations)
        except (ValueError, OverflowError):  # not a number, or no date: the number
            return _number_text(raw.strip())

    def _close_row(self) -> None:
        if not self.cells:
            return
        if len(self.rows) > self.max_rows:  # the header and max_rows rows are in
            raise Refused(too_many_rows(self.max_rows), self.row, 1, ROWS_HINT)
        values = [""] * max(self.cells)
        for column, value in self.cells.items():
            values[column - 1] = value
        self.rows.append((self.row, tuple(values)))


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip of a workbook, checked from its directory before any part is inflated."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise NotAWorkbook(f"cannot open as an Excel workbook ({type(exc).__name__})") from None
    parts = book.infolist()
    if len(parts) > XLSX_PARTS:
        raise Refused(f"the workbook has {len(parts):,} parts; at most {XLSX_PARTS:,} are read")
    total = sum(info.file_size for info in parts)
    if total > XLSX_UNPACKED_BYTES:
        raise Refused(
            f"the workbook unpacks to {total:,} bytes; at most {XLSX_UNPACKED_BYTES:,} are read"
        )
    for info in parts:
        packed = max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_FLOOR and info.file_size > XLSX_RATIO * packed:
            raise Refused(
                f"part `{info.filename}` is compressed {info.file_size // packed:,} to 1; at "
                f"most {XLSX_RATIO} to 1 is read (a workbook that inflates so much is a zip bomb)"
            )
    return book


def _sheet_rows(book: zipfile.ZipFile, sheet: str | None, max_rows: int) -> list[tuple[int, Cells]]:
    """Find the sheet through the workbook's relationships, then stream it."""
    budget = _Budget()
    names = set(book.namelist())
    package = _Relationships("_rels/.rels", budget, "")
    if package.name in names:
        package.parse(book)
    main = next(iter(package.of_kind("officeDocument")), "xl/workbook.xml")
    workbook = _Workbook(main, budget)
    workbook.parse(book)
    folder, base = posixpath.split(main)
    links = _Relationships(posixpath.join(folder, "_rels", base + ".rels"), budget, folder)
    if links.name in names:
        links.parse(book)
    sheets = {
        title: links.targets[rid][1]
        for title, rid in workbook.sheets
        if links.targets.get(rid, ("", ""))[0] == "worksheet"
    }
    if not sheets:
        raise Refused("the workbook has no worksheet")
    if sheet is not None and sheet not in sheets:
        raise NoSuchSheet(sheet, list(sheets))
    styles = _Styles("", budget)
    for name in links.of_kind("styles")[:1]:
        styles = _Styles(name, budget)
        styles.parse(book)
    shared = _SharedStrings("", budget)
    for name in links.of_kind("sharedStrings")[:1]:
        shared = _SharedStrings(name, budget)
        shared.parse(book)
    part = sheets[sheet] if sheet is not None else next(iter(sheets.values()))
    reader = _Sheet(part, budget, shared.strings, styles.dates(), workbook.date1904)
    reader.max_rows = max_rows
    reader.parse(book)
    return reader.rows


def read_sheet(
    data: bytes, sheet: str | None = None, max_rows: int = MAX_ROWS
) -> list[tuple[int, Cells]]:
    """The non-empty rows of a workbook's first (or named) worksheet: (row number, cells),
    the header and at most `max_rows` rows below it.

    Cells are text as a person would have typed it, trimmed and NFC; a row's cells run
    from column A to its last non-empty one. Raises `NotAWorkbook`, `NoSuchSheet`, or
    `Refused` (a limit, or a broken part) with the line and column it applies to.
    """
    with _open_zip(data) as book:
        try:
            return _sheet_rows(book, sheet, max_rows)
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code)
            raise Refused(f"cannot read the workbook: its XML is broken ({reason})") from None
        except KeyError as exc:
            raise Refused(f"cannot read the workbook: part {exc} is missing") from None
        # zlib, EOF: a part's compressed data is cut or damaged; Runtime: it is encrypted
        # or compressed by a method zipfile does not know; BadZipFile: a CRC mismatch;
        # ValueError: a local header that points before the start of the file
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise Refused(f"cannot read the workbook ({exc})") from None
