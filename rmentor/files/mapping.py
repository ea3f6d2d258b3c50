"""From an export's header and cells to canonical fields: the one mapping of issue 13.

The roster and the survey exports are both read through here, so a Google Forms or
Microsoft Forms export reads as written, with no hand edits:

- `columns: {header: field | [field, ...] | ~}`: a header feeds one field, several,
  or nothing. A header named like a field (in any case) needs no mapping, unless some
  other header is mapped to that field explicitly. A repeated header is addressed as
  `Header#2`, `Header#3`; a repeat nobody addressed is a warning and is not read.
- Several headers into one field: text fields are joined with a space in column
  order (First name + Last name), list fields are merged, and `availability` from
  headers that carry a day (`… [Monday]`, `Mon`, `Tuesday …`) is a grid: each cell's
  items are time ranges or labels for that day. Any other field fed twice is an error
  (an ambiguous mapping).
- `values: {field: {answer: value}}`: answers matched ignoring case and surrounding
  space; an answer with no mapping is an error at its cell naming the known answers
  (an answer that already is one of the mapped values passes as it is).
- `date_format` (strptime) beside ISO dates; `submitted` is the form's Timestamp
  (Google) or Completion time (Microsoft), found by name.
- Microsoft Forms' `ID` (beside `Start time` / `Completion time`) is the response
  number, never a person's id unless mapped explicitly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

from ..errors import Location, Problem, error, warning
from ..text import fold, header_key, parse_date, suggest
from .availability import DAYS, day_index
from .tables import Row, Table, split_list

T = TypeVar("T")
Target = str | Sequence[str] | None

SUBMITTED = "submitted"
# Headers that are a form's submission time, by export.
SUBMITTED_HEADERS = frozenset({"timestamp", "completion_time"})
# Microsoft Forms' own columns beside the answers: response number and start time.
_MICROSOFT = frozenset({"start_time", "completion_time"})
_MICROSOFT_OWN = frozenset({"id", "start_time", "last_modified_time"})
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_BRACKET_DAY = re.compile(r"\[([^\[\]]+)\]\s*$")
_WORD = re.compile(r"[A-Za-z]+")
_ZONE = re.compile(r"\s*(?:GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?$", re.IGNORECASE)
# Timestamps as Google (download, linked Sheet) and Excel write them; US order first,
# as both Google exports write it whatever the form's language.
_TIMESTAMPS = (
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_MAX_KNOWN_SHOWN = 8


@dataclass(frozen=True)
class Spec:
    """How one file's headers and answers map: program.yaml's settings for it."""

    columns: Mapping[str, Target] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    list_separator: str = ";"
    date_format: str | None = None
    setting: str = "roster"  # where these settings are, for hints (`roster.list_separator`)

    @cached_property
    def folded_values(self) -> dict[str, tuple[dict[str, str], frozenset[str]]]:
        """Per field with `values`: each answer folded → its value, and the values
        folded (an answer already written as a value is kept). Built once a file, not
        once a cell."""
        return {
            name: (
                {fold(k.strip()): v for k, v in answers.items()},
                frozenset(fold(v) for v in answers.values()),
            )
            for name, answers in self.values.items()
        }


class Settings(Protocol):
    """What program.yaml says about reading one file (a roster file, a survey)."""

    @property
    def columns(self) -> Mapping[str, Target]: ...
    @property
    def values(self) -> Mapping[str, Mapping[str, str]]: ...
    @property
    def list_separator(self) -> str: ...
    @property
    def date_format(self) -> str | None: ...


def spec_of(settings: Settings, setting: str) -> Spec:
    """The mapping `Spec` of a file's settings; `setting` names them in hints."""
    return Spec(
        columns=settings.columns,
        values=settings.values,
        list_separator=settings.list_separator,
        date_format=settings.date_format,
        setting=setting,
    )


@dataclass(frozen=True)
class Fields:
    """The canonical fields of one kind of file and how each takes several columns."""

    canonical: tuple[str, ...]
    required: tuple[str, ...] = ()
    lists: frozenset[str] = frozenset()  # merged from several columns
    joined: frozenset[str] = frozenset()  # text joined with a space, in column order
    grid: str | None = None  # a field read as a grid of day columns (availability)
    allow: re.Pattern[str] | None = None  # patterned fields such as `skill:<topic>`


