"""A pair's weekly slot and its sessions: the schedule as data.

`engines.schedule` plans; `documents.calendar` writes .ics; `engines.status` and the
report read; `files.state` keeps it in state/schedule.toml. Times are timezone-aware
datetimes in the pair's anchor zone (the mentor's), so a session keeps its local time
across DST changes. Where the two people's clocks change on different dates and no one
weekly time suits every date, a pair has a slot per daylight-saving period
(`PairPlan.periods`); a period with no time inside both people's hours has no sessions,
its dates are skipped with `NO_COMMON_TIME`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .vocabulary import SessionKind

SessionStatus = Literal["planned", "cancelled"]

# The reason of a skipped date in a period without a time inside both people's hours.
NO_COMMON_TIME = "no time inside both people's hours"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Slot:
    """A pair's recurring weekly time: a weekday and a start, in the anchor zone."""

    weekday: int  # 0 = Monday
    start: dt.time
    zone: str
    # No time inside both people's hours: a placeholder (the mentor's first hours that
    # day), no session is held at it and its dates are skipped with NO_COMMON_TIME.
    fallback: bool = False

    def describe(self) -> str:
        """e.g. "Tue 10:00 (Europe/Berlin)"."""
        return f"{_DAYS[self.weekday]} {self.start:%H:%M} ({self.zone})"


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
    sequence: int = 0  # RFC 5545 SEQUENCE: bumped each time the session's event changes
    updated: dt.date | None = None  # when the session's event last changed (its DTSTAMP)
    moved_from: dt.date | None = None  # a holiday moved it here (on_holiday: next_free_day)
    # Outside someone's hours. Only files from older versions have such sessions: the
    # planner now leaves a date without common time unplaced (a skip) instead.
    fallback: bool = False
    # What the session's calendar event said when it was last written (a digest of
    # every property but SEQUENCE and DTSTAMP): any change bumps `sequence`.
    fingerprint: str = ""

    @property
    def key(self) -> tuple[str, int]:
        """(pair, number): what identifies a session across runs."""
        return (self.pair, self.number)


@dataclass(frozen=True)
class PairPlan:
    """A pair's slot and sessions.

    `slot` is the pair's regular time: the one slot of the whole season, or, with
    `periods`, the first period's that has a common time (a `fallback` slot only when
    no period has one). `periods` is empty when one slot holds all season; else each
    daylight-saving period's first day and its slot, in date order, the first from the
    first session day. A `fallback` period has no sessions.
    """

    pair: str
    mentor: str
    mentee: str
    slot: Slot
    sessions: tuple[Session, ...] = ()
    periods: tuple[tuple[dt.date, Slot], ...] = ()

    @property
    def slots(self) -> tuple[Slot, ...]:
        """Every slot the pair has: `slot` alone, or each period's."""
        return tuple(s for _, s in self.periods) if self.periods else (self.slot,)

    @property
    def unplaced(self) -> bool:
        """Some dates have no time inside both people's hours (no session on them)."""
        return any(s.fallback for s in self.slots)

    def slot_on(self, day: dt.date) -> Slot:
        """The slot in force on `day` (the first period's before it starts)."""
        chosen = self.periods[0][1] if self.periods else self.slot
        for start, slot in self.periods:
            if start <= day:
                chosen = slot
        return chosen

    def describe(self) -> str:
        """e.g. "Tue 15:00 (Europe/Berlin)", or with periods "Tue 15:00; from 2027-03-14
        Tue 16:00; from 2027-03-28 Tue 15:00 (Europe/Berlin)"."""
        if not self.periods:
            return self.slot.describe()
        parts = []
        for k, (start, slot) in enumerate(self.periods):
            when = (
                "no common time" if slot.fallback else f"{_DAYS[slot.weekday]} {slot.start:%H:%M}"
            )
            parts.append(when if k == 0 else f"from {start} {when}")
        return f"{'; '.join(parts)} ({self.slot.zone})"


@dataclass(frozen=True)
class Skip:
    """A date a session could not be held, and why (holiday, blackout, NO_COMMON_TIME)."""

    pair: str
    date: dt.date
    reason: str


@dataclass(frozen=True)
class MilestoneEvent:
    """A milestone's calendar event as last written: kept after the milestone leaves
    program.yaml, so that calendars can cancel it."""

    key: str  # its id, else its name's slug: what its UID is made of
    name: str
    date: dt.date
    time: dt.time | None = None
    duration_minutes: int | None = None
    kind: str = "other"
    audience: str = "everyone"
    description: str = ""
    status: SessionStatus = "planned"
    sequence: int = 0
    updated: dt.date | None = None
    fingerprint: str = ""


@dataclass(frozen=True)
class Schedule:
    """Every pair's plan, and what the calendars last said of the milestones.

    `uid_domain` is fixed by the first `schedule` (`<program slug>.rmentor`) and kept,
    so renaming the program changes no event's UID.
    """

    plans: tuple[PairPlan, ...] = ()
    skipped: tuple[Skip, ...] = field(default=())
    uid_domain: str = ""
    milestones: tuple[MilestoneEvent, ...] = ()

    @property
    def sessions(self) -> list[Session]:
        """All sessions, by start then pair."""
        return sorted(
            (s for p in self.plans for s in p.sessions), key=lambda s: (s.start, s.pair, s.number)
        )

    def plan(self, pair: str) -> PairPlan | None:
        """One pair's plan."""
        return self._plans.get(pair)

    def skips(self, pair: str) -> tuple[Skip, ...]:
        """The dates one pair has no session on, and why."""
        return self._skips.get(pair, ())

    # Indexes built on first use: documents ask for every pair's plan and skips.
    @cached_property
    def _plans(self) -> dict[str, PairPlan]:
        found: dict[str, PairPlan] = {}
        for plan in self.plans:
            found.setdefault(plan.pair, plan)
        return found

    @cached_property
    def _skips(self) -> dict[str, tuple[Skip, ...]]:
        found: dict[str, list[Skip]] = {}
        for skip in self.skipped:
            found.setdefault(skip.pair, []).append(skip)
        return {pair: tuple(items) for pair, items in found.items()}
