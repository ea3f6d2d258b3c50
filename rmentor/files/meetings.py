"""The meeting log: meetings.csv, read with line and column, appended atomically.

meetings.csv has the canonical columns `pair, date, status, minutes, topics, notes`
(SPEC §1); `pair` is the id `match` gives. It is appended by `rmentor log` or
edited by hand (in a text editor or Excel), so it is read like a roster: UTF-8 with
or without BOM, `,` `;` or tab delimiters, CRLF, headers in any case, and every bad
value reported at its own line and column.

Values written to the file are protected against formula injection: a cell that
would begin with `=`, `+`, `-`, `@`, a tab or a carriage return (after any
apostrophes) gets one leading apostrophe, which the loader takes off again, so what
goes in comes back out unchanged while a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from ..errors import InvalidProgram, Location, Problem, RmentorError, error, has_errors
from ..model.activity import STATUSES, Meeting, MeetingStatus
from ..model.config import Topic, TopicIndex
from ..text import clean, fold, parse_date, parse_whole, suggest
from .layout import MEETINGS_FILE
from .mapping import FieldMap, Fields, Record, Spec, map_table
from .output import Batch, write_bytes_atomic
from .reading import TABLE_BYTES, read_capped
from .tables import (
    Table,
    overflow,
    read_csv,
    sniff_delimiter,
    split_list,
    too_many_problems,
)

MEETING_FIELDS: tuple[str, ...] = ("pair", "date", "status", "minutes", "topics", "notes")
REQUIRED_MEETING_FIELDS: tuple[str, ...] = ("pair", "date", "status")
MEETING_KIND = Fields(MEETING_FIELDS, REQUIRED_MEETING_FIELDS)
MAX_MINUTES = 24 * 60
T = TypeVar("T")
_WHOLE_FILE = Location(MEETINGS_FILE)

# How people write the three statuses (compared after case folding).
_STATUS_WORDS: dict[str, MeetingStatus] = {
    "held": "held",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "no-show": "no-show",
    "no show": "no-show",
    "no_show": "no-show",
    "noshow": "no-show",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- values ---------------------------------------------------------------------------


def parse_status(text: str) -> MeetingStatus:
    """`held`, `cancelled` or `no-show`, in any case (also `canceled`, `no show`)."""
    found = _STATUS_WORDS.get(" ".join(fold(text).split()))
    if found is None:
        shown = f"`{text}`" if text else "empty"
        raise ValueError(f"status is {shown}; it must be held, cancelled or no-show")
    return found


def parse_minutes(text: str) -> int:
    """Minutes a meeting lasted: a whole number from 0 to 1440."""
    return check_minutes(parse_whole(text, "a whole number of minutes"))


def check_minutes(value: int) -> int:
    """Refuse negative or implausible durations."""
    if value < 0:
        raise ValueError(f"{value} minutes: a meeting cannot last less than 0 minutes")
    if value > MAX_MINUTES:
        raise ValueError(f"{value} minutes is longer than a day")
    return value


def neutralise(cell: str) -> str:
    """Protect a cell against formula injection (see the module docstring)."""
    if cell.lstrip("'").startswith(_FORMULA_START):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: the one apostrophe it added, and only that."""
    if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_START):
        return cell[1:]
    return cell


# -- reading --------------------------------------------------------------------------


def _encoding_hint(problem: Problem) -> Problem:
    if problem.hint and "roster.encoding" in problem.hint:
        return replace(problem, hint="meetings.csv is read as UTF-8: re-save it as CSV UTF-8")
    return problem


