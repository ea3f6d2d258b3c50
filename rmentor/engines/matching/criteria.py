"""Scores and rules for blocks of mentee x mentor pairs, vectorised with numpy.

A `Block` is either a grid (some mentees x some mentors) or a list of pairs. Every
criterion returns a score in [0, 1]; every rule returns where it is broken. The
same functions serve the full problem (in chunks of rows), `explain` (one row) and
the breakdown of the chosen pairs (a list of pairs), so the three always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from ...model.config import ProgramConfig
from ...model.people import Participant
from .features import (
    SLOT_MINUTES,
    WEEK_SLOTS,
    BoolArray,
    Features,
    Float32Array,
    FloatArray,
    IntArray,
    Weeks,
)

CRITERIA: tuple[str, ...] = (
    "topics",
    "seniority",
    "generation",
    "department",
    "hours",
    "language",
    "location",
    "prefer",
)
# Hard rules in the order a feasibility report attributes an excluded candidate.
RULES: tuple[str, ...] = (
    "excluded",
    "avoid",
    "reporting_line",
    "history",
    "seniority",
    "gender",
    "shared_hours",
)
RULE_WORDS = {
    "excluded": "excluded pairs",
    "avoid": "avoid lists",
    "reporting_line": "reporting line",
    "history": "earlier cohorts",
    "seniority": "seniority",
    "gender": "gender rule",
    "shared_hours": "shared hours",
}

# Where each criterion's score reaches 1.
LEVELS_FOR_FULL = 4.0
HIRE_YEARS_FOR_FULL = 15.0
BIRTH_YEARS_FOR_FULL = 25.0
HOURS_FOR_FULL = 4.0
TRANSPOSE_COLS = 128  # columns added at once from a transposed product


@dataclass(frozen=True)
class Block:
    """Mentee rows and mentor columns: a grid (rows x cols) or pairs (rows[k], cols[k])."""

    rows: IntArray
    cols: IntArray
    grid: bool = True

    @classmethod
    def pairs(cls, rows: Sequence[int], cols: Sequence[int]) -> Block:
        """A block of individual pairs."""
        return cls(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), False)

    @property
    def shape(self) -> tuple[int, ...]:
        """(rows, cols) for a grid, (pairs,) otherwise."""
        return (len(self.rows), len(self.cols)) if self.grid else (len(self.rows),)

    def both(
        self, mentee_values: npt.NDArray[Any], mentor_values: npt.NDArray[Any]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Per-person values of both sides, shaped to broadcast over the block."""
        a, b = mentee_values[self.rows], mentor_values[self.cols]
        return (a[:, None], b[None, :]) if self.grid else (a, b)

    def dot(
        self, mentee_matrix: npt.NDArray[np.float32], mentor_matrix: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """Row-by-row inner products of two feature matrices over the block (float32:
        the products are small sums of small numbers, and half the memory traffic)."""
        a, b = mentee_matrix[self.rows], mentor_matrix[self.cols]
        if self.grid:
            return np.asarray(a @ b.T, dtype=np.float32)
        return np.asarray(np.einsum("ij,ij->i", a, b), dtype=np.float32)


@dataclass(frozen=True)
class Relation:
    """A sparse set of (mentee row, mentor column) pairs with a value each."""

    rows: IntArray
    cols: IntArray
    values: FloatArray
    n_cols: int

    @classmethod
    def of(cls, items: Mapping[tuple[int, int], float], n_cols: int) -> Relation:
        """Build from {(row, col): value}; the largest value wins on repeats."""
        keys = sorted(items)
        return cls(
            np.array([k[0] for k in keys], dtype=np.int64),
            np.array([k[1] for k in keys], dtype=np.int64),
            np.array([items[k] for k in keys], dtype=np.float64),
            n_cols,
        )

    def mask(self, block: Block, n_rows: int) -> BoolArray:
        """True over the block where the relation holds."""
        if not len(self.rows):
            return np.zeros(block.shape, dtype=np.bool_)
        return np.asarray(self.over(block, n_rows) > 0)

    def over(self, block: Block, n_rows: int) -> FloatArray:
        """The relation's values laid over a block (0 where absent)."""
        out = np.zeros(block.shape, dtype=np.float64)
        if not len(self.rows):
            return out
        if block.grid:
            row_pos = np.full(n_rows, -1, dtype=np.int64)
            row_pos[block.rows] = np.arange(len(block.rows))
            col_pos = np.full(self.n_cols, -1, dtype=np.int64)
            col_pos[block.cols] = np.arange(len(block.cols))
            r, c = row_pos[self.rows], col_pos[self.cols]
            keep = (r >= 0) & (c >= 0)
            out[r[keep], c[keep]] = self.values[keep]
            return out
        keys = self.rows * self.n_cols + self.cols  # sorted, as built
        wanted = block.rows * self.n_cols + block.cols
        at = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
        hit = keys[at] == wanted
        out[hit] = self.values[at[hit]]
        return out


@dataclass(frozen=True)
class Relations:
    """Everything between two people that the roster or program.yaml states."""

    prefer: Relation  # both sides' wishes, averaged: the `prefer` criterion
    mentee_wishes: Relation  # a mentee's own ranking of mentors (for stable matching)
    mentor_wishes: Relation  # a mentor's own ranking of mentees
    avoid: Relation
    excluded: Relation
    reporting_line: Relation
    history: Relation


def _chain(person: Participant, people: Mapping[str, Participant]) -> list[str]:
    """Everyone above a person, following managers (a cycle stops the walk)."""
    seen: list[str] = []
    current = person.manager
    while current is not None and current in people and current not in seen:
        if current == person.id:
            break
        seen.append(current)
        current = people[current].manager
    return seen


def build_relations(
    features: Features,
    everyone: Iterable[Participant],
    config: ProgramConfig,
    history: Iterable[tuple[str, str]] = (),
) -> Relations:
    """Prefer, avoid, excluded, reporting-line and history pairs as sparse relations."""
    mentees, mentors = features.mentees.index, features.mentors.index
    m = len(features.mentors)
    people = {p.id: p for p in everyone}

    def pair(a: str, b: str) -> tuple[int, int] | None:
        if a in mentees and b in mentors:
            return mentees[a], mentors[b]
        if b in mentees and a in mentors:
            return mentees[b], mentors[a]
        return None

    wishes: dict[str, dict[tuple[int, int], float]] = {"mentee": {}, "mentor": {}}
    avoid: dict[tuple[int, int], float] = {}
    line: dict[tuple[int, int], float] = {}
    for person in people.values():
        for rank, other in enumerate(person.prefer):
            key = pair(person.id, other)
            if key is not None:  # first choice 1, second 1/2, third 1/3 …
                wishes[person.role].setdefault(key, 1.0 / (rank + 1))
        for other in person.avoid:
            key = pair(person.id, other)
            if key is not None:
                avoid[key] = 1.0
        for boss in _chain(person, people):
            key = pair(person.id, boss)
            if key is not None:
                line[key] = 1.0
    excluded = {k: 1.0 for a, b in config.matching.excluded if (k := pair(a, b)) is not None}
    earlier = {k: 1.0 for a, b in history if (k := pair(a, b)) is not None}
    # A wish from one side is worth half a mutual one: "asked for each other" counts most.
    both = {
        k: (wishes["mentee"].get(k, 0.0) + wishes["mentor"].get(k, 0.0)) / 2
        for k in wishes["mentee"].keys() | wishes["mentor"].keys()
    }
    return Relations(
        prefer=Relation.of(both, m),
        mentee_wishes=Relation.of(wishes["mentee"], m),
        mentor_wishes=Relation.of(wishes["mentor"], m),
        avoid=Relation.of(avoid, m),
        excluded=Relation.of(excluded, m),
        reporting_line=Relation.of(line, m),
        history=Relation.of(earlier, m),
    )


def shared_hours(features: Features, block: Block) -> FloatArray:
    """Hours per week in which both people can hold whole sessions, in the program's
    worst regime (see `features`): the least, over the clock changes between the
    program's start and end, of the session time their shared stretches hold."""
    weeks = features.weeks
    ee, or_ = features.mentees, features.mentors
    sessions = _grid_sessions if block.grid else _pair_sessions
    worst = sessions(weeks, ee.week[0][block.rows], or_.week[0][block.cols])
    for r in range(1, len(features.regimes)):
        # Only pairs whose zones moved apart since the first regime can share other
        # hours now; pairs whose clocks moved together keep the first regime's figure.
        row_shift, col_shift = ee.shift[r][block.rows], or_.shift[r][block.cols]
        row_week, col_week = ee.week[r][block.rows], or_.week[r][block.cols]
        exact = not (row_shift % SLOT_MINUTES).any() and not (col_shift % SLOT_MINUTES).any()
        if not block.grid:
            moved = np.flatnonzero((row_shift != col_shift) | (not exact))
            now = _pair_sessions(weeks, row_week[moved], col_week[moved])
            worst[moved] = np.minimum(worst[moved], now)
        elif not exact:  # an offset off the quarter hour: measure every pair
            np.minimum(worst, _grid_sessions(weeks, row_week, col_week), out=worst)
        else:  # by how far the rows' zones moved, against the columns that moved otherwise
            for shift in np.unique(row_shift):
                rows = np.flatnonzero(row_shift == shift)
                cols = np.flatnonzero(col_shift != shift)
                if len(rows) and len(cols):
                    now = _grid_sessions(weeks, row_week[rows], col_week[cols])
                    at = np.ix_(rows, cols)
                    worst[at] = np.minimum(worst[at], now)
    return np.multiply(worst, np.float32(weeks.session_minutes / 60), out=worst)


def _pair_sessions(weeks: Weeks, a: IntArray, b: IntArray) -> npt.NDArray[np.float32]:
    """Whole sessions per week that patterns a[k] and b[k] share, pair by pair.

    Each shared stretch begins where one of the two begins while the other is free:
    where a's begins (whatever b did the slot before), or where b's begins inside a's.
    It holds the fewer of the sessions that fit from there in either.
    """
    total = np.zeros(len(a), dtype=np.float32)
    for k in range(weeks.starts.shape[1]):
        slot, count = weeks.starts[a, k], weeks.counts[a, k]
        total += np.minimum(count, weeks.fits[b, slot])
        slot, count = weeks.starts[b, k], weeks.counts[b, k]
        total += weeks.before[a, slot] * np.minimum(count, weeks.fits[a, slot])
    return total


def _grid_sessions(weeks: Weeks, a: IntArray, b: IntArray) -> npt.NDArray[np.float32]:
    """Whole sessions per week that every pattern of a shares with every one of b.

    As `_pair_sessions`, as two sparse products: a's stretch beginnings (slot and
    sessions, one-hot) times, per beginning, what each of b holds there; and the same
    the other way round, counted only inside a's stretches. Repeated patterns are
    measured once when that saves work.
    """
    ua, at_a = np.unique(a, return_inverse=True)
    ub, at_b = np.unique(b, return_inverse=True)
    if 0 < len(ua) * len(ub) * 2 <= len(a) * len(b):
        return _grid_sessions(weeks, ua, ub)[np.ix_(at_a.ravel(), at_b.ravel())]
    out = _beginnings(weeks, a, b, inside=False)
    other_way = _beginnings(weeks, b, a, inside=True)
    for lo in range(0, len(b), TRANSPOSE_COLS):  # a few columns at a time: cache-friendly
        out[:, lo : lo + TRANSPOSE_COLS] += other_way[lo : lo + TRANSPOSE_COLS].T
    return out


def _beginnings(weeks: Weeks, first: IntArray, other: IntArray, inside: bool) -> Float32Array:
    """Sessions held by shared stretches that begin where `first`'s stretches begin,
    summed per (first, other); `inside`: only where `other` was free the slot before."""
    rows, k = np.nonzero(weeks.counts[first])
    slots = weeks.starts[first][rows, k].astype(np.int64)
    counts = weeks.counts[first][rows, k].astype(np.int64)
    keys, column = np.unique(slots * (WEEK_SLOTS + 1) + counts, return_inverse=True)
    slot, count = keys // (WEEK_SLOTS + 1), keys % (WEEK_SLOTS + 1)
    onehot = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, column.ravel())),
        shape=(len(first), len(keys)),
    )
    at = (other[None, :], slot[:, None])
    held = np.minimum(weeks.fits[at], count[:, None].astype(np.int16)).astype(np.float32)
    if inside:
        held *= weeks.before[at]
    return np.asarray(onehot @ held, dtype=np.float32)


