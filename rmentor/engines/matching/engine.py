"""Matching a program: from the roster and the committed state to new pairings.

Pure: takes the loaded program and the previous `PairingState`, returns a
`MatchResult` (the new state, what changed, who is unpaired and why). The CLI
writes the state; nothing here touches a file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ...model.config import ProgramConfig
from ...model.pairings import Pairing, PairingState, Withdrawal, pair_id
from ...model.people import Participant
from .criteria import (
    CRITERIA,
    RULE_WORDS,
    RULES,
    Block,
    Relations,
    build_relations,
    rule_mode,
    rule_penalty,
    rule_violations,
    score_block,
    seniority_gaps,
    shared_hours,
)
from .features import BoolArray, Features, FloatArray, IntArray, build_features
from .reasons import reasons_for, round_hours
from .solver import assign, assign_candidates, blocking_pairs, stable_match, top_k

CHUNK_ROWS = 1024  # rows scored at once: bounds the temporary arrays per criterion
CHUNK_CELLS = 4_000_000  # cells scored at once when the matrix is not kept (sparse)
DENSE_LIMIT = 25_000_000  # mentees x mentor places solved exactly on the full matrix
CANDIDATES = 50  # sparse: best mentors per mentee, best mentees per mentor place
REPAIR_EDGES = 50_000_000  # sparse: most extra pairs offered to mentees left out
SCORE_DECIMALS = 6  # fixed point, so float noise never decides a tie

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Unmatched:
    """Someone without a partner, and why."""

    id: str
    role: str
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """What `match` (or `withdraw`) decided."""

    state: PairingState
    added: tuple[Pairing, ...]
    ended: tuple[Pairing, ...]
    unchanged: tuple[Pairing, ...]
    unmatched: tuple[Unmatched, ...]
    warnings: tuple[str, ...] = ()
    blocking: tuple[tuple[str, str], ...] | None = None  # stable method only

    @property
    def pairs(self) -> list[Pairing]:
        """The active pairs, in the state's order."""
        return sorted(self.state.active, key=lambda p: (p.mentee, p.mentor))

    @property
    def total_score(self) -> float:
        """Sum of the active pairs' scores."""
        return round(sum(p.score for p in self.state.active), 4)


@dataclass
class MatchingProblem:
    """The matching problem as arrays: people, features, relations, weights."""

    config: ProgramConfig
    features: Features
    relations: Relations
    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        config: ProgramConfig,
        people: Sequence[Participant],
        history: Iterable[tuple[str, str]] = (),
        everyone: Sequence[Participant] | None = None,
    ) -> MatchingProblem:
        """Arrays for the people who can be paired. `everyone` (default: `people`) also
        holds those who withdrew: a reporting line still runs through them."""
        mentees = [p for p in people if p.role == "mentee"]
        mentors = [p for p in people if p.role == "mentor"]
        features = build_features(config, mentees, mentors)
        relations = build_relations(features, everyone or people, config, history)
        weights = {
            c: float(getattr(config.matching.weights, c))
            for c in CRITERIA
            if getattr(config.matching.weights, c) > 0
        }
        return cls(config, features, relations, weights)

    def scores(self, block: Block) -> tuple[FloatArray, BoolArray, dict[str, BoolArray]]:
        """Weighted total (with soft penalties), hard-forbidden cells, and every rule's breaks."""
        hours = shared_hours(self.features, block)
        gaps = seniority_gaps(self.features, block)
        parts = score_block(self.features, self.relations, block, self.weights, hours, gaps)
        # Summed in float32 (half the memory traffic), then fixed to 6 decimals.
        acc = np.zeros(block.shape, dtype=np.float32)
        scale = sum(self.weights.values()) or 1.0
        for name, weight in self.weights.items():
            acc += parts[name] * np.float32(weight / scale)
        total = acc.astype(np.float64)
        del acc
        broken = rule_violations(self.features, self.relations, self.config, block, hours, gaps)
        forbidden = np.zeros(block.shape, dtype=np.bool_)
        for rule in RULES:
            mode = rule_mode(self.config, rule)
            if mode == "hard":
                forbidden |= broken[rule]
            elif mode == "soft":
                total -= rule_penalty(self.config, rule) * broken[rule]
        # Fixed point in place (np.round would allocate twice on a 10,000-wide block).
        np.multiply(total, 10.0**SCORE_DECIMALS, out=total)
        np.rint(total, out=total)
        np.divide(total, 10.0**SCORE_DECIMALS, out=total)
        return total, forbidden, broken

    def breakdown(self, rows: Sequence[int], cols: Sequence[int]) -> list[dict[str, float]]:
        """Each pair's score per criterion (weighted criteria only)."""
        block = Block.pairs(rows, cols)
        parts = score_block(self.features, self.relations, block, self.weights)
        return [
            {name: round(float(parts[name][k]), 4) for name in self.weights}
            for k in range(len(block.rows))
        ]

    def pairings(
        self, rows: Sequence[int], cols: Sequence[int], since: dt.date, locked: bool
    ) -> list[Pairing]:
        """New `Pairing`s for mentee rows and mentor columns, with their reasons."""
        if not len(rows):
            return []
        block = Block.pairs(rows, cols)
        hours = shared_hours(self.features, block)
        total, _, _ = self.scores(block)
        parts = score_block(self.features, self.relations, block, self.weights, hours)
        made = []
        for k, (row, col) in enumerate(zip(rows, cols, strict=True)):
            mentee = self.features.mentees.people[row]
            mentor = self.features.mentors.people[col]
            breakdown = {name: round(float(parts[name][k]), 4) for name in self.weights}
            made.append(
                Pairing(
                    mentor=mentor.id,
                    mentee=mentee.id,
                    score=round(float(total[k]), 4),
                    since=since,
                    breakdown=breakdown,
                    reasons=reasons_for(
                        breakdown, mentee, mentor, round_hours(float(hours[k])), self.config
                    ),
                    locked=locked,
                )
            )
        return made


