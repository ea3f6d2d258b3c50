"""Every check of a loaded program, each a function returning problems.

Loaders report what is wrong with one value; the checks here look across the
whole program (references between people, dates against each other, settings
against the roster). `check_program` runs them all, so one pass shows everything.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Location, Problem, error, warning
from ..text import (
    char_name,
    file_stem,
    fold,
    invisible_in,
    lookalike_chars,
    lookalike_key,
    show_invisible,
    suggest,
)
from .activity import Meeting
from .pairings import PairingState, _pair_hint
from .people import PARTICIPANT_FIELDS, Participant
from .program import Program
from .vocabulary import METRICS, SURVEY_FIELDS, SURVEY_METRICS

# Where a warning about the committed pairs points (files.layout.PAIRINGS_FILE; the
# model reads no file, so it only names it: tests/files keep the two equal).
PAIRINGS_FILE = "state/pairings.toml"


def check_duplicates(program: Program) -> list[Problem]:
    """Ids and emails must be unique, after trimming, case and Unicode folding, and must
    not differ only by invisible or look-alike characters (`text.lookalike_key`): a
    Cyrillic `e` or a zero-width space makes a second person who reads as the first."""
    problems: list[Problem] = []
    for field in ("id", "email"):
        first: dict[str, Participant] = {}
        alike: dict[str, Participant] = {}
        for person in program.participants:
            value = getattr(person, field)
            if not value:
                continue
            key, look = fold(value), lookalike_key(value)
            if key in first:
                earlier = first[key]
                problems.append(
                    error(
                        person.where(field),
                        f"duplicate {field} `{show_invisible(value)}` (first used by "
                        f"`{show_invisible(earlier.id)}` at {earlier.where(field)})",
                    )
                )
            elif look in alike:
                problems.append(_lookalike(person, alike[look], field))
            else:
                first[key] = person
                alike[look] = person
    return problems


def _lookalike(person: Participant, earlier: Participant, field: str) -> Problem:
    """The error for a value that reads like an earlier person's, naming both cells."""
    value, other = getattr(person, field), getattr(earlier, field)
    whose = "" if field == "id" else f" of `{show_invisible(earlier.id)}`"
    chars = ", ".join(char_name(ch) for ch in lookalike_chars(value + other))
    return error(
        person.where(field),
        f"{field} `{show_invisible(value)}` looks like `{show_invisible(other)}`{whose} at "
        f"{earlier.where(field)}: they differ only in {chars}",
        "two people whose ids read alike would be mixed up: make the ids differ visibly"
        if field == "id"
        else "mail meant for one would go to the other: check which address is right",
    )


def check_id_characters(program: Program) -> list[Problem]:
    """An id holds no invisible character (zero-width space, bidi control, soft hyphen,
    control character): it would make one id look like another, and could steer how a
    file name or a calendar shows. An e-mail address holding one is warned about."""
    problems: list[Problem] = []
    for person in program.participants:
        for field, make in (("id", error), ("email", warning)):
            value = getattr(person, field) or ""
            hidden = invisible_in(value)
            if hidden:
                problems.append(
                    make(
                        person.where(field),
                        f"{field} `{show_invisible(value)}` holds an invisible character: "
                        + ", ".join(char_name(ch) for ch in hidden),
                        "delete it: it often comes along when text is copied from a web "
                        "page or a chat",
                    )
                )
    return problems


def check_file_names(program: Program) -> list[Problem]:
    """No two participants share a file name (`text.file_stem`): one person's welcome
    letter, reserve letter and certificate would overwrite the other's. File names keep
    only letters, digits and dashes, so `E.1002` and `E-1002` clash. Ids already reported
    by `check_duplicates` are skipped."""
    problems: list[Problem] = []
    looks: set[str] = set()
    first: dict[str, Participant] = {}
    for person in program.participants:
        look = lookalike_key(person.id)
        if not person.id or look in looks:
            continue
        looks.add(look)
        stem = file_stem(person.id)
        if stem not in first:
            first[stem] = person
            continue
        earlier = first[stem]
        problems.append(
            error(
                person.where("id"),
                f"id `{show_invisible(person.id)}` gives the same file name (`{stem}`) as "
                f"`{show_invisible(earlier.id)}` at {earlier.where('id')}",
                "file names keep only letters, digits and dashes, in lower case: make the "
                "two ids differ there, or one person's letters would overwrite the other's",
            )
        )
    return problems