@dataclass(frozen=True)
class Gaps:
    """How much more senior the mentee is, on each basis (NaN where unknown)."""

    level: npt.NDArray[np.float32]
    hired: npt.NDArray[np.float32] | None  # None: every level is known, so never needed
    born: npt.NDArray[np.float32] | None

    def score(self) -> npt.NDArray[np.float32]:
        """Seniority score in [0, 1]: by level, else by hire date, else by birth year."""
        score = self.level / np.float32(LEVELS_FOR_FULL)
        if self.hired is None or self.born is None:  # every level known: no NaN
            return np.clip(score, 0.0, 1.0, out=score)
        if self.hired is not None and self.born is not None:
            score = np.where(
                np.isfinite(self.level),
                score,
                np.where(
                    np.isfinite(self.hired),
                    self.hired / np.float32(HIRE_YEARS_FOR_FULL),
                    self.born / np.float32(BIRTH_YEARS_FOR_FULL),
                ),
            )
        clipped: npt.NDArray[np.float32] = np.clip(np.nan_to_num(score, nan=0.0), 0.0, 1.0)
        return clipped.astype(np.float32)

    def too_small(self, min_gap: int) -> BoolArray:
        """Where the mentor is not the junior: by level (at least `min_gap`), else
        hired later, else born later. Where nothing is known the rule cannot object."""
        with np.errstate(invalid="ignore"):
            by_level = self.level < min_gap
            if self.hired is None or self.born is None:
                return np.asarray(by_level)
            return np.asarray(
                np.where(
                    np.isfinite(self.level),
                    by_level,
                    np.where(
                        np.isfinite(self.hired),
                        self.hired <= 0,
                        np.where(np.isfinite(self.born), self.born <= 0, False),
                    ),
                )
            )