@dataclass(frozen=True)
class FieldMap:
    """Which columns feed which field; the rest are extra (kept) or ignored."""

    fields: Mapping[str, tuple[int, ...]]
    extra: Mapping[str, int] = field(default_factory=dict)
    days: Mapping[int, int] = field(default_factory=dict)  # grid column -> day (0 = Monday)

    def first(self, name: str) -> int | None:
        """The first column of a field, if any."""
        found = self.fields.get(name)
        return found[0] if found else None

    @cached_property
    def first_columns(self) -> tuple[tuple[str, int], ...]:
        """Each field and its first column, counted from 1 (as `Record.where` gives
        it): found once a file, for every row's cells."""
        return tuple(
            (name, indexes[0] + 1 if indexes else 1) for name, indexes in self.fields.items()
        )


def targets(target: Target) -> tuple[str, ...]:
    """A `columns:` value as the fields it feeds (`~` feeds none)."""
    if target is None:
        return ()
    if isinstance(target, str):
        return (target,)
    return tuple(target)


def header_day(title: str) -> int | None:
    """The day a grid header carries: `… [Monday]`, `Mon`, `Tuesday …`; else None."""
    bracket = _BRACKET_DAY.search(title)
    if bracket is not None:
        return day_index(bracket[1])
    days = {d for word in _WORD.findall(title) if (d := day_index(word)) is not None}
    return days.pop() if len(days) == 1 else None


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def map_table(
    table: Table,
    spec: Spec,
    kind: Fields,
    *,
    key_at: Callable[[str], Location] | None = None,
) -> tuple[FieldMap, list[Problem]]:
    """Match a table's header to `kind`'s fields through `spec.columns`.

    `key_at` places a `columns:` key in program.yaml, for the warning about a key that
    is no header of the file.
    """
    explicit: dict[str, tuple[str, ...]] = {}
    shown: dict[str, str] = {}
    for key, target in spec.columns.items():
        explicit[header_key(key)] = targets(target)
        shown[header_key(key)] = key
    named = {t for ts in explicit.values() for t in ts}
    keys = {header_key(h) for h in table.header if h}
    microsoft = bool(keys & _MICROSOFT)
    known = {header_key(f): f for f in kind.canonical}
    fields: dict[str, list[int]] = {}
    extra: dict[str, int] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    used: set[str] = set()
    for index, title in enumerate(table.header):
        if not title:
            continue
        where = Location(table.file, table.header_line, index + 1)
        key = header_key(title)
        seen[key] = count = seen.get(key, 0) + 1
        address = key if count == 1 else f"{key}#{count}"
        if count == 1 and address not in explicit and f"{key}#1" in explicit:
            address = f"{key}#1"
        if address in explicit:
            used.add(address)
            for name in explicit[address]:
                fields.setdefault(name, []).append(index)
            continue
        if count > 1:
            problems.append(
                warning(
                    where,
                    f"column `{title}` repeats the header of an earlier column and is not read",
                    f"to read it, map `{title}#{count}` under columns:",
                )
            )
            continue
        target = known.get(key)
        if target is None and kind.allow is not None and kind.allow.match(key):
            target = key
        if target is None and key in SUBMITTED_HEADERS and SUBMITTED in kind.canonical:
            target = SUBMITTED
        if microsoft and key in _MICROSOFT_OWN and target != SUBMITTED:
            continue  # the response number and start time: no one's data
        if target is not None and target in named:
            target = None  # mapped from another header on purpose
        if target is None:
            extra[title] = index
            close = suggest(title, kind.canonical)
            if close:
                problems.append(
                    warning(
                        where,
                        f"column `{title}` is not a known field and is kept as an extra column",
                        close,
                    )
                )
            continue
        fields.setdefault(target, []).append(index)
    for key in explicit:
        if key not in used and key_at is not None:
            problems.append(
                warning(
                    key_at(shown[key]),
                    f"`{shown[key]}` is not a header of {table.file}; its answers are not read",
                    suggest(shown[key], [h for h in table.header if h]),
                )
            )
    days: dict[int, int] = {}
    for name, indexes in list(fields.items()):
        single = table.header[indexes[0]]
        if name == kind.grid and (len(indexes) > 1 or _BRACKET_DAY.search(single)):
            for index in indexes:
                day = header_day(table.header[index])
                if day is None:
                    problems.append(
                        error(
                            Location(table.file, table.header_line, index + 1),
                            f"column `{table.header[index]}` feeds the {name} grid "
                            "but names no day of the week",
                            "each column of a grid question ends with its day, like "
                            "`When can you meet? [Monday]`",
                        )
                    )
                else:
                    days[index] = day
            fields[name] = [i for i in indexes if i in days]
        elif len(indexes) > 1 and name not in kind.lists and name not in kind.joined:
            first = table.header[indexes[0]]
            for index in indexes[1:]:
                problems.append(
                    error(
                        Location(table.file, table.header_line, index + 1),
                        f"ambiguous mapping: column `{table.header[index]}` and column "
                        f"`{first}` both feed `{name}`, which takes one column",
                        "map one of them to another field, or to ~ to leave it out",
                    )
                )
            fields[name] = indexes[:1]
    for name in kind.required:
        if not fields.get(name):
            article = "an" if name[0] in "aeiou" else "a"
            hint = f"add {article} `{name}` column, or map your export's header to it in columns:"
            if name == "id" and microsoft and "id" in keys:
                hint = (
                    "Microsoft Forms' `ID` column is the response number, not a person's id: "
                    "map the question that asks for the id to `id` under columns:"
                )
            problems.append(
                error(
                    Location(table.file, table.header_line, 1),
                    f"required column `{name}` is missing",
                    hint,
                )
            )
    mapped = {name: tuple(indexes) for name, indexes in fields.items() if indexes}
    return FieldMap(mapped, extra, days), problems