def _row_to_meeting(cells: Record, topics: TopicIndex, separator: str) -> Meeting | None:
    problems = cells.problems
    convert = cells.convert
    bad = False

    pair = cells.text("pair")
    if not pair:
        hint = "write the pair id that `match` gave"
        problems.append(error(cells.where("pair"), "pair is empty", hint))
        bad = True
    if not cells.text("date"):
        problems.append(error(cells.where("date"), "date is empty", "write it as YYYY-MM-DD"))
        bad = True
    date = convert("date", parse_date)
    status_text = cells.text("status")
    status: MeetingStatus | None = None
    try:
        status = parse_status(status_text)
    except ValueError as exc:
        choices = suggest(status_text, STATUSES) if status_text else None
        problems.append(error(cells.where("status"), str(exc), choices))
        bad = True
    minutes = convert("minutes", parse_minutes)
    found: list[str] = []
    for item in split_list(cells.text("topics"), separator):
        topic = topics.resolve(item)
        if topic is None:
            problems.append(
                error(cells.where("topics"), f"topics: unknown topic `{item}`", topics.hint(item))
            )
            bad = True
        elif topic not in found:
            found.append(topic)
    notes = cells.text("notes") or None
    if bad or cells.bad or date is None or status is None:
        return None
    return Meeting(
        pair=pair,
        date=date,
        status=status,
        minutes=minutes,
        topics=tuple(found),
        notes=notes,
        source=Location(cells.table.file, cells.row.line, 1),
        cells={name: cells.where(name) for name in cells.map.fields},
    )


def meetings_from_table(
    table: Table, topics: Sequence[Topic], list_separator: str = ";"
) -> tuple[list[Meeting], list[Problem]]:
    """Convert a read meetings table; rows with errors are reported and left out."""
    columns, problems = map_table(table, Spec(), MEETING_KIND)
    if any(name not in columns.fields for name in REQUIRED_MEETING_FIELDS):
        return [], problems
    index = TopicIndex(topics)
    meetings: list[Meeting] = []
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        meeting = _row_to_meeting(
            Record(table, row, columns, Spec(), problems, clean=restore), index, list_separator
        )
        if meeting is not None:
            meetings.append(meeting)
    return meetings, problems


def load_meetings(
    folder: Path, topics: Sequence[Topic], list_separator: str = ";"
) -> tuple[list[Meeting], list[Problem]]:
    """Read meetings.csv; no file is an empty log. Never raises for the user's mistakes."""
    path = folder / MEETINGS_FILE
    try:
        data = read_capped(path, TABLE_BYTES)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        at = Location(MEETINGS_FILE, 1, 1)
        return [], [error(at, f"cannot read {MEETINGS_FILE}: {exc.strerror}")]
    if not data.strip():
        return [], []
    table, problems = read_csv(data, MEETINGS_FILE)
    problems = [_encoding_hint(p) for p in problems]
    if table is None:
        return [], problems
    meetings, found = meetings_from_table(table, topics, list_separator)
    return meetings, problems + found


# -- checking against the program -------------------------------------------------------


# -- writing --------------------------------------------------------------------------


def _quote(cell: str, delimiter: str) -> str:
    """A CSV cell, quoted when it holds the delimiter, a quote or a line break."""
    if any(c in cell for c in (delimiter, '"', "\n", "\r")) or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _line_ending(data: bytes) -> str:
    end = data.find(b"\n")
    return "\r\n" if end > 0 and data[end - 1 : end] == b"\r" else "\n"


def _existing_columns(data: bytes) -> tuple[str, FieldMap, int, int]:
    """Delimiter, column map, width and line count of the existing log; raises on errors."""
    table, problems = read_csv(data, MEETINGS_FILE)
    problems = [_encoding_hint(p) for p in problems]
    if table is None or has_errors(problems):
        raise InvalidProgram(problems)
    columns, found = map_table(table, Spec(), MEETING_KIND)
    if has_errors(found):
        raise InvalidProgram(found)
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")  # as csv counts lines
    return sniff_delimiter(first), columns, len(table.header), breaks


def _without_rows(data: bytes, starts: set[int]) -> bytes:
    """The file without the rows that start on these lines (a row runs to the line
    before the next row's first line; quoted cells may span lines)."""
    text = data.decode("utf-8-sig")
    bom = data[:3] if data.startswith(b"\xef\xbb\xbf") else b""
    lines = io.StringIO(text, newline="").readlines()
    table, _ = read_csv(data, MEETINGS_FILE)
    firsts = sorted(r.line for r in table.rows) if table is not None else []
    drop: set[int] = set()
    for k, first in enumerate(firsts):
        if first in starts:
            end = firsts[k + 1] if k + 1 < len(firsts) else len(lines) + 1
            drop.update(range(first, end))
    kept = [line for number, line in enumerate(lines, start=1) if number not in drop]
    return bom + "".join(kept).encode("utf-8")