def _f32(values: FloatArray) -> npt.NDArray[np.float32]:
    return values.astype(np.float32)


def seniority_gaps(features: Features, block: Block) -> Gaps:
    """The block's seniority gaps; hire dates and birth years only where levels are missing.

    float32 throughout: a gap of levels or years needs no more, and a 10,000-wide
    block moves half the bytes.
    """
    ee, or_ = features.mentees, features.mentors
    a, b = block.both(_f32(ee.level), _f32(or_.level))
    level = np.asarray(a - b)
    if np.isfinite(ee.level).all() and np.isfinite(or_.level).all():
        return Gaps(level, None, None)
    a, b = block.both(_f32(ee.hired), _f32(or_.hired))
    hired = np.broadcast_to(np.asarray(b - a), level.shape)
    a, b = block.both(_f32(ee.born), _f32(or_.born))
    born = np.broadcast_to(np.asarray(b - a), level.shape)
    return Gaps(level, hired, born)


def score_block(
    features: Features,
    relations: Relations,
    block: Block,
    criteria: Iterable[str] = CRITERIA,
    hours: FloatArray | None = None,
    gaps: Gaps | None = None,
) -> dict[str, npt.NDArray[Any]]:
    """Each asked criterion's score in [0, 1] over the block.

    `hours`: the block's shared hours, when the caller has them already.
    """
    ee, or_ = features.mentees, features.mentors
    n = len(ee)
    out: dict[str, npt.NDArray[Any]] = {}
    for name in criteria:
        if name == "topics":
            fit = block.dot(ee.topics, or_.topics)
            out[name] = np.minimum(fit, 1.0, out=fit)  # rank weights sum to 1
        elif name == "seniority":
            out[name] = (gaps or seniority_gaps(features, block)).score()
        elif name == "generation":
            a, b = block.both(_f32(ee.born), _f32(or_.born))
            gap = np.asarray(b - a) / np.float32(BIRTH_YEARS_FOR_FULL)
            if not (np.isfinite(ee.born).all() and np.isfinite(or_.born).all()):
                gap = np.nan_to_num(gap, nan=0.0, copy=False)
            out[name] = np.clip(gap, 0.0, 1.0, out=gap)
        elif name in ("department", "location"):
            a, b = block.both(getattr(ee, name), getattr(or_, name))
            known = (a >= 0) & (b >= 0)
            same = a == b
            differ = known & (~same if name == "department" else same)
            out[name] = np.asarray(differ)  # bool: weights multiply it directly
        elif name == "hours":
            if hours is None:
                hours = shared_hours(features, block)
            out[name] = np.minimum(hours / HOURS_FOR_FULL, 1.0)
        elif name == "language":
            out[name] = np.asarray(block.dot(ee.languages, or_.languages) > 0)
        elif name == "prefer":
            out[name] = relations.prefer.over(block, n)
        else:
            raise ValueError(f"unknown criterion {name}")
    return out