def _index(program: Program) -> dict[str, Participant]:
    found: dict[str, Participant] = {}
    for person in program.participants:
        found.setdefault(person.id, person)
    return found


def _id_hint(wanted: str, people: dict[str, Participant]) -> str | None:
    # Only a case or Unicode variant is suggested: ids differing by a digit are
    # usually different people, and a wrong guess would mislead.
    folded = {fold(k): k for k in people}
    if fold(wanted) in folded:
        return f"ids are matched exactly; did you mean `{folded[fold(wanted)]}`?"
    return None


def check_references(program: Program) -> list[Problem]:
    """manager, prefer and avoid must name people on the roster."""
    people = _index(program)
    problems: list[Problem] = []
    for person in program.participants:
        if person.manager is not None and person.manager not in people:
            problems.append(
                warning(
                    person.where("manager"),
                    f"manager `{person.manager}` of `{person.id}` is not on the roster; the "
                    "reporting-line rule cannot see beyond them",
                    _id_hint(person.manager, people),
                )
            )
        for field, make in (("prefer", warning), ("avoid", error)):
            for other in getattr(person, field):
                if other == person.id:
                    problems.append(
                        warning(person.where(field), f"{field}: `{person.id}` names themself")
                    )
                elif other not in people:
                    problems.append(
                        make(
                            person.where(field),
                            f"{field}: unknown participant `{other}`",
                            _id_hint(other, people),
                        )
                    )
                elif field == "prefer" and people[other].role == person.role:
                    problems.append(
                        warning(
                            person.where(field),
                            f"prefer: `{other}` is also a {person.role} and "
                            "cannot be their partner",
                        )
                    )
    return problems


def check_manager_cycles(program: Program) -> list[Problem]:
    """Following managers upward must end; a loop is reported once, at its first member."""
    people = _index(program)
    problems: list[Problem] = []
    reported: set[str] = set()
    for start in sorted(people):
        path: list[str] = []
        current: str | None = start
        while current is not None and current in people and current not in path:
            path.append(current)
            current = people[current].manager
        if current is None or current not in path:
            continue
        cycle = path[path.index(current) :]
        if reported.isdisjoint(cycle):
            reported.update(cycle)
            first = min(cycle)
            ring = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
            problems.append(
                error(
                    people[first].where("manager"),
                    "manager cycle: " + " → ".join(ring),
                    "someone in this chain must have no manager, or one outside it",
                )
            )
    return problems


def check_people_against_program(program: Program) -> list[Problem]:
    """Birth years plausible for the program's dates; capacity only for mentors;
    locations that name an office, and time zones that agree with it."""
    config = program.config
    latest = config.program.start.year - 14
    offices = config.program.offices
    problems: list[Problem] = []
    for person in program.participants:
        office = offices.get(person.location or "")
        if offices and person.location and office is None:
            problems.append(
                warning(
                    person.where("location"),
                    f"location `{person.location}` is not one of the offices in "
                    "program.offices, so its holidays and time zone do not apply",
                    suggest(person.location, offices),
                )
            )
        elif (
            office is not None
            and office.timezone
            and "timezone" in person.cells
            and person.timezone != office.timezone
        ):
            problems.append(
                warning(
                    person.where("timezone"),
                    f"`{person.id}` works in {person.location} "
                    f"({office.timezone}) but their timezone is {person.timezone}",
                    "leave the cell empty to use the office's time zone",
                )
            )
        if person.birth_year is not None and person.birth_year > latest:
            problems.append(
                error(
                    person.where("birth_year"),
                    f"birth_year: {person.birth_year} would make `{person.id}` "
                    f"younger than 14 when the program starts",
                )
            )
        if person.capacity is not None and person.role == "mentee":
            problems.append(
                warning(
                    person.where("capacity"),
                    f"capacity is set for mentee `{person.id}` and is ignored",
                )
            )
    return problems


