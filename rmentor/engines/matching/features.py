"""Participants as arrays: what the scoring needs, one row per person, sorted by id.

Both sides (mentees and mentors) are sorted by id, so the same roster in any row
order gives the same arrays, and so the same pairs.

Shared hours hold all season: the clocks of two people's zones may change on different
days, or in opposite directions (Sydney and Dublin), so a program has several *regimes*,
spans of days in which every zone on the roster keeps one UTC offset. Each person's
weekly availability is laid out in UTC once per offset their zone takes during the
program (a *pattern*, shared by everyone with the same windows and offset), and
`criteria.shared_hours` takes the worst regime. Within a regime, a shared stretch
counts the whole sessions (`meetings.duration_minutes`) that fit in it, so each
pattern keeps, per quarter hour, how many sessions fit from there to the end of the
person's free stretch.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from ...model.config import ProgramConfig, minutes_of_day
from ...model.people import Participant, Window
from ...text import fold

SLOT_MINUTES = 15
WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES  # 672 quarter hours in a week

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Int16Array = npt.NDArray[np.int16]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Regime:
    """A span of the program's days in which no zone on the roster changes its clock.

    Regimes whose offsets differ only by one amount for every zone are the same
    regime for shared hours (everyone moved together), and are kept once.
    """

    first_day: dt.date  # the first day it holds
    offsets: Mapping[str, int]  # zone -> UTC offset in minutes


@dataclass(frozen=True, eq=False)
class Weeks:
    """Weekly availability patterns in UTC, one row per distinct (windows, UTC offset).

    A pattern's free time is whole quarter hours of the week (slots, Monday 00:00 UTC
    first), read round the week's end. A *stretch* is a run of free slots; it begins
    where the slot before is not free (a pattern free all week begins at slot 0).
    """

    fits: Int16Array  # patterns x slots: sessions that fit from here to its stretch's end
    before: BoolArray  # patterns x slots: the slot before is free (inside a stretch)
    starts: Int16Array  # patterns x k: slots where a stretch holding a session begins
    counts: Int16Array  # patterns x k: sessions that stretch holds (0: padding)
    session_minutes: int


@dataclass(frozen=True, eq=False)
class Side:
    """One role's people as arrays, in id order."""

    people: tuple[Participant, ...]
    index: Mapping[str, int]
    level: FloatArray  # NaN where unknown
    hired: FloatArray  # years (fractional) since year 0; NaN where unknown
    born: FloatArray  # birth year; NaN where unknown
    department: IntArray  # code, -1 where unknown
    location: IntArray
    gender: IntArray
    languages: Float32Array  # one-hot, people x languages
    topics: Float32Array  # mentors: skills 0/1; mentees: interests weighted by rank, sum 1
    week: IntArray  # regimes x people: the row of `Features.weeks` each person has then
    shift: IntArray  # regimes x people: their zone's UTC offset less its first regime's
    has_availability: BoolArray
    capacity: IntArray  # mentees a mentor takes (1 for mentees)

    @property
    def ids(self) -> list[str]:
        """Ids in row order."""
        return [p.id for p in self.people]

    def __len__(self) -> int:
        return len(self.people)


@dataclass(frozen=True, eq=False)
class Features:
    """Both sides, plus the vocabularies their codes refer to."""

    mentees: Side
    mentors: Side
    topic_ids: tuple[str, ...]
    languages: tuple[str, ...]
    reference_monday: dt.date  # the Monday of the program's first week
    weeks: Weeks  # availability patterns in UTC, as `Side.week` points into them
    regimes: tuple[Regime, ...]  # the first is the one the program starts in


def _codes(values: Sequence[str | None], vocabulary: Mapping[str, int]) -> IntArray:
    return np.array([vocabulary.get(fold(v), -1) if v else -1 for v in values], dtype=np.int64)


def _vocabulary(values: Sequence[str | None]) -> dict[str, int]:
    return {v: i for i, v in enumerate(sorted({fold(v) for v in values if v}))}


def _rank_weights(n: int) -> npt.NDArray[np.float32]:
    # A person's first interest counts most: 1, 1/2, 1/3 … normalised to sum 1, so
    # topic fit is the share of what the mentee wants that the mentor can teach.
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float32)
    return np.asarray(weights / weights.sum(), dtype=np.float32)


@cache
def offset_periods(zone: str, start: dt.date, end: dt.date) -> tuple[tuple[dt.date, int], ...]:
    """A zone's UTC offset (minutes, at local noon) over the days start..end, as
    (first day, offset) for each run of days with one offset. Cached per zone and program."""
    tz = ZoneInfo(zone)
    periods: list[tuple[dt.date, int]] = []
    day = start
    while True:
        offset = dt.datetime.combine(day, dt.time(12), tzinfo=tz).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        if not periods or periods[-1][1] != minutes:
            periods.append((day, minutes))
        day += dt.timedelta(days=1)
        if day > end:
            return tuple(periods)