def rule_violations(
    features: Features,
    relations: Relations,
    config: ProgramConfig,
    block: Block,
    hours: FloatArray | None = None,
    gaps: Gaps | None = None,
) -> dict[str, BoolArray]:
    """Where each rule is broken over the block (whatever its mode)."""
    rules = config.matching.rules
    ee, or_ = features.mentees, features.mentors
    n = len(ee)
    out: dict[str, BoolArray] = {}
    out["excluded"] = relations.excluded.mask(block, n)
    out["avoid"] = relations.avoid.mask(block, n)
    out["reporting_line"] = relations.reporting_line.mask(block, n)
    out["history"] = relations.history.mask(block, n)
    out["seniority"] = (gaps or seniority_gaps(features, block)).too_small(rules.seniority.min_gap)
    a, b = block.both(ee.gender, or_.gender)
    known = (a >= 0) & (b >= 0)
    policy = rules.gender.policy
    if policy == "same":
        out["gender"] = np.asarray(known & (a != b))
    elif policy == "mixed":
        out["gender"] = np.asarray(known & (a == b))
    else:
        out["gender"] = np.zeros(block.shape, dtype=np.bool_)
    both_given = np.logical_and(*block.both(ee.has_availability, or_.has_availability))
    if hours is None:
        hours = shared_hours(features, block)
    short = hours < rules.shared_hours.min_hours
    out["shared_hours"] = np.asarray(both_given & short)
    return {k: np.broadcast_to(v, block.shape) for k, v in out.items()}


def rule_mode(config: ProgramConfig, rule: str) -> str:
    """`hard`, `soft` or `off` for a rule; excluded pairs are always hard."""
    if rule == "excluded":
        return "hard"
    return str(getattr(config.matching.rules, rule).mode)


def rule_penalty(config: ProgramConfig, rule: str) -> float:
    """The score a soft rule takes off a pair that breaks it."""
    return float(getattr(config.matching.rules, rule).penalty)
