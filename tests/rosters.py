"""Random rosters for the matching tests: a hypothesis strategy and a CSV writer.

A `Roster` is a program config (random rules), its participants (random fields,
manager chains without cycles, avoid lists, excluded pairs …) and earlier cohorts'
pairs. `roster_csv` and `program_yaml` write it back as files, so that a test can
also go through `read_program`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml
from hypothesis import strategies as st

from rmentor.errors import Location
from rmentor.model.config import (
    Contact,
    GenderRule,
    Matching,
    ProgramConfig,
    ProgramInfo,
    Rule,
    Rules,
    SeniorityRule,
    SharedHoursRule,
    Topic,
    Weights,
)
from rmentor.model.people import Participant, Window

TOPICS = (
    Topic(id="social-media", title="Social media for business"),
    Topic(id="video", title="Video meetings"),
    Topic(id="ai", title="AI assistants"),
    Topic(id="dashboards", title="Dashboards"),
)
TOPIC_IDS = tuple(t.id for t in TOPICS)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations")
GENDERS = ("female", "male", "nonbinary")
LANGUAGES = ("English", "German", "French", "Spanish")
LOCATIONS = ("Berlin", "London", "New York")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
START = dt.date(2027, 1, 11)  # a Monday
COLUMNS = (
    "id",
    "name",
    "role",
    "department",
    "level",
    "manager",
    "birth_year",
    "hire_date",
    "skills",
    "interests",
    "timezone",
    "availability",
    "location",
    "languages",
    "gender",
    "capacity",
    "prefer",
    "avoid",
)


@dataclass(frozen=True)
class Roster:
    """A random program: its config, its people and earlier cohorts' pairs."""

    config: ProgramConfig
    people: tuple[Participant, ...]
    history: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def mentors(self) -> list[Participant]:
        return [p for p in self.people if p.role == "mentor"]

    @property
    def mentees(self) -> list[Participant]:
        return [p for p in self.people if p.role == "mentee"]


def make_config(matching: Matching | None = None, **program: object) -> ProgramConfig:
    """A small valid program config (Berlin, Jan-Jun 2027) with the test topics."""
    info = {
        "name": "Test Program",
        "organization": "Testco",
        "leader": Contact(name="Lee Leader", email="lee@example.com"),
        "start": START,
        "end": dt.date(2027, 6, 25),
        "timezone": "Europe/Berlin",
        **program,
    }
    return ProgramConfig(
        program=ProgramInfo(**info),  # type: ignore[arg-type]
        topics=TOPICS,
        matching=matching or Matching(),
    )


def person(pid: str, role: str, line: int = 2, **fields: object) -> Participant:
    """A participant with just what a test states (name = id unless given)."""
    fields.setdefault("name", f"Person {pid}")
    return Participant(
        id=pid,
        role=role,  # type: ignore[arg-type]
        source=Location("participants.csv", line, 1),
        **fields,  # type: ignore[arg-type]
    )


def window(day: int, start: str, end: str) -> Window:
    """A weekly window from HH:MM texts."""

    def minutes(text: str) -> int:
        hour, minute = text.split(":")
        return int(hour) * 60 + int(minute)

    return Window(day=day, start=minutes(start), end=minutes(end))


# --------------------------------------------------------------------------- strategies

_windows = st.builds(
    lambda day, start, length: Window(
        day=day, start=start * 30, end=min(1440, (start + length) * 30)
    ),
    st.integers(0, 6),
    st.integers(12, 40),  # 06:00 … 20:00
    st.integers(1, 10),  # 30 min … 5 h
)


def merged(windows: Sequence[Window]) -> tuple[Window, ...]:
    """Windows sorted, overlapping ones on a day merged (as the roster reader does)."""
    out: list[Window] = []
    for w in sorted(windows, key=lambda w: (w.day, w.start, w.end)):
        if out and out[-1].day == w.day and w.start <= out[-1].end:
            out[-1] = Window(day=w.day, start=out[-1].start, end=max(out[-1].end, w.end))
        else:
            out.append(w)
    return tuple(out)


@st.composite
def rule_sets(draw: st.DrawFn) -> Rules:
    """Random rule modes (hard / soft / off), gender policy, min_gap, min_hours."""
    mode = st.sampled_from(["hard", "hard", "off", "soft"])
    policy = draw(st.sampled_from(["same", "mixed", "any"]))
    return Rules(
        seniority=SeniorityRule(mode=draw(mode), min_gap=draw(st.integers(1, 3))),
        reporting_line=Rule(mode=draw(mode)),
        avoid=Rule(mode=draw(mode)),
        shared_hours=SharedHoursRule(
            mode=draw(mode), min_hours=draw(st.sampled_from([0.5, 1.0, 2.0, 3.5]))
        ),
        gender=GenderRule(mode=draw(mode), policy=policy),
        history=Rule(mode=draw(mode)),
    )