def check_dates(program: Program) -> list[Problem]:
    """Start before end; blackouts, milestones and hours that make sense."""
    config = program.config
    info, meetings, where = config.program, config.meetings, program.where
    problems: list[Problem] = []
    # Dates the wrong way round: one error, not a warning for every blackout and
    # milestone measured against them (nor, in check_meeting_log, every meeting).
    spans = info.start < info.end
    if not spans:
        problems.append(
            error(
                where.at("program", "end"),
                f"program.end {info.end} is not after program.start {info.start}",
                "swap them: start is the program's first day, end its last"
                if info.end < info.start
                else "end is the program's last day: set it weeks after the start",
            )
        )
    for i, span in enumerate(info.blackout):
        if span.start > span.end:
            problems.append(
                error(
                    where.at("program", "blackout", i),
                    f"blackout from {span.start} to {span.end} runs backwards",
                )
            )
        elif spans and (span.end < info.start or span.start > info.end):
            problems.append(
                warning(
                    where.at("program", "blackout", i),
                    f"blackout {span.start} to {span.end} lies outside the program",
                )
            )
    keys: dict[str, int] = {}
    for i, milestone in enumerate(meetings.milestones):
        if milestone.key in keys:
            first = meetings.milestones[keys[milestone.key]].name
            problems.append(
                error(
                    where.at("meetings", "milestones", i),
                    f"milestone `{milestone.name}` has the calendar id `{milestone.key}`, "
                    f"as `{first}` has",
                    "give one of them its own `id:`, or their calendar events would be one",
                )
            )
        keys.setdefault(milestone.key, i)
        for span in info.blackout:
            if span.start <= milestone.date <= span.end:
                problems.append(
                    warning(
                        where.at("meetings", "milestones", i, "date"),
                        f"milestone `{milestone.name}` on {milestone.date} falls "
                        f"in the blackout {span.start} to {span.end}",
                    )
                )
        if spans and (
            not info.start - dt.timedelta(weeks=8)
            <= milestone.date
            <= info.end + dt.timedelta(weeks=8)
        ):
            problems.append(
                warning(
                    where.at("meetings", "milestones", i, "date"),
                    f"milestone `{milestone.name}` on {milestone.date} is far "
                    "outside the program's dates",
                )
            )
    if meetings.day_start >= meetings.day_end:
        problems.append(
            error(
                where.at("meetings", "day_end"),
                f"meetings.day_end {meetings.day_end:%H:%M} is not after "
                f"day_start {meetings.day_start:%H:%M}",
            )
        )
    day = (meetings.day_end.hour * 60 + meetings.day_end.minute) - (
        meetings.day_start.hour * 60 + meetings.day_start.minute
    )
    if not 15 <= meetings.duration_minutes <= 480:
        problems.append(
            error(
                where.at("meetings", "duration_minutes"),
                f"meetings.duration_minutes {meetings.duration_minutes} must be between 15 and 480",
            )
        )
    elif day > 0 and meetings.duration_minutes > day:
        problems.append(
            error(
                where.at("meetings", "duration_minutes"),
                f"a {meetings.duration_minutes}-minute meeting does not fit "
                "between day_start and day_end",
            )
        )
    return problems