def separator_hint(cell: str, separator: str, setting: str) -> str | None:
    """A hint when a cell holds another list separator than the one set."""
    for other in (";", ","):
        if other != separator and other in cell:
            return f"this cell contains `{other}` — check {setting}.list_separator"
    return None


def parse_timestamp(text: str, date_format: str | None = None) -> dt.datetime | None:
    """A form's submission time as written by Google, Microsoft or Excel; None if not."""
    value = _ZONE.sub("", text.strip())
    try:
        found = dt.datetime.fromisoformat(value)
        return found.replace(tzinfo=None)
    except ValueError:
        pass
    formats = (
        (date_format, f"{date_format} %H:%M:%S", f"{date_format} %H:%M") if date_format else ()
    )
    for form in (*formats, *_TIMESTAMPS):
        try:
            return dt.datetime.strptime(value, form)
        except ValueError:
            continue
    return None


def read_date(text: str, date_format: str | None) -> dt.date:
    """A date as YYYY-MM-DD or in `date_format` (a ValueError worded for a person)."""
    try:
        return parse_date(text)
    except ValueError:
        if date_format is None:
            raise
    try:
        return dt.datetime.strptime(text, date_format).date()
    except ValueError:
        raise ValueError(
            f"`{text}` is not a date as YYYY-MM-DD or as date_format `{date_format}`"
        ) from None


def _known(answers: Mapping[str, str]) -> str:
    names = [f"`{a}`" for a in answers]
    more = len(names) - _MAX_KNOWN_SHOWN
    shown = ", ".join(names[:_MAX_KNOWN_SHOWN]) + (f" and {more} more" if more > 0 else "")
    return f"known answers: {shown}; add this one under values:"