@st.composite
def rosters(
    draw: st.DrawFn,
    min_mentors: int = 2,
    max_mentors: int = 12,
    min_mentees: int = 2,
    max_mentees: int = 12,
    method: str = "optimal",
) -> Roster:
    """A random roster with random rules, as described in the module docstring."""
    n_mentors = draw(st.integers(min_mentors, max_mentors))
    n_mentees = draw(st.integers(min_mentees, max_mentees))
    mentor_ids = [f"R{k:02d}" for k in range(1, n_mentors + 1)]
    mentee_ids = [f"E{k:02d}" for k in range(1, n_mentees + 1)]
    everyone = mentor_ids + mentee_ids

    # Managers: each person's manager comes earlier in a random order, so no cycles.
    order = draw(st.permutations(everyone))
    managers: dict[str, str | None] = {order[0]: None}
    for k, pid in enumerate(order[1:], start=1):
        managers[pid] = draw(st.one_of(st.none(), st.sampled_from(order[:k])))

    def maybe(strategy: st.SearchStrategy[object]) -> object:
        return draw(st.one_of(st.none(), strategy))

    people = []
    for line, pid in enumerate(everyone, start=2):
        role = "mentor" if pid.startswith("R") else "mentee"
        others = mentee_ids if role == "mentor" else mentor_ids
        some_others = st.lists(st.sampled_from(others), max_size=2, unique=True)
        people.append(
            person(
                pid,
                role,
                line,
                department=maybe(st.sampled_from(DEPARTMENTS)),
                level=maybe(st.integers(1, 9)),
                manager=managers[pid],
                birth_year=maybe(st.integers(1955, 2004)),
                hire_date=maybe(st.dates(dt.date(1985, 1, 1), dt.date(2026, 12, 31))),
                skills=tuple(draw(st.lists(st.sampled_from(TOPIC_IDS), unique=True)))
                if role == "mentor"
                else (),
                interests=tuple(draw(st.lists(st.sampled_from(TOPIC_IDS), unique=True)))
                if role == "mentee"
                else (),
                timezone=draw(st.sampled_from(ZONES)),
                availability=merged(
                    draw(st.one_of(st.just([]), st.lists(_windows, min_size=1, max_size=3)))
                ),
                location=maybe(st.sampled_from(LOCATIONS)),
                languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), unique=True))),
                gender=maybe(st.sampled_from(GENDERS)),
                capacity=maybe(st.integers(1, 3)) if role == "mentor" else None,
                prefer=tuple(draw(some_others)),
                avoid=tuple(draw(some_others)),
            )
        )
    pair = st.tuples(st.sampled_from(mentor_ids), st.sampled_from(mentee_ids))
    excluded = tuple(sorted(set(draw(st.lists(pair, max_size=4)))))
    history = frozenset(draw(st.lists(pair, max_size=4)))
    weights = Weights(
        topics=draw(st.sampled_from([0.0, 1.0, 3.0])),
        seniority=draw(st.sampled_from([0.0, 1.0])),
        generation=draw(st.sampled_from([0.0, 1.0])),
        department=draw(st.sampled_from([0.0, 1.0])),
        hours=draw(st.sampled_from([0.0, 1.5])),
        language=draw(st.sampled_from([0.0, 0.5])),
        location=draw(st.sampled_from([0.0, 0.5])),
        prefer=draw(st.sampled_from([0.0, 2.0])),
    )
    matching = Matching(
        method=method,  # type: ignore[arg-type]
        weights=weights,
        rules=draw(rule_sets()),
        capacity=draw(st.integers(1, 2)),
        excluded=excluded,
    )
    return Roster(make_config(matching), tuple(people), history)


# --------------------------------------------------------------------------- files


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def availability_text(windows: Sequence[Window]) -> str:
    """Windows as the roster's availability text."""
    return "; ".join(f"{DAY_NAMES[w.day]} {_clock(w.start)}-{_clock(w.end)}" for w in windows)


def roster_csv(people: Sequence[Participant]) -> str:
    """The people as a roster CSV, rows in the order given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        cells: dict[str, object] = p.model_dump()
        row = []
        for column in COLUMNS:
            value = cells[column]
            if column == "availability":
                value = availability_text(p.availability)
            elif isinstance(value, tuple):
                value = ";".join(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row.append("" if value is None else str(value))
        writer.writerow(row)
    return out.getvalue()


def program_yaml(config: ProgramConfig) -> str:
    """program.yaml text for a config made by `make_config` (program, topics, matching)."""
    data = {
        "program": config.program.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        | {"timezone": config.program.timezone},
        "topics": [t.model_dump(mode="json", exclude_none=True) for t in config.topics],
        "matching": config.matching.model_dump(mode="json", exclude_defaults=True),
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def config_from(
    start: dt.date, end: dt.date, sections: Mapping[str, object] | None = None
) -> ProgramConfig:
    """A program config read from plain data, as program.yaml gives it: a bare
    `program:` section (T of O, led by L, from `start` to `end`) and `sections`."""
    program = {
        "name": "T",
        "organization": "O",
        "leader": {"name": "L"},
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return ProgramConfig.model_validate({"program": program, **(sections or {})})
