"""Survey exports: each `evaluation.surveys` entry read into `Response`s, with locations.

A survey file is a Google Forms CSV, an Excel CSV or a Microsoft Forms .xlsx, read as
exported: its own `columns` mapping turns export headers ("How satisfied are you with
the program?") into the canonical survey fields of SPEC §1 — `respondent`,
`satisfaction` (1-5), `recommend` (0-10), `skill:<topic id>` (1-5), `goal_progress`
(1-5), `comments`, the mentors' `insight` and `voice` and everyone's `safety` (1-5),
the fit check's `fit` (good, unsure or poor) and the follow-up's `changes` (text).
Headers already named like a field (in any case) need no mapping.

Values are read as a person wrote them: a rating may carry its label after a leading
whole number, as Google Forms writes it ("4 - Agree", "9 (very likely)", "5: Very
satisfied"); "4.5", "4-5" or "four" are errors at their file:line:col. A bad value is
reported and left out; the rest of the row still counts.

`respondent` may be a participant id or, when the roster is given, an email address
on the roster (read as that person's id). A respondent that names no participant
(empty, `anonymous` as Microsoft Forms writes it, or unknown) is one anonymous answer
each, never merged with another and never a repeat; when any of them names someone unknown
or `anonymous`, one warning a file says how many (empty cells alone are anonymous on
purpose).
Headers and answers map through the survey's `columns` and `values`
(`files/mapping.py`), as a roster's do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from ..errors import Location, Problem, SourceMap, error, warning
from ..model.activity import Response
from ..model.config import ProgramConfig, Survey
from ..model.people import Participant
from ..model.vocabulary import FIT_ANSWERS, SKILL_PREFIX, SURVEY_FIELDS
from ..text import fold, suggest
from .mapping import SUBMITTED, FieldMap, Fields, Record, map_table, spec_of
from .reading import MAX_ROWS, SURVEY_ROWS
from .tables import Table, overflow, read_table, too_many_problems

# field -> (lowest, highest) accepted answer
SCALES: dict[str, tuple[int, int]] = {
    "satisfaction": (1, 5),
    "recommend": (0, 10),
    "goal_progress": (1, 5),
    "insight": (1, 5),
    "voice": (1, 5),
    "safety": (1, 5),
}
SKILL_SCALE = (1, 5)
# A whole number, alone or followed by its label: "4", "4 - Agree", "9 (very likely)".
_RATING = re.compile(r"^(\d+)(?:\s*|\s*[-\u2013\u2014:(]\s*[^\d\s].*|\s+[^\d\s].*)$", re.DOTALL)
_RATING_DIGITS = 6  # more digits than any scale could need
_NOWHERE = Location("survey")
# What a respondent cell holds for an answer that names no one (Microsoft Forms).
ANONYMOUS = frozenset({"anonymous", "anonym", "anonyme", "anónimo"})
_SKILL_HEADER = re.compile(r"^skill:.+$")
SURVEY_KIND = Fields(
    canonical=(*SURVEY_FIELDS, SUBMITTED),
    joined=frozenset({"comments", "changes"}),
    allow=_SKILL_HEADER,
)


# An export of 40,000 answers holds half a million ratings, written a few ways each.
@lru_cache(maxsize=4096)
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
    table: Table, columns: FieldMap, topics: Mapping[str, str]
) -> tuple[dict[str, int], list[Problem]]:
    """`skill:<topic>` fields -> (topic id, column index); unknown topics are warned."""
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for name, indexes in columns.fields.items():
        if not name.startswith(SKILL_PREFIX):
            continue
        index = indexes[0]
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


@dataclass(frozen=True)
class _RatedColumns:
    """Where one export's rated fields are: found once a file, used on every row."""

    scales: tuple[tuple[str, int | None, int, int], ...]  # field, column, lowest, highest
    # topic id, column, the field whose `values` its answers map through, its name
    skills: tuple[tuple[str, int, str, str], ...]
    fit: int | None  # the fit column

    @classmethod
    def of(cls, fields: FieldMap, skills: Mapping[str, int]) -> _RatedColumns:
        """The columns of `fields`, with the `skills` columns (topic id -> column)."""
        return cls(
            scales=tuple(
                (name, fields.first(name), low, high) for name, (low, high) in SCALES.items()
            ),
            skills=tuple(
                (topic, index, fields_name(fields, index), f"{SKILL_PREFIX}{topic}")
                for topic, index in skills.items()
            ),
            fit=fields.first("fit"),
        )