def _row_values(meeting: Meeting, list_separator: str) -> dict[str, str]:
    """A meeting's cells as written; `RmentorError` for a value the file cannot take."""
    if meeting.status not in STATUSES:
        raise RmentorError(f"status `{meeting.status}` must be held, cancelled or no-show")
    if meeting.minutes is not None:
        try:
            check_minutes(meeting.minutes)
        except ValueError as exc:
            raise RmentorError(str(exc)) from None
    note_text = clean(meeting.notes) if meeting.notes else ""
    if "\x00" in note_text:
        raise RmentorError("notes contain a NUL character")
    try:
        note_text.encode("utf-8")
    except UnicodeEncodeError:
        raise RmentorError("notes are not valid text (undecodable bytes?)") from None
    return {
        "pair": clean(meeting.pair),
        "date": meeting.date.isoformat(),
        "status": meeting.status,
        "minutes": "" if meeting.minutes is None else str(meeting.minutes),
        "topics": list_separator.join(clean(t) for t in meeting.topics),
        "notes": note_text,
    }


def append_meetings(
    folder: Path,
    meetings: Sequence[Meeting],
    *,
    list_separator: str = ";",
    replacing: Sequence[Meeting] = (),
    batch: Batch | None = None,
) -> list[Meeting]:
    """Append rows to meetings.csv in one write and return them as read back; the rows
    in `replacing` (as read from the file) are taken out in the same write.

    The existing bytes are kept exactly (BOM, delimiter, line ending, column order);
    a missing or empty file is created with the canonical header. With `batch`, the
    new file is staged there (written when the batch commits); without, it is written
    atomically now. The caller holds `program_lock`. Raises `InvalidProgram` when the
    existing file cannot be read (nothing is written) and `RmentorError` for a value
    the file cannot take.
    """
    rows = [_row_values(m, list_separator) for m in meetings]
    path = folder / MEETINGS_FILE
    try:
        data = read_capped(path, TABLE_BYTES)  # the loader read it already; no FIFO here
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise RmentorError(f"cannot read {MEETINGS_FILE}: {exc.strerror}") from None
    if replacing and data.strip():
        data = _without_rows(data, {m.source.line for m in replacing})
    if data.strip():
        delimiter, columns, width, lines = _existing_columns(data)
        ending = _line_ending(data)
        for values in rows:
            missing = [k for k, v in values.items() if v and k not in columns.fields]
            if missing:
                raise RmentorError(
                    f"{MEETINGS_FILE} has no `{missing[0]}` column; add one to its header line"
                )
        if not data.endswith((b"\n", b"\r")):
            data += ending.encode("ascii")
            lines += 1
    else:
        delimiter, ending, lines, width = ",", "\n", 1, len(MEETING_FIELDS)
        data = (",".join(MEETING_FIELDS) + ending).encode("utf-8")
        columns = FieldMap({name: (i,) for i, name in enumerate(MEETING_FIELDS)})
    text: list[str] = []
    written: list[Meeting] = []
    for meeting, values in zip(meetings, rows, strict=True):
        cells = [""] * width
        for name, (index, *_) in columns.fields.items():
            cells[index] = values[name]
        row = delimiter.join(_quote(neutralise(c), delimiter) for c in cells) + ending
        text.append(row)
        line = lines + 1
        lines += row.count("\n") + row.count("\r") - row.count("\r\n")
        written.append(
            replace(
                meeting,
                pair=values["pair"],
                notes=values["notes"] or None,
                source=Location(MEETINGS_FILE, line, 1),
                cells={
                    name: Location(MEETINGS_FILE, line, i + 1)
                    for name, (i, *_) in columns.fields.items()
                },
            )
        )
    data += "".join(text).encode("utf-8")
    if batch is None:
        write_bytes_atomic(path, data)
    else:
        batch.add(path, data, durable=True)
    return written


def append_meeting(
    folder: Path,
    pair: str,
    date: dt.date,
    status: MeetingStatus,
    minutes: int | None = None,
    topics: Sequence[str] = (),
    notes: str | None = None,
    *,
    list_separator: str = ";",
    replacing: Sequence[Meeting] = (),
) -> Meeting:
    """Append one row to meetings.csv atomically and return it as read back (see
    `append_meetings`)."""
    entry = Meeting(pair, date, status, minutes, tuple(topics), notes)
    (meeting,) = append_meetings(
        folder, [entry], list_separator=list_separator, replacing=replacing
    )
    return meeting
