"""A pair's weekly slot and its sessions: the schedule as data.

`engines.schedule` plans; `documents.calendar` writes .ics; `engines.status` and the
report read; `files.state` keeps it in state/schedule.toml. Times are timezone-aware
datetimes in the pair's anchor zone (the mentor's), so a session keeps its local time
across DST changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .vocabulary import SessionKind

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
    kind: SessionKind = "teaching"  # what the session is for (its agenda follows)
    status: SessionStatus = "planned"
    sequence: int = 0  # RFC 5545 SEQUENCE: bumped each time the session moves
    updated: dt.date | None = None  # when the session was last planned or moved
    moved_from: dt.date | None = None  # a holiday moved it here (on_holiday: next_free_day)
    fallback: bool = False  # outside someone's hours: no common slot was found

    @property
    def key(self) -> tuple[str, int]:
        """(pair, number): what identifies a session across runs."""
        return (self.pair, self.number)


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