@dataclass
class Record:
    """One row's cells by field, each with its file:line:col; problems are collected.

    `failed` names the fields whose answer could not be mapped or converted (already
    reported), so the caller does not report the same cell twice and can leave the row
    out (`bad`).
    """

    table: Table
    row: Row
    map: FieldMap
    spec: Spec
    problems: list[Problem]
    failed: set[str] = field(default_factory=set)
    clean: Callable[[str], str] = str  # applied to every cell (meetings.csv's formula guard)

    @property
    def bad(self) -> bool:
        """A value of this row could not be read (and was reported)."""
        return bool(self.failed)

    def at(self, index: int) -> Location:
        return Location(self.table.file, self.row.line, index + 1)

    def where(self, name: str) -> Location:
        """The (first) cell of a field, or the row's first column when it has none."""
        index = self.map.first(name)
        return self.at(index if index is not None else 0)

    def cell(self, index: int) -> str:
        cells = self.row.cells
        return self.clean(cells[index]) if index < len(cells) else ""

    def cells(self, name: str) -> list[tuple[int, str]]:
        """The field's non-empty cells, in column order."""
        # Called for every field of every row (10,000 people, 40,000 answers): one pass.
        cells = self.row.cells
        clean = self.clean
        found = []
        for i in self.map.fields.get(name, ()):
            if i < len(cells) and (text := clean(cells[i])):
                found.append((i, text))
        return found

    def answer(self, name: str, answer: str, index: int) -> str | None:
        """`answer` through `values[name]`; None (reported) when it has no mapping."""
        answers = self.spec.values.get(name)
        if not answers:
            return answer
        table, values = self.spec.folded_values[name]
        key = fold(answer.strip())
        if key in table:
            return table[key]
        if key in values:
            return answer
        self.problems.append(
            error(
                self.at(index),
                f"{name}: answer `{answer}` has no value under values.{name}",
                separator_hint(answer, self.spec.list_separator, self.spec.setting)
                or _known(answers),
            )
        )
        self.failed.add(name)
        return None

    def text(self, name: str) -> str:
        """The field's text: its columns' answers (mapped) joined with a space."""
        cells = self.cells(name)
        if not self.spec.values.get(name):  # nothing to map: the cells as they are
            return " ".join(text for _, text in cells)
        parts = [self.answer(name, text, i) for i, text in cells]
        return " ".join(p for p in parts if p)

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def items(self, name: str) -> tuple[str, ...]:
        """A list field: each column's items (split, mapped), merged in order."""
        found: list[str] = []
        for index, text in self.cells(name):
            for item in split_list(text, self.spec.list_separator):
                value = self.answer(name, item, index)
                if value and value not in found:
                    found.append(value)
        return tuple(found)

    def convert(self, name: str, parse: Callable[[str], T]) -> T | None:
        """`parse` the field's text (None when empty); a ValueError becomes a problem."""
        value = self.text(name)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problems.append(error(self.where(name), f"{name}: {exc}"))
            self.failed.add(name)
            return None

    def date(self, name: str) -> dt.date | None:
        """A date field, as YYYY-MM-DD or in the spec's `date_format`."""
        return self.convert(name, lambda text: read_date(text, self.spec.date_format))

    def submitted(self) -> dt.datetime | None:
        """When the row was submitted, if the file says (a warning if unreadable)."""
        text = self.text(SUBMITTED)
        if not text:
            return None
        found = parse_timestamp(text, self.spec.date_format)
        if found is None:
            self.problems.append(
                warning(
                    self.where(SUBMITTED),
                    f"submitted: `{text}` is not a date and time; rows are taken in file order",
                    "set date_format to the way the export writes its dates",
                )
            )
        return found

    def availability(self, name: str = "availability") -> tuple[str, Location | None]:
        """The availability text in the `Mon 09:00-12:00; …` grammar, and its cell.

        A grid (columns carrying days) becomes `<day> <range>` entries; one column is
        read as written, split at the list separator, labels mapped through `values`.
        """
        entries: list[str] = []
        first: Location | None = None
        for index, text in self.cells(name):
            first = first or self.at(index)
            items = split_list(text, self.spec.list_separator)
            day = self.map.days.get(index)
            if day is None:
                for item in items:
                    mapped = self._mapped_slot(name, item, index, strict=False)
                    if mapped and mapped[0].isdigit() and entries:
                        entries[-1] += f",{mapped}"
                    elif mapped:
                        entries.append(mapped)
                continue
            for item in items:
                mapped = self._mapped_slot(name, item, index, strict=True)
                if mapped:
                    entries.append(f"{DAYS[day].title()} {mapped}")
        return "; ".join(entries), first

    def _mapped_slot(self, name: str, item: str, index: int, *, strict: bool) -> str | None:
        answers = self.spec.values.get(name) or {}
        table = self.spec.folded_values[name][0] if answers else {}
        if fold(item) in table:
            return table[fold(item)]
        if not strict or _RANGE.match(item):
            return item
        hint = separator_hint(item, self.spec.list_separator, self.spec.setting)
        self.problems.append(
            error(
                self.at(index),
                f"{name}: `{item}` is not a time range (HH:MM-HH:MM) or a known answer",
                hint
                or (
                    _known(answers)
                    if answers
                    else f'map it to a time under values:, e.g. {name}: {{"{item}": 09:00-12:00}}'
                ),
            )
        )
        self.failed.add(name)
        return None


def latest_rows(
    records: Iterable[tuple[str, dt.datetime | None, int, T]],
) -> tuple[list[T], list[tuple[str, int, int]]]:
    """Keep each key's latest record (by submission time, else row order).

    `records` are (key, submitted, line, item) in file order. Returns the items kept,
    in file order, and (key, earlier line, later line) for each one replaced.
    """
    order = list(records)
    best: dict[str, int] = {}
    replaced: list[tuple[str, int, int]] = []
    for position, (key, when, line, _) in enumerate(order):
        if key not in best:
            best[key] = position
            continue
        other = order[best[key]]
        later = when is not None and other[1] is not None and when < other[1]
        if later:  # the earlier row in the file was submitted later
            replaced.append((key, line, other[2]))
        else:
            replaced.append((key, other[2], line))
            best[key] = position
    keep = sorted(best.values())
    return [order[i][3] for i in keep], replaced