def check_holidays(program: Program) -> list[Problem]:
    """Holiday calendars exist in the `holidays` package (time zones: see the model)."""
    import holidays

    config = program.config
    where = program.where
    supported: dict[str, list[str]] = holidays.list_supported_countries()
    problems: list[Problem] = []

    def calendar(country: str | None, subdivision: str | None, *path: str | int) -> None:
        if country is None:
            return
        if country.upper() not in supported:
            problems.append(
                error(
                    where.at(*path, "country"),
                    f"no public-holiday calendar for country `{country}`",
                    suggest(country, supported) or "use an ISO 3166 code like DE",
                )
            )
        elif subdivision is not None and subdivision.upper() not in {
            s.upper() for s in supported[country.upper()]
        }:
            problems.append(
                error(
                    where.at(*path, "subdivision"),
                    f"`{subdivision}` is not a subdivision of {country.upper()}",
                    "known: " + ", ".join(supported[country.upper()][:20]),
                )
            )

    if config.program.holidays is not None:
        calendar(
            config.program.holidays.country,
            config.program.holidays.subdivision,
            "program",
            "holidays",
        )
    for name, office in sorted(config.program.offices.items()):
        calendar(office.country, office.subdivision, "program", "offices", name)
    return problems


def check_topics_and_goals(program: Program) -> list[Problem]:
    """Topic ids and titles unique; goals name known metrics and topics."""
    config = program.config
    where = program.where
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, topic in enumerate(config.topics):
        for key in {fold(topic.id), fold(topic.title)}:
            if key in seen and seen[key] != i:
                problems.append(
                    error(
                        where.at("topics", i),
                        f"topic `{topic.id}` has the same id or title as topic "
                        f"`{config.topics[seen[key]].id}`",
                        "rosters name topics by id or title, so both must be unique",
                    )
                )
            seen.setdefault(key, i)
    topic_ids = {t.id for t in config.topics}
    goal_ids: set[str] = set()
    for i, goal in enumerate(config.goals):
        if goal.id in goal_ids:
            problems.append(error(where.at("goals", i, "id"), f"duplicate goal id `{goal.id}`"))
        goal_ids.add(goal.id)
        if goal.metric not in METRICS:
            problems.append(
                error(
                    where.at("goals", i, "metric"),
                    f"goal `{goal.id}`: unknown metric `{goal.metric}`",
                    suggest(goal.metric, METRICS) or "metrics: " + ", ".join(METRICS),
                )
            )
        elif goal.metric.endswith("_rate") and not 0 <= goal.target <= 1:
            problems.append(
                error(
                    where.at("goals", i, "target"),
                    f"goal `{goal.id}`: {goal.metric} is a fraction between 0 and "
                    f"1; target {goal.target:g} cannot be reached",
                    f"write {goal.target / 100:g} for {goal.target:g} %"
                    if 1 < goal.target <= 100
                    else None,
                )
            )
        if goal.role is not None and goal.metric in METRICS and goal.metric not in SURVEY_METRICS:
            problems.append(
                error(
                    where.at("goals", i, "role"),
                    f"goal `{goal.id}`: `role` applies to survey metrics only, not to "
                    f"{goal.metric}",
                    "survey metrics: " + ", ".join(sorted(SURVEY_METRICS)),
                )
            )
        if goal.topic is not None and goal.topic not in topic_ids:
            problems.append(
                error(
                    where.at("goals", i, "topic"),
                    f"goal `{goal.id}`: unknown topic `{goal.topic}`",
                    suggest(goal.topic, topic_ids),
                )
            )
    return problems


def check_curriculum(program: Program) -> list[Problem]:
    """Curriculum anchors are session numbers from 1 or first/midpoint/last, each used once;
    the topics a theme names exist."""
    config, where = program.config, program.where
    topic_ids = {t.id for t in config.topics}
    problems: list[Problem] = []
    anchors: dict[str | int, int] = {}
    for i, item in enumerate(config.meetings.curriculum):
        at = ("meetings", "curriculum", i)
        if isinstance(item.at, int) and item.at < 1:
            problems.append(
                error(where.at(*at, "at"), f"`at: {item.at}`: sessions are numbered from 1")
            )
        elif item.at is not None and item.at in anchors:
            first = config.meetings.curriculum[anchors[item.at]].title
            problems.append(
                error(
                    where.at(*at, "at"),
                    f"`{item.title}` and `{first}` are both anchored at {item.at}",
                    "one theme per session: anchor one of them elsewhere",
                )
            )
        elif item.at is not None:
            anchors[item.at] = i
        for topic in item.topics:
            if topic not in topic_ids:
                problems.append(
                    error(
                        where.at(*at, "topics"),
                        f"curriculum theme `{item.title}` names unknown topic `{topic}`",
                        suggest(topic, topic_ids),
                    )
                )
    return problems