def _row_to_response(
    reader: Record,
    survey: Survey,
    plan: _RatedColumns,
    people: Mapping[str, str] | None,
    unknown: list[tuple[Location, str]],
) -> Response:
    problems = reader.problems
    # `Record.cell` and `Record.answer` inlined: a dozen ratings a row, 40,000 rows
    cells, clean, answers = reader.row.cells, reader.clean, reader.spec.values

    def rating(field: str, index: int | None, name: str, low: int, high: int) -> int | None:
        if index is None or index >= len(cells):
            return None
        value = clean(cells[index])
        if not value:
            return None
        mapped = reader.answer(field, value, index) if answers.get(field) else value
        if mapped is None:
            return None
        try:
            return parse_rating(mapped, low, high)
        except ValueError as exc:
            problems.append(error(reader.at(index), f"{name}: {exc}"))
            return None

    fields = reader.map
    respondent: str | None = reader.text("respondent") or None
    if "respondent" in fields.fields and (respondent is None or people is not None):
        known = people.get(fold(respondent)) if people and respondent else None
        if known is None:
            close = suggest(respondent, set(people.values())) if people and respondent else None
            if close and fold(respondent or "") not in ANONYMOUS:
                problems.append(
                    warning(
                        reader.where("respondent"),
                        f"respondent `{respondent}` is not a participant id; "
                        "the answer counts as anonymous",
                        close,
                    )
                )
            unknown.append((reader.where("respondent"), respondent or ""))
        respondent = known
    elif respondent is not None and fold(respondent) in ANONYMOUS:
        respondent = None
    values = {name: rating(name, index, name, low, high) for name, index, low, high in plan.scales}
    fit: str | None = None
    index = plan.fit
    if index is not None and reader.cell(index):
        answer = reader.answer("fit", reader.cell(index), index)
        if answer is not None:
            fit = answer.strip().lower()
            if fit not in FIT_ANSWERS:
                problems.append(
                    error(
                        reader.at(index),
                        f"fit: `{answer}` is not one of {', '.join(FIT_ANSWERS)}",
                        'map the form\'s answers under values: fit: {"A good match": good}',
                    )
                )
                fit = None
    rated: dict[str, int] = {}
    for topic, index, field, name in plan.skills:
        value = rating(field, index, name, *SKILL_SCALE)
        if value is not None:
            rated[topic] = value
    return Response(
        survey_kind=survey.kind,
        respondent=respondent,
        satisfaction=values["satisfaction"],
        recommend=values["recommend"],
        skills=rated,
        goal_progress=values["goal_progress"],
        comments=reader.text("comments") or None,
        insight=values["insight"],
        voice=values["voice"],
        safety=values["safety"],
        fit=fit,
        changes=reader.text("changes") or None,
        source=Location(reader.table.file, reader.row.line, 1),
    )


def _anonymous_warning(file: str, unknown: list[tuple[Location, str]]) -> Problem:
    """One warning a file: how many answers name no participant, and what they name."""
    empty = sum(1 for _, text in unknown if not text)
    named = Counter(text for _, text in unknown if text)
    said = [f"{empty} empty"] if empty else []
    said += [f"`{text}`" + (f" x{n}" if n > 1 else "") for text, n in sorted(named.items())[:5]]
    if len(named) > 5:
        said.append(f"{len(named) - 5} more")
    count = len(unknown)
    return warning(
        unknown[0][0],
        f"{count} answer{'s' if count != 1 else ''} in {file} "
        f"name{'s' if count == 1 else ''} no participant ({', '.join(said)}) and "
        f"count{'s' if count == 1 else ''} as anonymous, each on its own",
        "an answer counts for a person when its respondent is their id or e-mail; "
        "for an anonymous form, map its Email column to ~",
    )


def fields_name(fields: FieldMap, index: int) -> str:
    """The field a column feeds (for its `values`)."""
    return next((name for name, found in fields.fields.items() if index in found), "")


def responses_from_table(
    table: Table,
    survey: Survey,
    topics: Iterable[str],
    people: Mapping[str, str] | None = None,
    *,
    key_at: Callable[[str], Location] | None = None,
) -> tuple[list[Response], list[Problem]]:
    """Convert one read survey export. `people` maps folded id/email -> participant id."""
    spec = spec_of(survey, "the survey's")
    columns, problems = map_table(table, spec, SURVEY_KIND, key_at=key_at)
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
    times: list[dt.datetime | None] = []
    unknown: list[tuple[Location, str]] = []
    plan = _RatedColumns.of(columns, skills)
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        reader = Record(table, row, columns, spec, problems)
        responses.append(_row_to_response(reader, survey, plan, people, unknown))
        times.append(reader.submitted())
    # Empty cells alone are anonymous on purpose; with no one on the roster (a roster
    # problem, reported already) every answer would be "unknown": nothing to add.
    if people and any(text for _, text in unknown):
        problems.append(_anonymous_warning(table.file, unknown))
    if times and all(times):  # a person's later answer is the later submitted one
        order = sorted(range(len(responses)), key=lambda i: times[i] or dt.datetime.min)
        responses = [responses[i] for i in order]
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


def _key_at(where: SourceMap, path: tuple[str | int, ...], key: str) -> Location:
    return where.key(*path, "columns", key)


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
        key_at = partial(_key_at, where, path) if where else None
        more, found = responses_from_table(table, survey, topics, people, key_at=key_at)
        responses += more
        problems += found
    problems += _duplicates(responses)
    return responses, problems
