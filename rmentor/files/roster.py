"""Reading the roster (one or several CSV/XLSX files) into `Participant`s.

Each cell is converted on its own so that every bad value is reported at its own
line and column, and one bad row never hides the problems of the next.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import Location, Problem, SourceMap, error, warning
from ..model.config import RosterConfig, Topic, TopicIndex
from ..model.people import LIST_FIELDS, PARTICIPANT_FIELDS, REQUIRED_FIELDS, Participant
from ..model.places import is_timezone, timezone_hint
from ..model.vocabulary import ROLES
from ..text import fold, header_key, parse_whole, suggest
from .availability import AvailabilityError, parse_availability
from .mapping import (
    SUBMITTED,
    FieldMap,
    Fields,
    Record,
    latest_rows,
    map_table,
    separator_hint,
    spec_of,
)
from .reading import ROSTER_ROWS
from .tables import Table, overflow, read_table, too_many_problems

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Columns that are not fields but are read all the same: a person's holiday calendar
# (engines/schedule.py) when their office names none.
USED_EXTRA_COLUMNS = frozenset({"country"})
ROSTER_FIELDS = Fields(
    canonical=(*PARTICIPANT_FIELDS, SUBMITTED),
    required=REQUIRED_FIELDS,
    lists=LIST_FIELDS,
    joined=frozenset({"name", "notes", "title", "department", "location"}),
    grid="availability",
)


def _row_to_participant(
    reader: Record, topics: TopicIndex, default_timezone: str, file_role: str | None
) -> Participant | None:
    problems = reader.problems
    person_id = reader.text("id")
    name = reader.text("name")
    role_text = file_role or reader.text("role")  # a file's `role:` is every row's
    if not person_id and "id" not in reader.failed:
        problems.append(error(reader.where("id"), "id is empty", "every participant needs an id"))
    if not name and "name" not in reader.failed:
        problems.append(error(reader.where("name"), "name is empty"))
    role = role_text.casefold()
    if role not in ROLES and "role" in reader.failed:
        pass
    elif role not in ROLES:
        shown = f"`{role_text}`" if role_text else "empty"
        problems.append(
            error(
                reader.where("role"),
                f"role is {shown}; it must be `mentor` or `mentee`",
                "mentors are the junior colleagues who teach; mentees the senior ones",
            )
        )

    def topic_list(field: str) -> tuple[str, ...]:
        found: list[str] = []
        for item in reader.items(field):
            topic = topics.resolve(item)
            if topic is None:
                hint = separator_hint(item, reader.spec.list_separator, reader.spec.setting)
                problems.append(
                    error(
                        reader.where(field),
                        f"{field}: unknown topic `{item}`",
                        hint or topics.hint(item),
                    )
                )
            elif topic not in found:
                found.append(topic)
        return tuple(found)

    email = reader.optional("email")
    if email is not None and not _EMAIL.match(email):
        problems.append(error(reader.where("email"), f"email: `{email}` is not an email address"))
    timezone = reader.optional("timezone")
    if timezone is not None and not is_timezone(timezone):
        problems.append(
            error(
                reader.where("timezone"),
                f"timezone: `{timezone}` is not an IANA time zone",
                timezone_hint(timezone),
            )
        )
        timezone = None
    capacity = reader.convert("capacity", parse_whole)
    if capacity is not None and capacity < 1:
        problems.append(
            error(
                reader.where("capacity"),
                f"capacity: {capacity} must be at least 1",
                "leave it empty to use matching.capacity",
            )
        )
    birth_year = reader.convert("birth_year", parse_whole)
    if birth_year is not None and not 1900 <= birth_year <= 2100:
        problems.append(
            error(
                reader.where("birth_year"),
                f"birth_year: {birth_year} is not a plausible year of birth",
            )
        )
    text, cell = reader.availability()
    try:
        availability = parse_availability(text)
    except AvailabilityError as exc:
        raw = " ".join(t for _, t in reader.cells("availability"))
        hint = separator_hint(raw, reader.spec.list_separator, reader.spec.setting)
        problems.append(error(cell or reader.where("availability"), f"availability: {exc}", hint))
        availability = ()
    fields: dict[str, Any] = {
        "skills": topic_list("skills"),
        "interests": topic_list("interests"),
        "level": reader.convert("level", parse_whole),
        "hire_date": reader.date("hire_date"),
        "manager": reader.optional("manager"),
        "languages": reader.items("languages"),
        "prefer": reader.items("prefer"),
        "avoid": reader.items("avoid"),
    }
    if not person_id or not name or role not in ROLES:
        return None  # a bad value elsewhere keeps the person, so references to them hold
    extra = {
        title: reader.row.cells[index]
        for title, index in sorted(reader.map.extra.items())
        if index < len(reader.row.cells) and reader.row.cells[index]
    }
    file, line = reader.table.file, reader.row.line  # each field's cell, as `where` gives it
    cells = {f: Location(file, line, col) for f, col in reader.map.first_columns if f != SUBMITTED}
    return Participant(
        id=person_id,
        name=name,
        role=role,
        email=email,
        department=reader.optional("department"),
        title=reader.optional("title"),
        birth_year=birth_year,
        timezone=timezone or default_timezone,
        availability=availability,
        location=reader.optional("location"),
        gender=reader.optional("gender"),
        capacity=capacity,
        notes=reader.optional("notes"),
        extra=extra,
        source=Location(reader.table.file, reader.row.line, 1),
        cells=cells,
        **fields,
    )


def participants_from_table(
    table: Table,
    config: RosterConfig,
    topics: Sequence[Topic],
    default_timezone: str = "UTC",
    office_timezones: Mapping[str, str] | None = None,
    *,
    role: str | None = None,
    key_at: Callable[[str], Location] | None = None,
) -> tuple[list[Participant], list[Problem]]:
    """Convert one roster table; rows with errors are reported and left out.

    `config` is the file's own settings (`RosterConfig.for_file`); `role` the role every
    row has (a mentors' or a mentees' form). A person who submitted a form (a file with
    a `submitted` column) twice counts once: the later answer, with a warning.
    """
    spec = spec_of(config, "roster")
    kind = ROSTER_FIELDS if role is None else replace(ROSTER_FIELDS, required=("id", "name"))
    columns, problems = map_table(table, spec, kind, key_at=key_at)
    problems += unused_columns(table, columns)
    if any(name not in columns.fields for name in kind.required):
        return [], problems
    index = TopicIndex(topics)
    offices = office_timezones or {}
    found: list[tuple[str, dt.datetime | None, int, Participant]] = []
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        reader = Record(table, row, columns, spec, problems)
        zone = offices.get(reader.text("location"), default_timezone)
        person = _row_to_participant(reader, index, zone, role)
        if person is not None:
            found.append((fold(person.id), reader.submitted(), row.line, person))
    if SUBMITTED not in columns.fields:
        return [item[3] for item in found], problems
    people, replaced = latest_rows(found)
    ids = {f[0]: f[3].id for f in found}
    for key, dropped, kept in replaced:
        problems.append(
            warning(
                Location(table.file, kept, 1),
                f"`{ids[key]}` submitted the form twice (rows {min(dropped, kept)} and "
                f"{max(dropped, kept)}); the later answer (row {kept}) counts",
            )
        )
    return people, problems


def unused_columns(table: Table, columns: FieldMap) -> list[Problem]:
    """A warning for each roster column that nothing in rmentor reads.

    Such a column is personal data kept for nothing (an export's salary, a birthday):
    better left out of the program folder. Columns that look like a misspelt field are
    warned about by `mapping.map_table` already, with the field they may mean.
    """
    problems: list[Problem] = []
    for title, index in sorted(columns.extra.items(), key=lambda item: item[1]):
        if header_key(title) in USED_EXTRA_COLUMNS or suggest(title, PARTICIPANT_FIELDS):
            continue
        problems.append(
            warning(
                Location(table.file, table.header_line, index + 1),
                f"column `{title}` is not used by the program",
                "leave it out of the roster: personal data the program does not need "
                "should not be kept",
            )
        )
    return problems


def _key_at(where: SourceMap, base: tuple[str | int, ...], key: str) -> Location:
    return where.key(*base, "columns", key)


def load_roster(
    folder: Path,
    config: RosterConfig,
    topics: Sequence[Topic],
    where: SourceMap,
    default_timezone: str = "UTC",
    office_timezones: Mapping[str, str] | None = None,
) -> tuple[list[Participant], list[Problem]]:
    """Read every roster file named in program.yaml, in order."""
    problems: list[Problem] = []
    people: list[Participant] = []
    rows_left = ROSTER_ROWS  # in all files: one file may be named many times
    for i, name in enumerate(config.paths):
        own = config.for_file(i)
        item = config.files[i]
        at = ("roster", "files", i) if not isinstance(item, str) else ("roster",)
        own_columns = not isinstance(item, str) and item.columns is not None
        key_at = None
        if own_columns or len(config.files) == 1:
            base = ("roster", "files", i) if own_columns else ("roster",)
            key_at = partial(_key_at, where, base)
        if rows_left == 0:
            problems.append(
                error(
                    where.at("roster", "files", i),
                    f"the roster files before `{name}` hold {ROSTER_ROWS:,} rows, "
                    "as many as all roster files together may; it is not read",
                )
            )
            continue
        table, found = read_table(
            folder,
            name,
            where.at("roster", "files", i, "file"),  # a plain path: the item itself
            encoding=own.encoding,
            sheet=own.sheet,
            sheet_at=where.at(*at, "sheet"),
            max_rows=rows_left,
            rows_hint=f"all roster files together may hold {ROSTER_ROWS:,} people",
        )
        problems += found
        if table is not None:
            rows_left -= len(table.rows)
            more, found = participants_from_table(
                table,
                own,
                topics,
                default_timezone,
                office_timezones,
                role=config.role_of(i),
                key_at=key_at,
            )
            people += more
            problems += found
    return people, problems
