"""Participants as arrays: what the scoring needs, one row per person, sorted by id.

Both sides (mentees and mentors) are sorted by id, so the same roster in any row
order gives the same arrays, and so the same pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from ...model.config import ProgramConfig, minutes_of_day
from ...model.people import Participant, Window
from ...text import fold

SLOT_MINUTES = 15
WEEK_SLOTS = 7 * 24 * 60 // SLOT_MINUTES  # 672 quarter hours in a week

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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
    hours: Float32Array  # availability as UTC quarter-hour slots of the reference week
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
    reference_monday: dt.date  # the week availability is laid out in (DST as then)


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
def _week_slots(
    zone: str, windows: tuple[Window, ...], day_start: int, day_end: int, monday: dt.date
) -> bytes:
    """Availability (local windows, clipped to the program's hours) as UTC slots."""
    tz = ZoneInfo(zone)
    utc_monday = dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)
    if not windows:  # no availability given: the program's hours, Monday to Friday
        windows = tuple(Window(day=d, start=day_start, end=day_end) for d in range(5))
    slots = np.zeros(WEEK_SLOTS, dtype=np.bool_)
    for w in windows:
        start, end = max(w.start, day_start), min(w.end, day_end)
        if end <= start:
            continue
        day = dt.datetime.combine(monday + dt.timedelta(days=w.day), dt.time(), tzinfo=tz)
        local_start = day + dt.timedelta(minutes=start)
        local_end = day + dt.timedelta(minutes=end)
        offset_start = (local_start - utc_monday).total_seconds() / 60
        offset_end = (local_end - utc_monday).total_seconds() / 60
        first = int(np.ceil(offset_start / SLOT_MINUTES))
        last = int(np.floor(offset_end / SLOT_MINUTES))
        for slot in range(first, last):
            slots[slot % WEEK_SLOTS] = True  # a week wraps around (Sunday night UTC)
    return slots.tobytes()


def _side(
    people: Sequence[Participant],
    config: ProgramConfig,
    topic_index: Mapping[str, int],
    vocab: Mapping[str, Mapping[str, int]],
    monday: dt.date,
    mentee_side: bool,
) -> Side:
    n = len(people)
    meetings = config.meetings
    day_start, day_end = minutes_of_day(meetings.day_start), minutes_of_day(meetings.day_end)
    topics = np.zeros((n, len(topic_index)), dtype=np.float32)
    languages = np.zeros((n, len(vocab["language"])), dtype=np.float32)
    hours = np.zeros((n, WEEK_SLOTS), dtype=np.float32)
    for row, person in enumerate(people):
        wanted = person.interests if mentee_side else person.skills
        known = [topic_index[t] for t in wanted if t in topic_index]
        if known:
            topics[row, known] = _rank_weights(len(known)) if mentee_side else 1.0
        for language in person.languages:
            languages[row, vocab["language"][fold(language)]] = 1.0
        hours[row] = np.frombuffer(
            _week_slots(
                person.timezone or config.program.timezone,
                person.availability,
                day_start,
                day_end,
                monday,
            ),
            dtype=np.bool_,
        )
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
        hours=hours,
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
    start = config.program.start
    monday = start - dt.timedelta(days=start.weekday())
    return Features(
        mentees=_side(mentees, config, topic_index, vocab, monday, mentee_side=True),
        mentors=_side(mentors, config, topic_index, vocab, monday, mentee_side=False),
        topic_ids=topic_ids,
        languages=tuple(sorted(vocab["language"])),
        reference_monday=monday,
    )