def find_regimes(zones: Iterable[str], start: dt.date, end: dt.date) -> tuple[Regime, ...]:
    """The program's regimes for these zones, in order of their first day; regimes in
    which every zone keeps the same offsets relative to the others are kept once."""
    zones = sorted(set(zones))
    if not zones:
        return (Regime(start, {}),)
    periods = {z: offset_periods(z, start, end) for z in zones}
    days = sorted({day for p in periods.values() for day, _ in p})
    found: dict[tuple[int, ...], Regime] = {}
    for day in days:
        offsets = {}
        for zone, runs in periods.items():
            at = bisect_right([d for d, _ in runs], day) - 1
            offsets[zone] = runs[at][1]
        key = tuple(offsets[z] - offsets[zones[0]] for z in zones)
        found.setdefault(key, Regime(day, offsets))
    return tuple(found.values())


Span = tuple[int, int, int]  # a window as (day, start, end) in local minutes


class Patterns:
    """Distinct (windows, UTC offset) pairs, numbered as people are met, and their
    free slots of the UTC week."""

    def __init__(self) -> None:
        self.windows: dict[tuple[Span, ...], int] = {}
        self.index: dict[tuple[int, int], int] = {}

    def windows_of(self, availability: tuple[Window, ...]) -> int:
        """A number for these windows (the same windows, the same number)."""
        spans = tuple((w.day, w.start, w.end) for w in availability)
        return self.windows.setdefault(spans, len(self.windows))

    def of(self, windows: int, offset: int) -> int:
        """The pattern of these windows in a zone at this UTC offset (minutes)."""
        return self.index.setdefault((windows, offset), len(self.index))

    def free(self, day_start: int, day_end: int) -> BoolArray:
        """Each pattern's availability, clipped to the program's hours, as the whole UTC
        slots inside it; no availability given: the program's hours, Monday to Friday."""
        weekdays = tuple((d, day_start, day_end) for d in range(5))
        spans = [spans or weekdays for spans in self.windows]
        row, minute, length = [], [], []
        for (windows, offset), at in self.index.items():
            for day, start, end in spans[windows]:
                start, end = max(start, day_start), min(end, day_end)
                if end > start:
                    row.append(at)
                    minute.append(day * 1440 + start - offset)
                    length.append(end - start)
        rows = np.array(row, dtype=np.int64)
        utc, span = np.array(minute, dtype=np.int64), np.array(length, dtype=np.int64)
        first = -(utc // -SLOT_MINUTES)  # the first whole slot
        count = np.maximum((utc + span) // SLOT_MINUTES - first, 0)  # at most a day
        edges = np.zeros((len(self.index), 2 * WEEK_SLOTS + 1), dtype=np.int16)
        np.add.at(edges, (rows, first % WEEK_SLOTS), 1)
        np.add.at(edges, (rows, first % WEEK_SLOTS + count), -1)
        covered = np.cumsum(edges, axis=1, dtype=np.int16)[:, : 2 * WEEK_SLOTS] > 0
        return np.asarray(covered[:, :WEEK_SLOTS] | covered[:, WEEK_SLOTS:])  # round the week


ROWS_AT_ONCE = 2048  # patterns measured at once (bounds the temporaries)


def measure_weeks(free: BoolArray, session_minutes: int) -> Weeks:
    """Each pattern's stretches, and the whole sessions that fit from every free slot on."""
    n = len(free)
    session_minutes = max(1, session_minutes)
    fits = np.zeros((n, WEEK_SLOTS), dtype=np.int16)
    before = np.roll(free, 1, axis=1)
    everywhere: BoolArray = np.all(free, axis=1)
    before[everywhere, 0] = False  # free all week: one stretch, from Monday 00:00 UTC
    position = np.arange(2 * WEEK_SLOTS, dtype=np.int16)
    left = np.int16(WEEK_SLOTS) - position[:WEEK_SLOTS]
    for lo in range(0, n, ROWS_AT_ONCE):
        rows = free[lo : lo + ROWS_AT_ONCE]
        twice = np.concatenate([rows, rows], axis=1)  # a stretch may run past Sunday night
        busy_at = np.where(twice, np.int16(2 * WEEK_SLOTS), position)
        next_busy = np.minimum.accumulate(busy_at[:, ::-1], axis=1)[:, ::-1][:, :WEEK_SLOTS]
        run = (next_busy - position[:WEEK_SLOTS]).astype(np.int32)
        run[everywhere[lo : lo + ROWS_AT_ONCE]] = left
        fits[lo : lo + ROWS_AT_ONCE] = run * SLOT_MINUTES // session_minutes
    begins = free & ~before & (fits > 0)
    row, slot = np.nonzero(begins)  # row-major: each row's slots in order
    per_row = np.bincount(row, minlength=n)
    k = max(1, int(per_row.max(initial=0)))
    rank = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    starts = np.zeros((n, k), dtype=np.int16)
    counts = np.zeros((n, k), dtype=np.int16)
    starts[row, rank] = slot
    counts[row, rank] = fits[row, slot]
    return Weeks(fits, before, starts, counts, session_minutes)


def _side(
    people: Sequence[Participant],
    config: ProgramConfig,
    topic_index: Mapping[str, int],
    vocab: Mapping[str, Mapping[str, int]],
    regimes: Sequence[Regime],
    patterns: Patterns,
    mentee_side: bool,
) -> Side:
    n = len(people)
    topics = np.zeros((n, len(topic_index)), dtype=np.float32)
    languages = np.zeros((n, len(vocab["language"])), dtype=np.float32)
    week = np.zeros((len(regimes), n), dtype=np.int64)
    shift = np.zeros((len(regimes), n), dtype=np.int64)
    for row, person in enumerate(people):
        wanted = person.interests if mentee_side else person.skills
        known = [topic_index[t] for t in wanted if t in topic_index]
        if known:
            topics[row, known] = _rank_weights(len(known)) if mentee_side else 1.0
        for language in person.languages:
            languages[row, vocab["language"][fold(language)]] = 1.0
        zone = person.timezone or config.program.timezone
        windows = patterns.windows_of(person.availability)
        for r, regime in enumerate(regimes):
            offset = regime.offsets[zone]
            week[r, row] = patterns.of(windows, offset)
            shift[r, row] = offset - regimes[0].offsets[zone]
    default_capacity = config.matching.capacity
    return Side(
        people=tuple(people),
        index={p.id: i for i, p in enumerate(people)},
        level=np.array([np.nan if p.level is None else p.level for p in people], dtype=float),
        hired=np.array(
            [np.nan if p.hire_date is None else p.hire_date.toordinal() / 365.2425 for p in people],
            dtype=float,
        ),
        born=np.array(
            [np.nan if p.birth_year is None else p.birth_year for p in people], dtype=float
        ),
        department=_codes([p.department for p in people], vocab["department"]),
        location=_codes([p.location for p in people], vocab["location"]),
        gender=_codes([p.gender for p in people], vocab["gender"]),
        languages=languages,
        topics=topics,
        week=week,
        shift=shift,
        has_availability=np.array([bool(p.availability) for p in people], dtype=np.bool_),
        capacity=np.array(
            [1 if mentee_side else (p.capacity or default_capacity) for p in people],
            dtype=np.int64,
        ),
    )


def build_features(
    config: ProgramConfig, mentees: Sequence[Participant], mentors: Sequence[Participant]
) -> Features:
    """Arrays for both sides; each side sorted by id (the total order for ties)."""
    mentees = sorted(mentees, key=lambda p: p.id)
    mentors = sorted(mentors, key=lambda p: p.id)
    everyone = [*mentees, *mentors]
    topic_ids = tuple(t.id for t in config.topics)
    topic_index = {t: i for i, t in enumerate(topic_ids)}
    vocab = {
        "department": _vocabulary([p.department for p in everyone]),
        "location": _vocabulary([p.location for p in everyone]),
        "gender": _vocabulary([p.gender for p in everyone]),
        "language": _vocabulary([lang for p in everyone for lang in p.languages]),
    }
    info, meetings = config.program, config.meetings
    zones = {p.timezone or info.timezone for p in everyone}
    regimes = find_regimes(zones, info.start, info.end)
    patterns = Patterns()
    ee = _side(mentees, config, topic_index, vocab, regimes, patterns, mentee_side=True)
    or_ = _side(mentors, config, topic_index, vocab, regimes, patterns, mentee_side=False)
    day_start, day_end = minutes_of_day(meetings.day_start), minutes_of_day(meetings.day_end)
    start = info.start
    return Features(
        mentees=ee,
        mentors=or_,
        topic_ids=topic_ids,
        languages=tuple(sorted(vocab["language"])),
        reference_monday=start - dt.timedelta(days=start.weekday()),
        weeks=measure_weeks(patterns.free(day_start, day_end), meetings.duration_minutes),
        regimes=regimes,
    )
