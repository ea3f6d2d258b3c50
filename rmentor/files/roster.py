"""Reading the roster (one or several CSV/XLSX files) into `Participant`s.

Each cell is converted on its own so that every bad value is reported at its own
line and column, and one bad row never hides the problems of the next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import Location, Problem, SourceMap, error, warning
from ..model.config import RosterConfig, Topic, TopicIndex
from ..model.people import PARTICIPANT_FIELDS, REQUIRED_FIELDS, Participant
from ..model.places import is_timezone, timezone_hint
from ..model.vocabulary import ROLES
from ..text import header_key, parse_date, parse_whole, suggest
from .availability import AvailabilityError, parse_availability
from .reading import ROSTER_ROWS
from .tables import (
    ColumnMap,
    RowReader,
    Table,
    map_columns,
    overflow,
    read_table,
    split_list,
    too_many_problems,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Columns that are not fields but are read all the same: a person's holiday calendar
# (engines/schedule.py) when their office names none.
USED_EXTRA_COLUMNS = frozenset({"country"})


def _row_to_participant(
    reader: RowReader, config: RosterConfig, topics: TopicIndex, default_timezone: str
) -> Participant | None:
    problems = reader.problems
    person_id = reader.text("id")
    name = reader.text("name")
    role_text = reader.text("role")
    if not person_id:
        problems.append(error(reader.where("id"), "id is empty", "every participant needs an id"))
    if not name:
        problems.append(error(reader.where("name"), "name is empty"))
    role = role_text.casefold()
    if role not in ROLES:
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
        for item in split_list(reader.text(field), config.list_separator):
            topic = topics.resolve(item)
            if topic is None:
                problems.append(
                    error(
                        reader.where(field), f"{field}: unknown topic `{item}`", topics.hint(item)
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
    try:
        availability = parse_availability(reader.text("availability"))
    except AvailabilityError as exc:
        problems.append(error(reader.where("availability"), f"availability: {exc}"))
        availability = ()
    fields: dict[str, Any] = {
        "skills": topic_list("skills"),
        "interests": topic_list("interests"),
        "level": reader.convert("level", parse_whole),
        "hire_date": reader.convert("hire_date", parse_date),
        "manager": reader.optional("manager"),
        "languages": split_list(reader.text("languages"), config.list_separator),
        "prefer": split_list(reader.text("prefer"), config.list_separator),
        "avoid": split_list(reader.text("avoid"), config.list_separator),
    }
    if not person_id or not name or role not in ROLES:
        return None  # a bad value elsewhere keeps the person, so references to them hold
    extra = {
        title: reader.row.cells[index]
        for title, index in sorted(reader.columns.extra.items())
        if index < len(reader.row.cells) and reader.row.cells[index]
    }
    cells = {f: reader.where(f) for f in reader.columns.fields}
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
) -> tuple[list[Participant], list[Problem]]:
    """Convert one roster table; rows with errors are reported and left out."""
    columns, problems = map_columns(table, PARTICIPANT_FIELDS, REQUIRED_FIELDS, config.columns)
    problems += unused_columns(table, columns)
    if any(name not in columns.fields for name in REQUIRED_FIELDS):
        return [], problems
    index = TopicIndex(topics)
    offices = office_timezones or {}
    people: list[Participant] = []
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        reader = RowReader(table, row, columns, problems)
        zone = offices.get(reader.text("location"), default_timezone)
        person = _row_to_participant(reader, config, index, zone)
        if person is not None:
            people.append(person)
    return people, problems


def unused_columns(table: Table, columns: ColumnMap) -> list[Problem]:
    """A warning for each roster column that nothing in rmentor reads.

    Such a column is personal data kept for nothing (an export's salary, a birthday):
    better left out of the program folder. Columns that look like a misspelt field are
    warned about by `map_columns` already, with the field they may mean.
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
    for i, name in enumerate(config.files):
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
            where.at("roster", "files", i),
            encoding=config.encoding,
            sheet=config.sheet,
            sheet_at=where.at("roster", "sheet"),
            max_rows=rows_left,
            rows_hint=f"all roster files together may hold {ROSTER_ROWS:,} people",
        )
        problems += found
        if table is not None:
            rows_left -= len(table.rows)
            more, found = participants_from_table(
                table, config, topics, default_timezone, office_timezones
            )
            people += more
            problems += found
    return people, problems