def check_settings(program: Program) -> list[Problem]:
    """Capacities, weights, thresholds and column mappings within their bounds."""
    config = program.config
    where = program.where
    problems: list[Problem] = []
    if config.matching.capacity < 1:
        problems.append(
            error(
                where.at("matching", "capacity"),
                f"matching.capacity {config.matching.capacity} must be at least 1",
            )
        )
    for name, value in config.matching.weights:
        if value < 0:
            problems.append(
                error(
                    where.at("matching", "weights", name),
                    f"weight `{name}` is {value:g}; weights cannot be negative",
                    "use 0 to switch a criterion off",
                )
            )
    rules = config.matching.rules
    if rules.seniority.min_gap < 0:
        problems.append(
            error(
                where.at("matching", "rules", "seniority", "min_gap"),
                "seniority.min_gap cannot be negative",
            )
        )
    if rules.gender.mode != "off" and rules.gender.policy == "any":
        problems.append(
            warning(
                where.at("matching", "rules", "gender"),
                "the gender rule is on but its policy is `any`, so it does nothing",
                "set policy: same or mixed, or mode: off",
            )
        )
    if config.evaluation.anonymity_threshold < 3:
        problems.append(
            error(
                where.at("evaluation", "anonymity_threshold"),
                f"evaluation.anonymity_threshold "
                f"{config.evaluation.anonymity_threshold} is below 3; a group that "
                "small identifies people",
            )
        )
    if config.evaluation.min_sessions < 1:
        problems.append(
            error(
                where.at("evaluation", "min_sessions"), "evaluation.min_sessions must be at least 1"
            )
        )
    roster_fields = (*PARTICIPANT_FIELDS, "submitted")
    mappings: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [
        (("roster", "columns"), config.roster.columns)
    ]
    mappings += [
        (("roster", "files", i, "columns"), item.columns)
        for i, item in enumerate(config.roster.files)
        if not isinstance(item, str) and item.columns is not None
    ]
    for path, columns in mappings:
        for header, target in columns.items():
            for name in _targets(target):
                if name not in roster_fields:
                    problems.append(
                        error(
                            where.at(*path, header),
                            f"roster.columns maps `{header}` to unknown field `{name}`",
                            suggest(name, roster_fields),
                        )
                    )
    topic_ids = {t.id for t in config.topics}
    survey_fields = (*SURVEY_FIELDS, "submitted")
    for i, survey in enumerate(config.evaluation.surveys):
        for header, target in survey.columns.items():
            for name in _targets(target):
                topic = name.removeprefix("skill:") if name.startswith("skill:") else None
                if topic is not None and topic not in topic_ids:
                    problems.append(
                        error(
                            where.at("evaluation", "surveys", i, "columns", header),
                            f"survey column `{header}` names unknown topic `{topic}`",
                            suggest(topic, topic_ids),
                        )
                    )
                elif topic is None and name not in survey_fields:
                    problems.append(
                        error(
                            where.at("evaluation", "surveys", i, "columns", header),
                            f"survey column `{header}` maps to unknown field `{name}`",
                            suggest(name, survey_fields),
                        )
                    )
    return problems


