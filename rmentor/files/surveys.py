"""Survey exports: each `evaluation.surveys` entry read into `Response`s, with locations.

A survey file is a Google Forms CSV, an Excel CSV or a Microsoft Forms .xlsx, read as
exported: its own `columns` mapping turns export headers ("How satisfied are you with
the program?") into the canonical survey fields of SPEC §1 — `respondent`,
`satisfaction` (1-5), `recommend` (0-10), `skill:<topic id>` (1-5), `goal_progress`
(1-5), `comments`. Headers already named like a field (in any case) need no mapping.

Values are read as a person wrote them: a rating may carry its label after a leading
whole number, as Google Forms writes it ("4 - Agree", "9 (very likely)", "5: Very
satisfied"); "4.5", "4-5" or "four" are errors at their file:line:col. A bad value is
reported and left out; the rest of the row still counts.

`respondent` may be empty (an anonymous answer) or a participant id; when the roster
is given, an email address on the roster is read as that person's id, and any other
value is kept but warned about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import Location, Problem, SourceMap, error, warning
from ..model.activity import Response
from ..model.config import ProgramConfig, Survey
from ..model.people import Participant
from ..model.vocabulary import SKILL_PREFIX, SURVEY_FIELDS
from ..text import fold, header_key, suggest
from .reading import MAX_ROWS, SURVEY_ROWS
from .tables import ColumnMap, Row, Table, map_columns, overflow, read_table, too_many_problems

# field -> (lowest, highest) accepted answer
SCALES: dict[str, tuple[int, int]] = {
    "satisfaction": (1, 5),
    "recommend": (0, 10),
    "goal_progress": (1, 5),
}
SKILL_SCALE = (1, 5)
# A whole number, alone or followed by its label: "4", "4 - Agree", "9 (very likely)".
_RATING = re.compile(r"^(\d+)(?:\s*|\s*[-\u2013\u2014:(]\s*[^\d\s].*|\s+[^\d\s].*)$", re.DOTALL)
_RATING_DIGITS = 6  # more digits than any scale could need
_NOWHERE = Location("survey")
_SKILL_HEADER = re.compile(r"^skill:.+$")


def parse_rating(text: str, low: int, high: int) -> int:
    """A rating from `low` to `high`, written alone or with its label ("4 - Agree")."""
    match = _RATING.match(text.strip())
    if match is None:
        raise ValueError(f"`{text}` is not a whole number from {low} to {high}")
    digits = match[1]
    if len(digits) > _RATING_DIGITS:  # int() would refuse 4,300 with Python's own words
        raise ValueError(f"`{digits[:10]}…` ({len(digits):,} digits) is outside {low}-{high}")
    value = int(digits)
    if not low <= value <= high:
        raise ValueError(f"`{text}` is outside {low}-{high}")
    return value


def _skill_columns(
    table: Table, columns: ColumnMap, topics: Mapping[str, str]
) -> tuple[dict[str, int], list[Problem]]:
    """`skill:<topic>` fields -> (topic id, column index); unknown topics are warned."""
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for name, index in columns.fields.items():
        if not name.startswith(SKILL_PREFIX):
            continue
        wanted = name[len(SKILL_PREFIX) :]
        topic = topics.get(fold(wanted))
        if topic is None:
            problems.append(
                warning(
                    Location(table.file, table.header_line, index + 1),
                    f"column `{table.header[index]}` rates unknown topic `{wanted}`; ignored",
                    suggest(wanted, topics.values()),
                )
            )
        else:
            found[topic] = index
    return found, problems


def _row_to_response(
    table: Table,
    row: Row,
    survey: Survey,
    columns: ColumnMap,
    skills: Mapping[str, int],
    people: Mapping[str, str] | None,
    problems: list[Problem],
) -> Response:
    def text(index: int | None) -> str:
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    def where(index: int) -> Location:
        return Location(table.file, row.line, index + 1)

    def rating(index: int | None, name: str, low: int, high: int) -> int | None:
        value = text(index)
        if index is None or not value:
            return None
        try:
            return parse_rating(value, low, high)
        except ValueError as exc:
            problems.append(error(where(index), f"{name}: {exc}"))
            return None

    fields = columns.fields
    respondent: str | None = text(fields.get("respondent")) or None
    if respondent is not None and people is not None:
        known = people.get(fold(respondent))
        if known is None:
            problems.append(
                warning(
                    where(fields["respondent"]),
                    f"respondent `{respondent}` is not a participant id",
                    suggest(respondent, set(people.values()))
                    or "leave it empty for an anonymous answer",
                )
            )
        else:
            respondent = known
    values = {
        name: rating(fields.get(name), name, low, high) for name, (low, high) in SCALES.items()
    }
    rated: dict[str, int] = {}
    for topic, index in skills.items():
        value = rating(index, f"{SKILL_PREFIX}{topic}", *SKILL_SCALE)
        if value is not None:
            rated[topic] = value
    return Response(
        survey_kind=survey.kind,
        respondent=respondent,
        satisfaction=values["satisfaction"],
        recommend=values["recommend"],
        skills=rated,
        goal_progress=values["goal_progress"],
        comments=text(fields.get("comments")) or None,
        source=Location(table.file, row.line, 1),
    )


def responses_from_table(
    table: Table,
    survey: Survey,
    topics: Iterable[str],
    people: Mapping[str, str] | None = None,
) -> tuple[list[Response], list[Problem]]:
    """Convert one read survey export. `people` maps folded id/email -> participant id."""
    columns, problems = map_columns(table, SURVEY_FIELDS, (), survey.columns, allow=_SKILL_HEADER)
    topic_index = {fold(t): t for t in topics}
    skills, found = _skill_columns(table, columns, topic_index)
    problems += found
    if not skills and not any(f in columns.fields for f in SURVEY_FIELDS if f != "respondent"):
        problems.append(
            error(
                Location(table.file, table.header_line, 1),
                "no column of this survey maps to a survey field",
                "map the export's headers under this survey's columns: in program.yaml",
            )
        )
        return [], problems
    responses: list[Response] = []
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        responses.append(_row_to_response(table, row, survey, columns, skills, people, problems))
    return responses, problems


def _people_index(participants: Iterable[Participant]) -> dict[str, str]:
    index: dict[str, str] = {}
    for person in participants:
        if person.email:
            index.setdefault(fold(person.email), person.id)
    for person in participants:  # an id wins over someone else's email
        index[fold(person.id)] = person.id
    return index


def _duplicates(responses: list[Response]) -> list[Problem]:
    """A person who answered the same kind of survey twice: the later answer counts."""
    seen: dict[tuple[str, str], Response] = {}
    problems: list[Problem] = []
    for response in responses:
        if response.respondent is None:
            continue
        key = (response.survey_kind, response.respondent)
        if key in seen:
            problems.append(
                warning(
                    response.source,
                    f"`{response.respondent}` answered the {response.survey_kind} survey "
                    f"again (first at {seen[key].source}); the later answer counts",
                )
            )
        seen[key] = response
    return problems


def load_surveys(
    folder: Path,
    config: ProgramConfig,
    *,
    participants: Iterable[Participant] | None = None,
    where: SourceMap | None = None,
) -> tuple[list[Response], list[Problem]]:
    """Read every survey export named under `evaluation.surveys`, in order.

    Never raises for the user's mistakes. With `participants`, unknown respondents are
    warned about and roster emails are read as ids; with `where` (program.yaml's
    source map), a missing file is reported at the line that names it.
    """
    people = _people_index(list(participants)) if participants is not None else None
    topics = [t.id for t in config.topics]
    responses: list[Response] = []
    problems: list[Problem] = []
    rows_left = SURVEY_ROWS  # in all exports: one file may be named many times
    for i, survey in enumerate(config.evaluation.surveys):
        path = ("evaluation", "surveys", i)
        named_at = where.at(*path, "file") if where else Location("program.yaml")
        sheet_at = where.at(*path, "sheet") if where else None
        table, found = read_table(
            folder,
            survey.file,
            named_at,
            encoding=survey.encoding,
            sheet=survey.sheet,
            sheet_at=sheet_at,
            max_rows=min(MAX_ROWS, rows_left),
            rows_hint=f"all survey exports together may hold {SURVEY_ROWS:,} answers",
        )
        problems += found
        if table is None:
            continue
        rows_left -= len(table.rows)
        # A misspelt header under columns: would silently drop that whole question.
        headers = {header_key(h): h for h in table.header if h}
        for key in survey.columns:
            if header_key(key) not in headers:
                at = where.key(*path, "columns", key) if where else Location("program.yaml")
                problems.append(
                    warning(
                        at,
                        f"`{key}` is not a header of {survey.file}; its answers are not read",
                        suggest(key, headers.values()),
                    )
                )
        more, found = responses_from_table(table, survey, topics, people)
        responses += more
        problems += found
    problems += _duplicates(responses)
    return responses, problems
