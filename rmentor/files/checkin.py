"""A check-in form's export → meetings to append: `rmentor log --import FILE`.

Participants report their own sessions with the check-in form (`rmentor forms`). Its
export is read through `meetings.checkin` (`columns`, `values`, `list_separator`,
`date_format`; `files/mapping.py`) into the fields `respondent` (a participant id or
e-mail), `pair`, `date`, `status`, `minutes`, `topics`, `notes` and `submitted`.

Each row becomes one meeting of the pair the respondent was in on that date (or of
the `pair` column, when the export has one). A session reported by both partners
(one pair, one date) counts once, the first in the file; a pair and date that
meetings.csv already holds is left alone, so importing the same export again adds
nothing. A row that cannot be placed (an unknown person, no active pair that day, a
date outside the program, a bad status, minutes or topic) is reported at its
file:line:col and skipped; the rest are imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import Location, Problem, error, has_errors
from ..model.activity import STATUSES, Meeting, MeetingStatus
from ..model.config import ProgramConfig, TopicIndex
from ..model.pairings import Pairing, PairingState
from ..model.people import Participant
from ..text import fold, suggest
from .mapping import SUBMITTED, Fields, Record, map_table, spec_of
from .meetings import parse_minutes, parse_status
from .tables import Table, overflow, too_many_problems

CHECKIN_FIELDS: tuple[str, ...] = (
    "respondent",
    "pair",
    "date",
    "status",
    "minutes",
    "topics",
    "notes",
    SUBMITTED,
)
CHECKIN_KIND = Fields(
    CHECKIN_FIELDS,
    required=("date", "status"),
    lists=frozenset({"topics"}),
    joined=frozenset({"notes"}),
)
SETTING = "meetings.checkin"


@dataclass
class Imported:
    """What one check-in export adds to meetings.csv, and what it leaves out."""

    meetings: list[Meeting] = field(default_factory=list)  # to append, in file order
    already: int = 0  # a pair and date meetings.csv already holds
    both: int = 0  # a second report of a session in this export
    skipped: int = 0  # rows that could not be placed (reported)
    problems: list[Problem] = field(default_factory=list)


def _people_index(participants: Iterable[Participant]) -> dict[str, str]:
    """Folded id or e-mail → participant id (an id wins over someone else's e-mail)."""
    people = list(participants)
    index: dict[str, str] = {}
    for person in people:
        if person.email:
            index.setdefault(fold(person.email), person.id)
    for person in people:
        index[fold(person.id)] = person.id
    return index


def _on(pair: Pairing, day: dt.date) -> bool:
    """The pair existed on `day`: matched by then and not ended before it."""
    return pair.since <= day and (pair.ended is None or day <= pair.ended)


def _place(
    reader: Record,
    pairings: PairingState,
    people: Mapping[str, str],
    day: dt.date,
) -> Pairing | None:
    """The pair a row reports on (None, reported, when it cannot be placed)."""
    problems = reader.problems
    named = reader.text("pair")
    if named:
        found = next((p for p in pairings.pairs if fold(p.id) == fold(named)), None)
        if found is None:
            hint = suggest(named, [p.id for p in pairings.pairs]) or (
                "pair ids are in state/pairings.toml"
            )
            problems.append(error(reader.where("pair"), f"pair: unknown pair `{named}`", hint))
        return found
    who = reader.text("respondent")
    if not who:
        problems.append(
            error(
                reader.where("respondent"),
                "respondent is empty: no pair to log this session for",
                "the check-in asks for the participant's id or e-mail",
            )
        )
        return None
    person = people.get(fold(who))
    if person is None:
        hint = suggest(who, sorted(set(people.values()))) or (
            "a respondent is a participant's id or e-mail on the roster"
        )
        problems.append(
            error(reader.where("respondent"), f"respondent: unknown person `{who}`", hint)
        )
        return None
    pairs = [p for p in pairings.pairs if person in (p.mentor, p.mentee) and _on(p, day)]
    if len(pairs) == 1:
        return pairs[0]
    # The respondent as written, and their id when they wrote their e-mail.
    shown = f"`{who}`" if fold(who) == fold(person) else f"`{who}` (`{person}`)"
    if not pairs:
        problems.append(
            error(
                reader.where("respondent"),
                f"respondent: {shown} was in no pair on {day}",
                "check the date, or log it by hand with `rmentor log PAIR`",
            )
        )
    else:
        listed = ", ".join(p.id for p in pairs)
        problems.append(
            error(
                reader.where("respondent"),
                f"respondent: {shown} was in {len(pairs)} pairs on {day} ({listed})",
                "add a `pair` column to the form, or log it by hand with `rmentor log PAIR`",
            )
        )
    return None


def _row(
    reader: Record,
    config: ProgramConfig,
    topics: TopicIndex,
    pairings: PairingState,
    people: Mapping[str, str],
) -> Meeting | None:
    """One row as a meeting; None when it cannot be placed (every reason reported)."""
    problems = reader.problems
    before = len(problems)
    info = config.program
    day: dt.date | None = None
    if not reader.text("date"):
        problems.append(error(reader.where("date"), "date is empty", "write it as YYYY-MM-DD"))
    else:
        day = reader.date("date")
    if day is not None and not info.start <= day <= info.end:
        problems.append(
            error(
                reader.where("date"),
                f"date: {day} is outside the program ({info.start} to {info.end})",
            )
        )
        day = None
    status: MeetingStatus | None = None
    status_text = reader.text("status")
    if "status" not in reader.failed:
        try:
            status = parse_status(status_text)
        except ValueError as exc:
            close = suggest(status_text, STATUSES) if status_text else None
            problems.append(error(reader.where("status"), str(exc), close))
    minutes = reader.convert("minutes", parse_minutes)
    longest = 3 * config.meetings.duration_minutes
    lowest = 1 if status == "held" else 0
    if minutes is not None and not lowest <= minutes <= longest:
        problems.append(
            error(
                reader.where("minutes"),
                f"minutes: {minutes}: a session lasts from {lowest} to {longest} minutes here "
                "(three times meetings.duration_minutes)",
            )
        )
    found: list[str] = []
    for item in reader.items("topics"):
        topic = topics.resolve(item)
        if topic is None:
            problems.append(
                error(reader.where("topics"), f"topics: unknown topic `{item}`", topics.hint(item))
            )
        elif topic not in found:
            found.append(topic)
    notes = reader.text("notes") or None
    pair = _place(reader, pairings, people, day) if day is not None else None
    if pair is None or day is None or status is None or reader.bad or len(problems) > before:
        return None
    return Meeting(
        pair=pair.id,
        date=day,
        status=status,
        minutes=minutes,
        topics=tuple(found),
        notes=notes,
        source=Location(reader.table.file, reader.row.line, 1),
    )


def import_checkins(
    table: Table,
    config: ProgramConfig,
    participants: Sequence[Participant],
    pairings: PairingState,
    logged: Iterable[Meeting],
) -> Imported:
    """The meetings a check-in export adds to the `logged` ones, and what it leaves out.

    Errors in the export's header (a required column missing, an ambiguous mapping)
    leave nothing to import: `Imported.problems` then holds errors and no meetings.
    """
    spec = spec_of(config.meetings.checkin, SETTING)
    columns, problems = map_table(table, spec, CHECKIN_KIND)
    result = Imported(problems=problems)
    if not any(name in columns.fields for name in ("respondent", "pair")):
        problems.append(
            error(
                Location(table.file, table.header_line, 1),
                "no column says whose session a row reports (`respondent` or `pair`)",
                "map the id or e-mail question to `respondent` under meetings.checkin.columns",
            )
        )
    if has_errors(problems):
        return result
    topics = TopicIndex(config.topics)
    people = _people_index(participants)
    seen = {(m.pair, m.date) for m in logged}
    here: set[tuple[str, dt.date]] = set()
    for row in table.rows:
        if (stop := too_many_problems(table, row, problems)) is not None:
            problems.append(stop)
            result.skipped += len(table.rows) - table.rows.index(row)
            break
        if (extra := overflow(table, row)) is not None:
            problems.append(extra)
        if not any(row.cells):
            continue
        reader = Record(table, row, columns, spec, problems)
        meeting = _row(reader, config, topics, pairings, people)
        if meeting is None:
            result.skipped += 1
            continue
        key = (meeting.pair, meeting.date)
        if key in seen:
            result.already += 1
        elif key in here:
            result.both += 1
        else:
            here.add(key)
            result.meetings.append(meeting)
    return result