def _excluded_by(broken: dict[str, BoolArray], config: ProgramConfig, k: int) -> Counter[str]:
    """Per hard rule, how many candidates of row k it excludes (first rule wins)."""
    counts: Counter[str] = Counter()
    taken = np.zeros(broken[RULES[0]].shape[1], dtype=np.bool_)
    for rule in RULES:
        if rule_mode(config, rule) != "hard":
            continue
        hit = broken[rule][k] & ~taken
        if hit.any():
            counts[rule] = int(hit.sum())
        taken |= broken[rule][k]
    return counts


def _because(counts: Counter[str]) -> str:
    """ "14 excluded by reporting line, 9 by seniority, 3 by shared hours" """
    parts = [f"{n} by {RULE_WORDS[rule]}" for rule, n in counts.items()]
    parts[0] = parts[0].replace(" by ", " excluded by ", 1)
    return ", ".join(parts)


def match(
    config: ProgramConfig,
    participants: Sequence[Participant],
    previous: PairingState,
    *,
    today: dt.date,
    rematch: bool = False,
    history: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> MatchResult:
    """Pair everyone without a partner, keeping the committed pairs (unless `rematch`).

    Locked pairs always hold. People who withdrew are never paired again.
    """
    gone = previous.withdrawn_ids()
    people = [p for p in participants if p.id not in gone]
    problem = MatchingProblem.build(config, people, history, everyone=participants)
    ee, or_ = problem.features.mentees, problem.features.mentors
    warnings: list[str] = []
    ended: list[Pairing] = []

    # 1. What holds: locked pairs, then the committed active pairs.
    fixed: dict[str, Pairing] = {}  # by mentee
    load = np.zeros(len(or_), dtype=np.int64)
    old_by_id = {p.id: p for p in previous.pairs}
    for mentor_id, mentee_id in sorted(config.matching.locked):
        if mentee_id not in ee.index or mentor_id not in or_.index:
            warnings.append(
                f"locked pair [{mentor_id}, {mentee_id}] names someone who is not "
                "on the roster or withdrew; it is ignored"
            )
            continue
        row, col = ee.index[mentee_id], or_.index[mentor_id]
        old = old_by_id.get(pair_id(mentor_id, mentee_id))
        if old is not None and old.active:
            fixed[mentee_id] = replace(old, locked=True)
        else:
            fixed[mentee_id] = problem.pairings([row], [col], today, locked=True)[0]
        load[col] += 1
    for old in sorted(previous.active, key=lambda p: (p.mentee, p.mentor)):
        if old.mentee in fixed and fixed[old.mentee].id == old.id:
            continue
        why = None
        if old.mentee not in ee.index or old.mentor not in or_.index:
            why = "no longer on the roster"
        elif old.mentee in fixed:
            why = "replaced by a locked pair"
        elif rematch:
            why = "rematch"
        elif load[or_.index[old.mentor]] >= or_.capacity[or_.index[old.mentor]]:
            why = "mentor's capacity was lowered"
        if why is not None:
            ended.append(replace(old, status="ended", ended=today, end_reason=why, locked=False))
            continue
        fixed[old.mentee] = replace(old, locked=False)
        load[or_.index[old.mentor]] += 1

    kept_rows = [ee.index[m] for m in sorted(fixed)]
    kept_cols = [or_.index[fixed[m].mentor] for m in sorted(fixed)]
    if kept_rows:
        _, _, broken = problem.scores(Block.pairs(kept_rows, kept_cols))
        for k, mentee_id in enumerate(sorted(fixed)):
            hard = [RULE_WORDS[r] for r in RULES if rule_mode(config, r) == "hard" and broken[r][k]]
            if hard:
                pair = fixed[mentee_id]
                warnings.append(
                    f"pair {pair.id} ({pair.mentor} with {pair.mentee}) breaks the "
                    f"{', '.join(hard)} rule; it is kept because it is "
                    f"{'locked' if pair.locked else 'committed'} "
                    "(use --rematch or withdraw to change it)"
                )

    # 2. Everyone else: score, check feasibility, solve.
    free_rows = np.array([i for i, p in enumerate(ee.people) if p.id not in fixed], dtype=np.int64)
    capacity = np.maximum(or_.capacity - load, 0)
    if len(free_rows) > int(capacity.sum()):
        warnings.append(
            f"{len(free_rows)} mentees to pair but only {int(capacity.sum())} free mentor places: "
            f"at least {len(free_rows) - int(capacity.sum())} will stay without a mentor"
        )
    dense = (
        len(free_rows) * int(capacity.sum()) <= DENSE_LIMIT or config.matching.method == "stable"
    )
    scan = _scan(problem, free_rows, capacity, dense, progress)

    unmatched: list[Unmatched] = []
    cols = np.arange(len(or_), dtype=np.int64)
    hopeless = np.flatnonzero(scan.eligible == 0)
    for start in range(0, len(hopeless), CHUNK_ROWS):
        rows = free_rows[hopeless[start : start + CHUNK_ROWS]]
        _, _, broken = problem.scores(Block(rows, cols))
        for k, row in enumerate(rows):
            counts = _excluded_by(broken, config, k)
            why = (
                f"0 eligible mentors: {_because(counts)}" if counts else "no mentors on the roster"
            )
            unmatched.append(Unmatched(ee.people[row].id, "mentee", why))

    blocking: tuple[tuple[str, str], ...] | None = None
    if progress is not None:
        progress("solving", 0, 1)
    if scan.total is not None and scan.forbidden is not None:
        if config.matching.method == "stable":
            chosen, blocked = _stable(problem, free_rows, scan.total, scan.forbidden, capacity)
            blocking = tuple((ee.people[free_rows[i]].id, or_.people[j].id) for i, j in blocked)
        else:
            chosen = assign(scan.total, capacity=capacity, forbidden=scan.forbidden)
    else:
        chosen = _solve_candidates(problem, free_rows, capacity, scan)
    if progress is not None:
        progress("solving", 1, 1)

    # 3. The new pairs, and who is still without a partner.
    new = problem.pairings(
        [int(free_rows[i]) for i, _ in chosen], [int(j) for _, j in chosen], today, locked=False
    )
    paired_rows = {int(i) for i, _ in chosen}
    for k, row in enumerate(free_rows):
        if k in paired_rows or scan.eligible[k] == 0:
            continue
        count = int(scan.eligible[k])
        if int(scan.full[k]) == count:
            why = f"all {count} eligible mentors are already paired up to their capacity"
        else:
            why = (
                f"{count} eligible mentors, but every one went to a mentee with fewer "
                "options or a better fit (not enough mentor places)"
            )
        unmatched.append(Unmatched(ee.people[row].id, "mentee", why))
    active = [*fixed.values(), *new]
    taken = Counter(p.mentor for p in active)
    for col, mentor in enumerate(or_.people):
        if taken[mentor.id]:
            continue
        if len(free_rows) and not scan.reachable[col]:
            why = "no eligible mentee among those still unpaired"
        else:
            why = "every mentee already has a mentor"
        unmatched.append(Unmatched(mentor.id, "mentor", why))

    return _result(previous, active, ended, unmatched, warnings, blocking, today)


@dataclass
class _Scan:
    """What one pass over all free mentee x mentor pairs found."""

    eligible: IntArray  # per free mentee: mentors no hard rule excludes
    full: IntArray  # per free mentee: of those, mentors without a free place
    reachable: BoolArray  # per mentor: some free mentee may pair with them
    total: FloatArray | None = None  # dense: the whole score matrix
    forbidden: BoolArray | None = None
    rows: IntArray | None = None  # sparse: candidate pairs and their scores
    cols: IntArray | None = None
    values: FloatArray | None = None


def _scan(
    problem: MatchingProblem,
    free_rows: IntArray,
    capacity: IntArray,
    dense: bool,
    progress: Progress | None,
) -> _Scan:
    """Score every free mentee against every mentor, a chunk of rows at a time.

    Dense: keep the whole matrix. Sparse (too large for memory): keep each mentee's
    best `CANDIDATES` mentors and each mentor's best `CANDIDATES` x capacity mentees,
    the candidate graph of MATCHING-NOTES (within ~0.01 % of the optimum).
    """
    n, m = len(free_rows), len(problem.features.mentors)
    cols = np.arange(m, dtype=np.int64)
    no_place = capacity == 0
    any_full = bool(no_place.any())
    eligible = np.zeros(n, dtype=np.int64)
    full = np.zeros(n, dtype=np.int64)
    reachable = np.zeros(m, dtype=np.bool_)
    total = np.zeros((n, m), dtype=np.float64) if dense else None
    forbidden = np.zeros((n, m), dtype=np.bool_) if dense else None
    by_mentee = _Candidates(m, CANDIDATES)
    by_mentor = _MentorBest(m, CANDIDATES * max(1, int(capacity.max(initial=1))))
    step = CHUNK_ROWS if dense else max(1, CHUNK_CELLS // max(m, 1))
    for start in range(0, n, step):
        block = Block(free_rows[start : start + step], cols)
        chunk_total, chunk_forbidden, _ = problem.scores(block)
        allowed = ~chunk_forbidden
        eligible[start : start + step] = np.count_nonzero(allowed, axis=1)
        if any_full:
            full[start : start + step] = np.count_nonzero(allowed & no_place, axis=1)
        reachable |= allowed.any(axis=0)
        if total is not None and forbidden is not None:
            total[start : start + step] = chunk_total
            forbidden[start : start + step] = chunk_forbidden
        else:
            if any_full:
                allowed &= ~no_place
            vals = np.where(allowed, chunk_total + _jitter(block), -np.inf)
            r, c = top_k(vals, CANDIDATES)
            by_mentee.add(r + start, c, vals[r, c])
            by_mentor.add(vals, start)
        if progress is not None:
            progress("scoring", min(start + step, n), n)
    if total is not None:
        return _Scan(eligible, full, reachable, total=total, forbidden=forbidden)
    by_mentor.prune()
    rows, cols_, values = by_mentee.merged(by_mentor.rows, by_mentor.cols, by_mentor.vals)
    return _Scan(eligible, full, reachable, rows=rows, cols=cols_, values=values)


def _jitter(block: Block) -> FloatArray:
    """A tiny, fixed tie-break per pair (below the scores' 6 decimals) for choosing
    candidates: with many equal scores, top-k by index alone would give everyone the
    same few candidates and leave most mentees without one."""
    rows = block.rows.astype(np.uint64)[:, None]
    cols = block.cols.astype(np.uint64)[None, :]
    mixed = (rows * np.uint64(2654435761) + cols * np.uint64(40503)) % np.uint64(1_000_003)
    return np.asarray(mixed, dtype=np.float64) * 1e-13


class _Candidates:
    """Candidate pairs collected chunk by chunk, as (row, column, score)."""

    def __init__(self, m: int, k: int) -> None:
        self.m, self.k = m, k
        self.parts: list[tuple[IntArray, IntArray, FloatArray]] = []

    def add(self, rows: IntArray, cols: IntArray, vals: FloatArray) -> None:
        self.parts.append((rows, cols, vals))

    def merged(
        self, rows: IntArray, cols: IntArray, vals: FloatArray
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """These candidates and the given ones, each pair once."""
        all_rows = np.concatenate([p[0] for p in self.parts] + [rows])
        all_cols = np.concatenate([p[1] for p in self.parts] + [cols])
        all_vals = np.concatenate([p[2] for p in self.parts] + [vals])
        key, first = np.unique(all_rows * self.m + all_cols, return_index=True)
        return key // self.m, key % self.m, all_vals[first]


_ANY = -1e300  # a threshold every allowed score passes and a forbidden one (-inf) fails


class _MentorBest:
    """Each mentor's best `k` mentees over all chunks, ties to the lower row.

    A threshold per mentor (its k-th best score so far) lets only the few cells that
    can still matter through, so a chunk costs one comparison, not a sort.
    """

    def __init__(self, m: int, k: int) -> None:
        self.m, self.k = m, k
        self.kth = np.full(m, _ANY)
        self.rows = np.zeros(0, dtype=np.int64)
        self.cols = np.zeros(0, dtype=np.int64)
        self.vals = np.zeros(0, dtype=np.float64)
        self.pending: list[tuple[IntArray, IntArray, FloatArray]] = []
        self.size = 0

    def add(self, vals: FloatArray, start: int) -> None:
        if not self.size and not len(self.rows):  # the first chunk sets the thresholds
            c, r = top_k(np.ascontiguousarray(vals.T), self.k)
            self.pending.append((r + start, c, vals[r, c]))
            self.size = len(r)
            self.prune()
            return
        r, c = np.nonzero(vals >= self.kth[None, :])
        self.pending.append((r + start, c, vals[r, c]))
        self.size += len(r)
        if self.size > 8 * self.m * self.k:
            self.prune()

    def prune(self) -> None:
        rows = np.concatenate([self.rows, *(p[0] for p in self.pending)])
        cols = np.concatenate([self.cols, *(p[1] for p in self.pending)])
        vals = np.concatenate([self.vals, *(p[2] for p in self.pending)])
        finite = np.isfinite(vals)
        rows, cols, vals = rows[finite], cols[finite], vals[finite]
        order = np.lexsort((rows, -vals, cols))
        rows, cols, vals = rows[order], cols[order], vals[order]
        rank = np.arange(len(cols)) - np.searchsorted(cols, cols, side="left")
        keep = rank < self.k
        self.rows, self.cols, self.vals = rows[keep], cols[keep], vals[keep]
        self.pending, self.size = [], 0
        last = rank[keep] == self.k - 1
        self.kth = np.full(self.m, _ANY)  # fewer than k so far: any allowed mentee counts
        self.kth[self.cols[last]] = self.vals[last]


def _solve_candidates(
    problem: MatchingProblem, free_rows: IntArray, capacity: IntArray, scan: _Scan
) -> list[tuple[int, int]]:
    """Solve on the candidate graph; then give every mentee it left unpaired all their
    allowed mentors and solve once more (the graph, not the rules, may have left them
    out). The second graph is bounded by `REPAIR_EDGES`."""
    assert scan.rows is not None
    assert scan.cols is not None
    assert scan.values is not None
    rows, cols, values = scan.rows, scan.cols, scan.values
    n, m = len(free_rows), len(problem.features.mentors)
    chosen = assign_candidates(rows, cols, values, n_rows=n, capacity=capacity)
    if len(chosen) == min(int((scan.eligible > 0).sum()), int(capacity.sum())):
        return chosen
    paired = np.zeros(n, dtype=np.bool_)
    paired[[i for i, _ in chosen]] = True
    left = np.flatnonzero(~paired & (scan.eligible > 0))
    left = left[: max(1, REPAIR_EDGES // max(m, 1))]
    extra_rows, extra_cols, extra_values = [rows], [cols], [values]
    step = max(1, CHUNK_CELLS // max(m, 1))
    for start in range(0, len(left), step):
        part = left[start : start + step]
        total, forbidden, _ = problem.scores(Block(free_rows[part], np.arange(m, dtype=np.int64)))
        r, c = np.nonzero(~forbidden & (capacity > 0)[None, :])
        extra_rows.append(part[r])
        extra_cols.append(c)
        extra_values.append(total[r, c])
    return assign_candidates(
        np.concatenate(extra_rows),
        np.concatenate(extra_cols),
        np.concatenate(extra_values),
        n_rows=n,
        capacity=capacity,
    )


def _stable(
    problem: MatchingProblem,
    free_rows: np.ndarray,
    total: FloatArray,
    forbidden: BoolArray,
    capacity: np.ndarray,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Deferred acceptance over preferences: each side's own `prefer` ranking first,
    then scores, then ids."""
    block = Block(free_rows, np.arange(total.shape[1]))
    n = len(problem.features.mentees)
    mentee_wish = problem.relations.mentee_wishes.over(block, n)
    mentor_wish = problem.relations.mentor_wishes.over(block, n)
    allowed = ~forbidden & (capacity > 0)[None, :]
    mentee_prefs: list[list[int]] = []
    for i in range(total.shape[0]):
        cand = np.flatnonzero(allowed[i])
        order = np.lexsort((cand, -total[i, cand], -mentee_wish[i, cand]))
        mentee_prefs.append([int(c) for c in cand[order]])
    mentor_prefs: list[list[int]] = []
    for j in range(total.shape[1]):
        cand = np.flatnonzero(allowed[:, j])
        order = np.lexsort((cand, -total[cand, j], -mentor_wish[cand, j]))
        mentor_prefs.append([int(c) for c in cand[order]])
    cap = [int(c) for c in capacity]
    chosen = stable_match(mentee_prefs, mentor_prefs, cap)
    return chosen, blocking_pairs(chosen, mentee_prefs, mentor_prefs, cap)


def _result(
    previous: PairingState,
    active: list[Pairing],
    ended: list[Pairing],
    unmatched: list[Unmatched],
    warnings: list[str],
    blocking: tuple[tuple[str, str], ...] | None,
    today: dt.date,
) -> MatchResult:
    before = {p.id: p for p in previous.active}
    now = {p.id: p for p in active}
    added = [p for i, p in sorted(now.items()) if i not in before]
    unchanged = [p for i, p in sorted(now.items()) if i in before]
    # Earlier history stays; a pair formed again replaces its old ended record.
    history = [p for p in previous.pairs if not p.active and p.id not in now]
    state = PairingState(
        pairs=tuple(sorted([*history, *ended, *active], key=lambda p: (p.mentee, p.mentor))),
        withdrawn=previous.withdrawn,
    )
    return MatchResult(
        state=state,
        added=tuple(added),
        ended=tuple(sorted(ended, key=lambda p: p.id)),
        unchanged=tuple(unchanged),
        unmatched=tuple(sorted(unmatched, key=lambda u: (u.role != "mentee", u.id))),
        warnings=tuple(warnings),
        blocking=blocking,
    )


def withdraw(
    config: ProgramConfig,
    participants: Sequence[Participant],
    previous: PairingState,
    person: str,
    *,
    today: dt.date,
    reason: str | None = None,
    history: Iterable[tuple[str, str]] = (),
) -> MatchResult:
    """End a person's pairs and re-pair their partners; every other pair stays as it is."""
    pairs = []
    for pair in previous.pairs:
        if pair.active and person in (pair.mentor, pair.mentee):
            pair = replace(
                pair,
                status="withdrawn",
                ended=today,
                end_reason=reason or f"{person} withdrew",
                locked=False,
            )
        pairs.append(pair)
    withdrawn = (*previous.withdrawn, Withdrawal(person, today, reason))
    state = PairingState(tuple(pairs), tuple(sorted(withdrawn, key=lambda w: w.person)))
    locked = tuple(pair for pair in config.matching.locked if person not in pair)
    if locked != config.matching.locked:
        matching = config.matching.model_copy(update={"locked": locked})
        config = config.model_copy(update={"matching": matching})
    result = match(config, participants, state, today=today, history=history)
    ended = tuple(
        p
        for p in state.pairs
        if p.status == "withdrawn" and p.ended == today and person in (p.mentor, p.mentee)
    )
    return replace(result, ended=ended + result.ended)