def _targets(target: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """A `columns:` value as the fields it feeds (`~` feeds none)."""
    if target is None:
        return ()
    return (target,) if isinstance(target, str) else target


def check_pairs(program: Program) -> list[Problem]:
    """Locked and excluded pairs name a mentor then a mentee, and do not contradict."""
    config = program.config
    where = program.where
    people = _index(program)
    problems: list[Problem] = []
    # An empty or unreadable roster is the problem to report, once: not every id here.
    for section in ("locked", "excluded") if people else ():
        for i, (mentor, mentee) in enumerate(getattr(config.matching, section)):
            at = where.at("matching", section, i)
            for person_id, role in ((mentor, "mentor"), (mentee, "mentee")):
                if person_id not in people:
                    problems.append(
                        error(
                            at,
                            f"{section} pair names unknown participant `{person_id}`",
                            _id_hint(person_id, people)
                            or f"check the id against the roster, or remove the pair from "
                            f"matching.{section}",
                        )
                    )
                elif people[person_id].role != role:
                    problems.append(
                        error(
                            at,
                            f"{section} pair [{mentor}, {mentee}]: "
                            f"`{person_id}` is a {people[person_id].role}, not "
                            f"a {role}",
                            "write each pair as [mentor, mentee]",
                        )
                    )
    excluded = set(config.matching.excluded)
    mentees: Counter[str] = Counter()
    mentors: Counter[str] = Counter()
    for i, pair in enumerate(config.matching.locked):
        at = where.at("matching", "locked", i)
        if pair in excluded:
            problems.append(error(at, f"pair [{pair[0]}, {pair[1]}] is both locked and excluded"))
        mentees[pair[1]] += 1
        mentors[pair[0]] += 1
        if mentees[pair[1]] == 2:
            problems.append(error(at, f"mentee `{pair[1]}` is locked to two mentors"))
        person = people.get(pair[0])
        capacity = (person.capacity if person else None) or config.matching.capacity
        if mentors[pair[0]] == capacity + 1:
            problems.append(
                error(
                    at,
                    f"mentor `{pair[0]}` is locked to more mentees than "
                    f"their capacity ({capacity})",
                )
            )
        if person is not None and pair[1] in person.avoid:
            problems.append(
                warning(
                    at,
                    f"locked pair [{pair[0]}, {pair[1]}] is on "
                    f"`{pair[0]}`'s avoid list; the lock wins",
                )
            )
    return problems


def check_state(program: Program) -> list[Problem]:
    """Active pairs in state/pairings.toml name people on the roster."""
    people = _index(program)
    problems: list[Problem] = []
    for pair in program.pairings.active:
        for person_id in (pair.mentor, pair.mentee):
            if person_id not in people:
                problems.append(
                    warning(
                        Location(PAIRINGS_FILE, 1, 1),
                        f"active pair {pair.id} names `{person_id}`, who is "
                        "not on the roster; `rmentor match` will end it",
                    )
                )
    return problems


def check_meeting_log(program: Program) -> list[Problem]:
    """The meeting log names known pairs, on dates inside the program."""
    info = program.config.program
    if info.start >= info.end:  # check_dates says so once; every meeting would be "outside"
        return []
    return check_meetings(program.meetings, program.pairings, info.start, info.end)


Check = Callable[[Program], list[Problem]]

# Each check with the program.yaml sections it reads: a check runs only when all of
# them loaded without errors (their problems are already reported).
CHECKS: tuple[tuple[Check, frozenset[str]], ...] = (
    (check_duplicates, frozenset()),
    (check_id_characters, frozenset()),
    (check_file_names, frozenset()),
    (check_references, frozenset()),
    (check_manager_cycles, frozenset()),
    (check_people_against_program, frozenset({"program", "matching"})),
    (check_dates, frozenset({"program", "meetings"})),
    (check_holidays, frozenset({"program"})),
    (check_topics_and_goals, frozenset({"topics", "goals"})),
    (check_curriculum, frozenset({"meetings", "topics"})),
    (check_settings, frozenset({"matching", "evaluation", "roster", "topics"})),
    (check_pairs, frozenset({"matching"})),
    (check_state, frozenset()),
    (check_meeting_log, frozenset({"program", "topics", "roster"})),
)


def check_program(program: Program) -> list[Problem]:
    """Run every check that the loaded parts allow (loader problems not included)."""
    return [
        p for check, needs in CHECKS if needs.isdisjoint(program.broken) for p in check(program)
    ]


@dataclass(frozen=True)
class Summary:
    """What the roster holds, and whether every mentee can have a mentor."""

    participants: int
    mentors: int
    mentees: int
    capacity: int
    departments: int
    timezones: tuple[str, ...]

    @property
    def shortfall(self) -> int:
        """How many mentees cannot be paired for lack of mentor places."""
        return max(0, self.mentees - self.capacity)

    def to_json(self) -> dict[str, object]:
        """The `summary` member of `validate --json`."""
        return {
            "participants": self.participants,
            "mentors": self.mentors,
            "mentees": self.mentees,
            "mentor_capacity": self.capacity,
            "shortfall": self.shortfall,
            "departments": self.departments,
            "timezones": list(self.timezones),
        }


def summarize(program: Program) -> Summary:
    """Counts for the feasibility summary."""
    default = program.config.matching.capacity
    mentors = [p for p in program.participants if p.role == "mentor"]
    return Summary(
        participants=len(program.participants),
        mentors=len(mentors),
        mentees=sum(1 for p in program.participants if p.role == "mentee"),
        capacity=sum(p.capacity or default for p in mentors),
        departments=len({p.department for p in program.participants if p.department}),
        timezones=tuple(sorted({p.timezone for p in program.participants if p.timezone})),
    )


def feasibility(program: Program, summary: Summary, failed: bool = False) -> Iterator[Problem]:
    """Warnings when the roster cannot pair everyone (by numbers alone).

    `failed`: other errors were found, so an empty roster may just be unreadable.
    """
    files = program.config.roster.paths
    at = Location(files[0], 1, 1) if files else program.where.at("roster", "files")
    if not summary.participants and not failed:
        yield warning(
            at, "the roster has no participants yet", "add one row per person to the roster file"
        )
    if summary.participants and not summary.mentors:
        yield warning(at, "the roster has no mentors")
    if summary.participants and not summary.mentees:
        yield warning(at, "the roster has no mentees")
    if summary.shortfall:
        yield warning(
            at,
            f"{summary.mentees} mentees but only {summary.capacity} mentor places: "
            f"{summary.shortfall} will stay unpaired",
            "recruit mentors or raise matching.capacity",
        )


def check_meetings(
    meetings: Iterable[Meeting], pairs: PairingState, start: dt.date, end: dt.date
) -> list[Problem]:
    """Checks that need the program: pair ids that exist, dates inside the program.

    - a date before `start` or after `end` is an error;
    - a pair id not in state/pairings.toml is an error (skipped while no pairs have
      been matched yet, so that a copied sample program validates before `match`);
    - a meeting of an ended pair dated after its end, and a second entry for one
      pair on one day, are warnings.
    """
    problems: list[Problem] = []
    known = {p.id: p for p in pairs.pairs}
    seen: dict[tuple[str, dt.date], Meeting] = {}
    for meeting in meetings:
        if not start <= meeting.date <= end:
            problems.append(
                error(
                    meeting.where("date"),
                    f"date {meeting.date} is outside the program ({start} to {end})",
                )
            )
        pair = known.get(meeting.pair)
        if known and pair is None:
            problems.append(
                error(
                    meeting.where("pair"),
                    f"unknown pair `{meeting.pair}`",
                    _pair_hint(meeting.pair, pairs),
                )
            )
        elif pair is not None and pair.ended is not None and meeting.date > pair.ended:
            problems.append(
                warning(
                    meeting.where("date"),
                    f"pair `{pair.id}` ended on {pair.ended}, before this meeting",
                )
            )
        key = (meeting.pair, meeting.date)
        if key in seen:
            problems.append(
                warning(
                    meeting.source,
                    f"pair `{meeting.pair}` already has an entry on {meeting.date} "
                    f"(line {seen[key].source.line})",
                    "delete one of the two if it was logged twice",
                )
            )
        else:
            seen[key] = meeting
    return problems
