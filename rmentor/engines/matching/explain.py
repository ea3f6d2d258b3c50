"""Why a person got their partner: the score per criterion, the rules, the alternatives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import NoPairs, RmentorError
from ...model.config import ProgramConfig
from ...model.pairings import Pairing, PairingState
from ...model.people import Participant
from ...text import fold, suggest
from .criteria import CRITERIA, RULE_WORDS, RULES, Block, rule_mode
from .engine import MatchingProblem

ALTERNATIVES = 3


@dataclass(frozen=True)
class Line:
    """One criterion of a pair's score."""

    criterion: str
    weight: float
    score: float

    @property
    def points(self) -> float:
        """The criterion's share of the total score."""
        return self.weight * self.score


@dataclass(frozen=True)
class Alternative:
    """Someone else the person could have been paired with, and why they were not."""

    id: str
    name: str
    score: float
    why_not: str


@dataclass(frozen=True)
class Explanation:
    """Everything `rmentor explain` says about one person's pairing (or its absence)."""

    person: Participant
    partner: Participant | None
    pair: Pairing | None
    lines: tuple[Line, ...]
    rules: tuple[tuple[str, str, bool], ...]  # (rule, mode, satisfied)
    alternatives: tuple[Alternative, ...]

    def to_json(self) -> dict[str, object]:
        """The `explain --json` form."""
        return {
            "person": self.person.id,
            "partner": self.partner.id if self.partner else None,
            "pair": self.pair.id if self.pair else None,
            "score": self.pair.score if self.pair else None,
            "reasons": list(self.pair.reasons) if self.pair else [],
            "breakdown": [
                {
                    "criterion": x.criterion,
                    "weight": x.weight,
                    "score": x.score,
                    "points": round(x.points, 4),
                }
                for x in self.lines
            ],
            "rules": [{"rule": r, "mode": m, "satisfied": ok} for r, m, ok in self.rules],
            "alternatives": [
                {"id": a.id, "score": a.score, "why_not": a.why_not} for a in self.alternatives
            ],
        }


def explain(
    config: ProgramConfig,
    participants: Sequence[Participant],
    state: PairingState,
    target: str,
    history: Iterable[tuple[str, str]] = (),
) -> list[Explanation]:
    """Explanations for a pair id or a person id (one per active pair of that person)."""
    by_id = {p.id: p for p in state.pairs}
    people = {p.id: p for p in participants}
    if not state.pairs:
        raise NoPairs
    if target not in by_id and target not in people:  # `e1003` for `E1003`, as `log` takes
        target = next((k for k in (*by_id, *people) if fold(k) == fold(target)), target)
    subjects: list[tuple[str, Pairing | None]]
    if target in by_id:
        pair = by_id[target]
        subjects = [(pair.mentee, pair)]
    elif target in people:
        mine = [p for p in state.active if target in (p.mentor, p.mentee)]
        subjects = [(target, p) for p in mine] if mine else [(target, None)]
    else:
        hint = suggest(target, [*by_id, *people])
        raise RmentorError(
            f"`{target}` is neither a pair id nor a participant id: give a participant id "
            "from the roster's id column, or a pair id that `rmentor match` lists"
            + (f" ({hint})" if hint else "")
        )
    gone = state.withdrawn_ids()
    problem = MatchingProblem.build(
        config, [p for p in participants if p.id not in gone], history, everyone=participants
    )
    return [_one(problem, state, people, person, pair) for person, pair in subjects]


def _one(
    problem: MatchingProblem,
    state: PairingState,
    people: dict[str, Participant],
    person_id: str,
    pair: Pairing | None,
) -> Explanation:
    features, config = problem.features, problem.config
    person = people[person_id]
    if person_id in state.withdrawn_ids():
        raise RmentorError(f"`{person_id}` has withdrawn from the program")
    is_mentee = person.role == "mentee"
    mine, theirs = (
        (features.mentees, features.mentors) if is_mentee else (features.mentors, features.mentees)
    )
    me = mine.index[person_id]
    others = np.arange(len(theirs), dtype=np.int64)
    block = Block(np.array([me]), others) if is_mentee else Block(others, np.array([me]))
    total, forbidden, broken = problem.scores(block)
    total, forbidden = total.reshape(-1), forbidden.reshape(-1)
    broken = {k: v.reshape(-1) for k, v in broken.items()}

    partner = None
    lines: tuple[Line, ...] = ()
    rules: tuple[tuple[str, str, bool], ...] = ()
    current = -1
    if pair is not None:
        partner_id = pair.mentor if is_mentee else pair.mentee
        partner = people.get(partner_id)
        if partner_id in theirs.index:
            current = theirs.index[partner_id]
            rows, cols = ([me], [current]) if is_mentee else ([current], [me])
            (parts,) = problem.breakdown(rows, cols)
            lines = tuple(
                Line(c, problem.weights[c], parts[c]) for c in CRITERIA if c in problem.weights
            )
            rules = tuple(
                (RULE_WORDS[r], rule_mode(config, r), not bool(broken[r][current]))
                for r in RULES
                if rule_mode(config, r) != "off"
            )

    active = state.active
    alternatives: list[Alternative] = []
    own_score = round(float(total[current]), 3) if current >= 0 else None
    order = np.lexsort((others, -total))
    for k in order:
        if len(alternatives) >= ALTERNATIVES + 2:
            break
        if k == current:
            continue
        other = theirs.people[k]
        score = round(float(total[k]), 3)
        if forbidden[k]:
            if own_score is not None and score <= own_score:
                continue
            rule = next(
                RULE_WORDS[r] for r in RULES if rule_mode(config, r) == "hard" and broken[r][k]
            )
            alternatives.append(Alternative(other.id, other.name, score, f"excluded by {rule}"))
            continue
        if sum(1 for a in alternatives if not a.why_not.startswith("excluded")) >= ALTERNATIVES:
            continue
        alternatives.append(
            Alternative(
                other.id,
                other.name,
                score,
                _why_not(problem, active, person, other, score, own_score),
            )
        )
    return Explanation(person, partner, pair, lines, rules, tuple(alternatives))


def _why_not(
    problem: MatchingProblem,
    active: list[Pairing],
    person: Participant,
    other: Participant,
    score: float,
    own: float | None,
) -> str:
    if own is not None and score <= own:
        return f"scores lower ({score:.3f} against {own:.3f})"
    if person.role == "mentee":
        holders = [p.mentee for p in active if p.mentor == other.id]
        capacity = int(problem.features.mentors.capacity[problem.features.mentors.index[other.id]])
        if len(holders) < capacity:
            return "had a free place, but the pair was committed before (run --rematch to revisit)"
        return (
            f"full: would displace {', '.join(holders)} "
            f"(that pair scores {_best(problem, holders, other)})"
        )
    holders = [p.mentor for p in active if p.mentee == other.id]
    if not holders:
        return "is unpaired: the solver found no better total with this pair"
    return f"paired with {holders[0]} (that pair scores {_best(problem, [other.id], holders[0])})"


def _best(problem: MatchingProblem, mentees: list[str], mentor: Participant | str) -> str:
    """The score of the displaced pair(s), to show what the swap would cost."""
    f = problem.features
    mentor_id = mentor if isinstance(mentor, str) else mentor.id
    rows = [f.mentees.index[m] for m in mentees if m in f.mentees.index]
    if not rows or mentor_id not in f.mentors.index:
        return "n/a"
    total, _, _ = problem.scores(Block.pairs(rows, [f.mentors.index[mentor_id]] * len(rows)))
    return " and ".join(f"{float(t):.3f}" for t in total)
