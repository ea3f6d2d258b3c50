"""Meeting sessions and milestones: the schedule's data, and state/schedule.toml.

`schedule.py` plans; `calendar.py` writes .ics; `status.py` and the report read.
All of them share these records. Times are timezone-aware datetimes in the pair's
anchor zone (the mentor's), so a session keeps its local time across DST changes.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import tomli_w

from ..errors import InvalidProgram, Location, error
from ..files.output import write_text_atomic
from ..files.state import STATE_DIR

SCHEDULE_FILE = f"{STATE_DIR}/schedule.toml"
FORMAT_VERSION = 1
HEADER = (
    "# Written by `rmentor schedule`; commit it with the program.\n"
    "# Sessions on or before the day of a run, and every logged one, never move.\n\n"
)

SessionStatus = Literal["planned", "cancelled"]


@dataclass(frozen=True)
class Slot:
    """A pair's recurring weekly time: a weekday and a start, in the anchor zone."""

    weekday: int  # 0 = Monday
    start: dt.time
    zone: str
    fallback: bool = False  # no time inside both people's hours: the default was used

    def describe(self) -> str:
        """e.g. "Tue 10:00 (Europe/Berlin)"."""
        day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[self.weekday]
        return f"{day} {self.start:%H:%M} ({self.zone})"


@dataclass(frozen=True)
class Session:
    """One meeting of a pair."""

    pair: str
    number: int
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    theme: str
    topics: tuple[str, ...] = ()  # topic ids for this session's agenda
    status: SessionStatus = "planned"
    sequence: int = 0  # RFC 5545 SEQUENCE: bumped each time the session moves
    updated: dt.date | None = None  # when the session was last planned or moved
    moved_from: dt.date | None = None  # a holiday moved it here (on_holiday: next_free_day)
    fallback: bool = False  # outside someone's hours: no common slot was found

    @property
    def key(self) -> tuple[str, int]:
        """(pair, number): what identifies a session across runs."""
        return (self.pair, self.number)

    def to_toml(self) -> dict[str, Any]:
        """The session's table in schedule.toml."""
        table: dict[str, Any] = {
            "number": self.number,
            "start": self.start,
            "end": self.end,
            "theme": self.theme,
            "topics": list(self.topics),
            "status": self.status,
            "sequence": self.sequence,
        }
        if self.updated is not None:
            table["updated"] = self.updated
        if self.moved_from is not None:
            table["moved_from"] = self.moved_from
        if self.fallback:
            table["fallback"] = True
        return table


@dataclass(frozen=True)
class PairPlan:
    """A pair's slot and sessions."""

    pair: str
    mentor: str
    mentee: str
    slot: Slot
    sessions: tuple[Session, ...] = ()


@dataclass(frozen=True)
class Skip:
    """A date a session could not be held, and why (holiday, blackout)."""

    pair: str
    date: dt.date
    reason: str


@dataclass(frozen=True)
class Schedule:
    """Every pair's plan."""

    plans: tuple[PairPlan, ...] = ()
    skipped: tuple[Skip, ...] = field(default=())

    @property
    def sessions(self) -> list[Session]:
        """All sessions, by start then pair."""
        return sorted(
            (s for p in self.plans for s in p.sessions), key=lambda s: (s.start, s.pair, s.number)
        )

    def plan(self, pair: str) -> PairPlan | None:
        """One pair's plan."""
        return next((p for p in self.plans if p.pair == pair), None)

    def to_text(self) -> str:
        """schedule.toml's text: pairs by id, sessions by number."""
        document: dict[str, Any] = {"version": FORMAT_VERSION, "pairs": {}}
        for plan in sorted(self.plans, key=lambda p: p.pair):
            document["pairs"][plan.pair] = {
                "mentor": plan.mentor,
                "mentee": plan.mentee,
                "slot": {
                    "weekday": plan.slot.weekday,
                    "start": plan.slot.start,
                    "zone": plan.slot.zone,
                    "fallback": plan.slot.fallback,
                },
                "sessions": [s.to_toml() for s in sorted(plan.sessions, key=lambda s: s.number)],
            }
        if self.skipped:
            document["skipped"] = [
                {"pair": s.pair, "date": s.date, "reason": s.reason}
                for s in sorted(self.skipped, key=lambda s: (s.pair, s.date))
            ]
        return HEADER + tomli_w.dumps(document)


def _aware(value: Any, zone: str) -> dt.datetime:
    """A TOML offset datetime back in the pair's zone (same instant)."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"`{value}` is not a date and time with an offset")
    return value.astimezone(ZoneInfo(zone))


def parse_schedule(text: str, name: str = SCHEDULE_FILE) -> Schedule:
    """Read schedule.toml text; raises InvalidProgram with the line of a bad entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidProgram([error(Location(name, 1, 1), f"TOML: {exc}")]) from None
    plans: list[PairPlan] = []
    skipped: list[Skip] = []
    try:
        for pair, table in sorted((data.get("pairs") or {}).items()):
            zone = str(table["slot"]["zone"])
            slot = Slot(
                weekday=int(table["slot"]["weekday"]),
                start=table["slot"]["start"],
                zone=zone,
                fallback=bool(table["slot"].get("fallback", False)),
            )
            sessions = tuple(
                Session(
                    pair=pair,
                    number=int(s["number"]),
                    start=_aware(s["start"], zone),
                    end=_aware(s["end"], zone),
                    theme=str(s.get("theme", "")),
                    topics=tuple(str(t) for t in s.get("topics", ())),
                    status=s.get("status", "planned"),
                    sequence=int(s.get("sequence", 0)),
                    updated=s.get("updated"),
                    moved_from=s.get("moved_from"),
                    fallback=bool(s.get("fallback", False)),
                )
                for s in table.get("sessions", ())
            )
            plans.append(PairPlan(pair, str(table["mentor"]), str(table["mentee"]), slot, sessions))
        for item in data.get("skipped", ()):
            skipped.append(Skip(str(item["pair"]), item["date"], str(item["reason"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProgram(
            [error(Location(name, 1, 1), f"schedule file is incomplete or wrong: {exc}")]
        ) from None
    return Schedule(tuple(plans), tuple(skipped))


def read_schedule(folder: Path) -> Schedule:
    """state/schedule.toml, or an empty schedule when there is none yet."""
    path = folder / SCHEDULE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Schedule()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProgram(
            [error(Location(SCHEDULE_FILE, 1, 1), f"cannot read: {exc}")]
        ) from None
    return parse_schedule(text)


def write_schedule(folder: Path, schedule: Schedule) -> bool:
    """Write state/schedule.toml atomically; False when nothing changed."""
    return write_text_atomic(folder / SCHEDULE_FILE, schedule.to_text())
