"""Who may be seen: the answers a report counts, small groups pooled, figures that would
identify people hidden, names blanked in comments.

The report (`report.build_report`) shows its figures and comments only through here:

- Whose answers count (`counted_answers`): the report is about the people who took
  part, those in a pair formed by today (before matching: the roster). Answers from
  anyone else are left out, and so are anonymous answers to a question when there are
  fewer than `evaluation.anonymity_threshold` (t) of them: the breakdowns can only count
  named answers, so the total minus the breakdowns would be those few answers. The
  report says what it left out.
- Breakdowns: a group with fewer than t people is pooled into "Other groups" (with the
  smallest shown group while the pool is too small). Generations are labels
  ("Generation X"), never years.
- One system (`protect_figures`): per column of answers, every figure the report shows
  over them goes through `protect` at once: the breakdown cells, the program-wide
  figure, each survey's and each topic's figure, each goal's. A figure counts the
  people with a value behind it (respondents for satisfaction; for a skill gain, the
  people whose ratings were paired). Small figures are hidden, and so is any figure
  that subtraction, or any other sum of shown figures, would narrow down to fewer than
  t people.
- Comments: shown for a survey only when it had at least threshold responses;
  emails, roster ids and the words of participants' names are blanked; the order is
  a stable shuffle (a hash of the text), not the order people answered in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean
from typing import Any

import numpy as np

from ..model.activity import Response
from ..model.people import Participant
from .evaluation import Unit, ordered_kinds

# Birth years of each generation (Pew Research Center's boundaries).
GENERATIONS: tuple[tuple[int, int, str], ...] = (
    (1928, 1945, "Silent generation"),
    (1946, 1964, "Baby boomers"),
    (1965, 1980, "Generation X"),
    (1981, 1996, "Millennials"),
    (1997, 2012, "Generation Z"),
    (2013, 2100, "Generation Alpha"),
)
NOT_GIVEN = "(not given)"
POOLED = "Other groups"
DIMENSIONS = (("role", "Role"), ("department", "Department"), ("generation", "Generation"))
ROLE_GROUPS = {"mentor": "Mentors", "mentee": "Mentees"}
# Questions whose anonymous answers count in a figure (the others' cannot be paired or
# placed in a pair), asked in one survey, by name or not.
QUESTIONS = ("satisfaction", "recommend", "goal_progress", "safety")
TOTAL = "total"  # `protect_figures`: the program-wide figure of a column
OTHER = -1  # `protect`'s dimension for a figure outside the breakdowns (a goal, a topic …)


@dataclass(frozen=True)
class GroupRow:
    """One group of a breakdown; `None` where the figure is hidden or unknown."""

    group: str
    people: float | None
    attendance_rate: float | None
    satisfaction: float | None
    skill_delta: float | None
    response_rate: float | None
    hidden: frozenset[str] = frozenset()  # columns whose figure exists but is suppressed


@dataclass(frozen=True)
class Breakdown:
    """The program's figures split by one dimension."""

    dimension: str  # role | department | generation
    title: str
    rows: tuple[GroupRow, ...]
    pooled: int  # groups too small to show alone, pooled into "Other groups"


@dataclass(frozen=True)
class Comment:
    """A survey comment as shown: no names, emails or ids."""

    kind: str
    text: str


@dataclass(frozen=True)
class LeftOut:
    """Answers to one survey that the report does not count, and why."""

    survey: str  # the survey kind
    answers: int
    reason: str  # "not in a pair", "not on the roster" or "anonymous"
    question: str | None = None  # anonymous answers are left out per question


# -- whose answers count ---------------------------------------------------------------------


def counted_answers(
    responses: Sequence[Response], taking_part: set[str], threshold: int, outside: str
) -> tuple[list[Response], list[LeftOut]]:
    """The responses the program-wide report counts, and what it left out.

    Named answers count only from the people `taking_part` (the others are in no
    breakdown group, so the total minus the breakdowns would be theirs); `outside`
    says why the others are left out ("not in a pair"). Anonymous answers to a
    question count when a survey has at least `threshold` of them; fewer are blanked.
    """
    kept = [r for r in responses if r.respondent is None or r.respondent in taking_part]
    left: list[LeftOut] = []
    for kind in ordered_kinds({r.survey_kind for r in responses}):
        others = {
            r.respondent
            for r in responses
            if r.survey_kind == kind and r.respondent is not None
            and r.respondent not in taking_part
        }  # fmt: skip
        if others:
            left.append(LeftOut(kind, len(others), outside))
        blank: dict[int, set[str]] = {}
        for question in QUESTIONS:
            anonymous = [
                id(r)
                for r in kept
                if r.survey_kind == kind and r.respondent is None
                and getattr(r, question) is not None
            ]  # fmt: skip
            if 0 < len(anonymous) < threshold:
                left.append(LeftOut(kind, len(anonymous), "anonymous", question))
                for row in anonymous:
                    blank.setdefault(row, set()).add(question)
        kept = [_blank(r, blank[id(r)]) if id(r) in blank else r for r in kept]
    return kept, left


def _blank(response: Response, questions: set[str]) -> Response:
    """The response without its answers to these questions."""
    blanks: dict[str, Any] = dict.fromkeys(questions)
    return dataclasses.replace(response, **blanks)


# -- groups ------------------------------------------------------------------------------


def generation(birth_year: int | None) -> str:
    """The generation's label for a birth year (never the year itself)."""
    if birth_year is None:
        return NOT_GIVEN
    for first, last, label in GENERATIONS:
        if first <= birth_year <= last:
            return label
    return NOT_GIVEN


def group_of(person: Participant, dimension: str) -> str:
    """The person's group in a breakdown dimension."""
    if dimension == "role":
        return ROLE_GROUPS[person.role]
    if dimension == "generation":
        return generation(person.birth_year)
    value = getattr(person, dimension)
    return str(value) if value else NOT_GIVEN


def _pool(groups: Mapping[str, list[str]], threshold: int) -> tuple[dict[str, list[str]], int]:
    """Groups with fewer than `threshold` people pooled into one "Other groups".

    While the pool itself is too small to show, the smallest group shown so far joins
    it: a slightly coarser table beats a column of hidden figures. Returns the groups
    and how many were pooled.
    """
    kept = {name: ids for name, ids in groups.items() if len(ids) >= threshold}
    small = sorted(name for name, ids in groups.items() if len(ids) < threshold)
    pooled = [i for name in small for i in groups[name]]
    while pooled and len(pooled) < threshold and kept:
        name = min(kept, key=lambda n: (len(kept[n]), n))
        pooled += kept.pop(name)
        small.append(name)
    if len(small) == 1:
        # Only when that group is everyone (otherwise the loop above merged another
        # into it): its own name says no more than "Other groups" would.
        return {**kept, small[0]: pooled}, 0
    if pooled:
        kept[POOLED] = pooled
    return kept, len(small)


def _attendance(items: Sequence[tuple[int, int]]) -> float | None:
    planned = sum(p for _, p in items)
    return sum(h for h, _ in items) / planned if planned else None


def _mean_of_gains(items: Sequence[Mapping[str, int]]) -> float | None:
    values = [v for item in items for v in item.values()]
    return fmean(values) if values else None


def _share(items: Sequence[bool]) -> float | None:
    return sum(items) / len(items) if items else None


def _count(items: Sequence[object]) -> float:
    return float(len(items))


@dataclass(frozen=True)
class PersonFigures:
    """Each person's own figures, from which the breakdowns' cells are made."""

    attendance: dict[str, tuple[int, int]]  # id -> (held, planned)
    satisfaction: dict[str, int]  # id -> latest satisfaction answer
    skills: dict[str, dict[str, int]]  # id -> topic -> after - before
    answered: dict[str, bool]  # active id -> answered the latest survey
    satisfaction_kind: str = ""  # the survey the satisfaction answers come from


# -- one system of figures -------------------------------------------------------------------


Cell = tuple[int, str]  # (dimension's index, group); OTHER for a figure outside the breakdowns
_TOLERANCE = 1e-9
# Candidate combinations `_combination` looks at before it gives up and has a figure
# hidden anyway (safe, if coarser than needed).
SEARCH_LIMIT = 100_000


def _people(units: Iterable[Unit]) -> int:
    return len({u[0] for u in units})


def protect(
    cells: Mapping[Cell, frozenset[Unit]], threshold: int, total: frozenset[Unit] | None = None
) -> tuple[set[Cell], set[Cell]]:
    """Which figures over one column of answers may be shown: returns (shown, hidden
    non-empty).

    `cells` maps each figure to the answers behind it. A figure of dimension 0, 1, 2 is
    a breakdown's group: each such dimension's groups split (some of) the answers
    behind `total`, the program-wide figure shown beside them (`None`: the union of the
    cells; empty when no program-wide figure is shown). Figures of dimension `OTHER`
    (goals, topics, surveys) are any other subsets. A figure's size is its people.
    Rules, applied until none fires:

    1. a figure with fewer than `threshold` people is hidden;
    2. within a dimension, what the total minus its shown cells leaves (the hidden
       cells, and answers in no group) holds 0 or at least `threshold` people, else
       the smallest shown cell of that dimension is hidden too;
    3. two shown figures, or one and the total, whose people differ by 1 to
       threshold - 1 (one figure minus the other would describe those few) cannot
       both stay: the one of the later dimension is hidden (the smaller if both are of
       one dimension), so the role table survives before the others, and the
       breakdowns give way before the goals, topics and surveys;
    4. no combination of shown figures (three or thirty, each times any factor) may
       leave the answers of 1 to threshold - 1 people, each added or subtracted once
       (`_combination` works this out); else the latest figure in it is hidden, as in
       rule 3.

    Figures over the same answers are one figure: shown or hidden together (one over
    the total's answers is the total, and stays).
    """
    everyone = frozenset[Unit]().union(*cells.values()) if total is None else total
    sets: dict[frozenset[Unit], list[Cell]] = {}
    for cell, units in cells.items():
        if units:
            sets.setdefault(units, []).append(cell)
    size = {units: _people(units) for units in sets}
    # (a figure over the total's answers is the total; a small breakdown cell is hidden
    # even then: the program-wide figure is `evaluate`'s to show or hide)
    hidden = {
        units
        for units, n in size.items()
        if n < threshold and (units != everyone or any(c[0] >= 0 for c in sets[units]))
    }

    def order(units: frozenset[Unit]) -> tuple[int, Cell]:
        return (size[units], min(sets[units]))

    def later(units: frozenset[Unit]) -> tuple[int, int, str]:
        return max((cell[0], -size[units], cell[1]) for cell in sets[units])

    people_everyone = _people(everyone)
    while True:
        shown = sorted((u for u in sets if u not in hidden and u != everyone), key=order)
        victim: frozenset[Unit] | None = None
        for dimension in sorted({c[0] for c in cells if c[0] >= 0}):
            mine = [u for u in shown if any(c[0] == dimension for c in sets[u])]
            rest = everyone.difference(*mine)
            if mine and 0 < _people(rest) < threshold <= people_everyone:
                victim = mine[0]
                break
        if victim is None:
            figures = [*shown, everyone] if everyone else shown
            sizes = [_people(u) for u in figures]
            for i, a in enumerate(figures):
                for j in range(i + 1, len(figures)):
                    # people(a ^ b) >= |people(a) - people(b)|: most pairs need no look
                    if abs(sizes[i] - sizes[j]) >= threshold:
                        continue
                    b = figures[j]
                    if 0 < _people(a ^ b) < threshold:
                        victim = max((u for u in (a, b) if u != everyone), key=later)
                        break
                if victim is not None:
                    break
        if victim is None:
            figures = [*shown, everyone] if everyone else shown
            involved, exact = _combination(figures, threshold)
            candidates = [figures[i] for i in involved if figures[i] != everyone]
            if candidates:
                victim = max(candidates, key=later)
                finest = max(later(u)[0] for u in shown)
                if not exact and finest >= 0:
                    # The search gave up (a program of very many small groups): the
                    # finest breakdown still shown goes whole, which ends it sooner.
                    hidden.update(u for u in shown if later(u)[0] == finest)
        if victim is None:
            break
        hidden.add(victim)
    return (
        {c for units, cs in sets.items() if units not in hidden for c in cs},
        {c for units in hidden for c in sets[units]},
    )


def _orthonormal_rows(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """An orthonormal basis (as rows) of the matrix's row space."""
    if not matrix.size:
        return np.zeros((0, matrix.shape[1]))
    # (the SVD of the tall transpose: far quicker than of the wide matrix itself)
    u, sigma, _ = np.linalg.svd(matrix.T, full_matrices=False)
    return np.asarray(u[:, sigma > _TOLERANCE * max(float(sigma[0]), 1.0)].T)


def _combination(figures: Sequence[frozenset[Unit]], threshold: int) -> tuple[list[int], bool]:
    """The figures (indices) of a combination that describes 1 to threshold - 1 people,
    [] when none does; and whether the search was exact.

    Figures that share no answer, even through others (one survey's and another's),
    are separate systems, each searched on its own (`_search`).

    Each figure is the sum of its answers; a combination (a factor per figure) adds and
    subtracts them. It describes a few people when what it leaves is their answers,
    each added or subtracted once (one group's sum, or one group's minus another's),
    and nobody else's. People whose answers sit in exactly the same figures form a
    class and are never told apart, so only classes under the threshold can be left:

    1. the combinations that cancel every larger class form a space (linear algebra;
       for most programs it is empty, and the answer is "none");
    2. a vector of that space is fixed by its values on a few of its coordinates, the
       pivots. Pivots are chosen from the largest small classes, so that few sets of
       them stay under the threshold; each such set, with each pivot at +1 or -1, gives
       one candidate, and a candidate that is +1, -1 or 0 everywhere, on fewer than
       threshold people, is the answer.

    Past `SEARCH_LIMIT` candidates the search stops and names a combination over small
    classes anyway (not exact): hiding its figures is safe, if coarser than needed.
    """
    root = list(range(len(figures)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    first: dict[Unit, int] = {}
    for i, units in enumerate(figures):
        for unit in units:
            root[find(i)] = find(first.setdefault(unit, i))
    systems: dict[int, list[int]] = {}
    for i in range(len(figures)):
        systems.setdefault(find(i), []).append(i)
    for members in systems.values():
        found, exact = _search([figures[i] for i in members], threshold)
        if found:
            return [members[i] for i in found], exact
    return [], True


def _search(figures: Sequence[frozenset[Unit]], threshold: int) -> tuple[list[int], bool]:
    """`_combination` on one system of figures (whose answers are linked)."""
    where: dict[Unit, list[int]] = {}
    for i, units in enumerate(figures):
        for unit in units:
            where.setdefault(unit, []).append(i)
    answers: dict[str | int, list[tuple[str, tuple[int, ...]]]] = {}
    for unit, found_in in where.items():
        answers.setdefault(unit[0], []).append((unit[1], tuple(found_in)))
    classes = Counter(tuple(sorted(mine)) for mine in answers.values())
    weight: list[int] = []  # people per class
    columns: list[tuple[int, tuple[int, ...]]] = []  # (class, the figures an answer is in)
    # (sorted: the same figures give the same search, and so the same figure hidden)
    for k, (signature, people) in enumerate(sorted(classes.items())):
        weight.append(people)
        columns += [(k, inside) for _, inside in signature]
    matrix = np.zeros((len(figures), len(columns)))
    for j, (_, inside) in enumerate(columns):
        matrix[list(inside), j] = 1.0
    small = [j for j, (k, _) in enumerate(columns) if weight[k] < threshold]
    if not small:
        return [], True
    # 1. The combinations that cancel every large class: y orthogonal to those columns
    # (each distinct column once).
    large = sorted({inside for k, inside in columns if weight[k] >= threshold})
    if large:
        cancel = np.zeros((len(large), len(figures)))
        for r, inside in enumerate(large):
            cancel[r, list(inside)] = 1.0
        # all of vt (its last rows span the null space) without a huge U
        _, sigma, vt = np.linalg.svd(cancel, full_matrices=len(large) < len(figures))
        rank = int((sigma > _TOLERANCE * max(float(sigma.max(initial=0.0)), 1.0)).sum())
        factors = vt[rank:]
    else:
        factors = np.eye(len(figures))
    space = _orthonormal_rows(factors @ matrix[:, small])  # what they leave on small ones
    if not len(space):
        return [], True
    owner = [columns[j][0] for j in small]
    # 2. Pivots, heaviest classes first (a greedy basis of the space's columns).
    pivots: list[int] = []
    chosen = np.zeros((len(space), 0))  # orthonormal columns spanning the pivots'
    for c in sorted(range(len(small)), key=lambda c: (-weight[owner[c]], owner[c], c)):
        rest = space[:, c] - chosen @ (chosen.T @ space[:, c])
        norm = float(np.linalg.norm(rest))
        if norm > 1e-7:
            pivots.append(c)
            chosen = np.column_stack([chosen, rest / norm])
            if len(pivots) == len(space):
                break
    reduced = np.linalg.solve(space[:, pivots], space)  # identity on the pivots
    by_class: dict[int, list[int]] = {}
    for row, c in enumerate(pivots):
        by_class.setdefault(owner[c], []).append(row)
    found, exact = _candidates(reduced, by_class, owner, weight, threshold)
    if found is None:
        return [], True
    vector = np.zeros(len(columns))
    vector[small] = found
    factors_found = np.linalg.lstsq(matrix.T, vector, rcond=None)[0]
    scale = float(np.abs(factors_found).max(initial=0.0))
    return [i for i, y in enumerate(factors_found) if abs(y) > 1e-7 * scale], exact


def _candidates(
    reduced: np.ndarray[Any, Any],
    by_class: Mapping[int, list[int]],
    owner: Sequence[int],
    weight: Sequence[int],
    threshold: int,
) -> tuple[np.ndarray[Any, Any] | None, bool]:
    """`_combination`, step 2: a vector of the space (rows of `reduced`, identity on the
    pivots) that is +1, -1 or 0 everywhere and leaves fewer than `threshold` people,
    `None` when there is none; and whether the search was exact (within the limit)."""
    pivot_classes = sorted(by_class, key=lambda k: (-weight[k], k))
    patterns: dict[int, np.ndarray[Any, Any]] = {}  # class -> its pivots' nonzero signs

    def signs_of(k: int) -> np.ndarray[Any, Any]:
        if k not in patterns:
            width = len(by_class[k])
            every = itertools.product((-1.0, 0.0, 1.0), repeat=width)
            patterns[k] = np.asarray([s for s in every if any(s)]).reshape(-1, width)
        return patterns[k]

    def check(rows: list[int], signs: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
        for start in range(0, len(signs), 1024):  # a slice at a time: memory stays small
            vectors = signs[start : start + 1024] @ reduced[rows]
            rounded = np.round(vectors)
            fits = (np.abs(vectors - rounded).max(axis=1) < 1e-7) & (
                np.abs(rounded).max(axis=1) <= 1
            )
            for v in np.flatnonzero(fits):
                touched = {owner[int(c)] for c in np.flatnonzero(rounded[v])}
                if 0 < sum(weight[k] for k in touched) < threshold:
                    return np.asarray(rounded[v])
        return None

    tried = 0
    stack: list[tuple[int, tuple[int, ...], int]] = [(0, (), 0)]
    while stack:  # every union of pivot classes under the threshold
        start, union, total = stack.pop()
        if union:
            # each class of the union has a nonzero pivot (else it is a smaller union)
            count = 1
            for k in union:
                count *= 3 ** len(by_class[k]) - 1
            tried += count
            if tried > SEARCH_LIMIT:
                return np.asarray(reduced[0]), False
            signs = np.ones((1, 0))
            for k in union:  # all combinations of the classes' patterns
                block = signs_of(k)
                signs = np.hstack(
                    [np.repeat(signs, len(block), axis=0), np.tile(block, (len(signs), 1))]
                )
            found = check([r for k in union for r in by_class[k]], signs)
            if found is not None:
                return found, True
        for i in range(start, len(pivot_classes)):
            k = pivot_classes[i]
            if total + weight[k] < threshold:
                stack.append((i + 1, (*union, k), total + weight[k]))
    return None, True


@dataclass(frozen=True)
class Protected:
    """The breakdowns as shown, and the other figures `protect_figures` hid."""

    breakdowns: list[Breakdown]
    hidden: dict[str, frozenset[str]]  # column -> names (from `others`) of hidden figures


def breakdowns(
    people: Sequence[Participant], figures: PersonFigures, threshold: int
) -> list[Breakdown]:
    """Role, department and generation breakdowns, every figure anonymity-checked
    (`protect_figures` with no other figure than each column's total)."""
    return protect_figures(people, figures, threshold).breakdowns


def protect_figures(
    people: Sequence[Participant],
    figures: PersonFigures,
    threshold: int,
    others: Mapping[str, Mapping[str, frozenset[Unit]]] | None = None,
) -> Protected:
    """Role, department and generation breakdowns, and every other figure over the same
    answers, checked as one system per column.

    `others` maps a column (people, attendance_rate, satisfaction, skill_delta,
    response_rate, or one without a breakdown, such as nps) to its other shown figures
    by name, each with the answers behind it; `TOTAL` names the program-wide one (when
    absent: the breakdown's people, as for attendance). A member whose own figure is
    undefined (attendance with nothing planned) counts as having no value.
    """
    others = others or {}
    dimensions: list[tuple[str, str, dict[str, list[str]], int]] = []
    for dimension, title in DIMENSIONS:
        members: dict[str, list[str]] = {}
        for person in people:
            members.setdefault(group_of(person, dimension), []).append(person.id)
        groups, pooled = _pool(members, threshold)
        if len(groups) >= 2:  # one group is the program itself
            dimensions.append((dimension, title, groups, pooled))
    kind = figures.satisfaction_kind

    def plain(data: Mapping[str, object]) -> Callable[[str], list[Unit]]:
        return lambda i: [(i, "")] if i in data else []

    columns: dict[
        str,
        tuple[
            Mapping[str, Any], Callable[[Sequence[Any]], float | None], Callable[[str], list[Unit]]
        ],
    ] = {
        "people": ({p.id: p.id for p in people}, _count, lambda i: [(i, "")]),
        "attendance_rate": (figures.attendance, _attendance, plain(figures.attendance)),
        "satisfaction": (
            figures.satisfaction,
            fmean,
            lambda i: [(i, kind)] if i in figures.satisfaction else [],
        ),
        "skill_delta": (
            figures.skills,
            _mean_of_gains,
            lambda i: [(i, topic) for topic in figures.skills.get(i, {})],
        ),
        "response_rate": (figures.answered, _share, plain(figures.answered)),
    }
    values: dict[str, dict[Cell, float | None]] = {}
    hidden: dict[str, set[Cell]] = {}
    for column, (data, measure, units_of) in columns.items():
        defined = {i for i, v in data.items() if measure([v]) is not None}
        members_of = {
            (k, g): sorted(i for i in ids if i in defined)
            for k, (_, _, groups, _) in enumerate(dimensions)
            for g, ids in groups.items()
        }
        cells = {
            cell: frozenset(u for i in ids for u in units_of(i)) for cell, ids in members_of.items()
        }
        extra = others.get(column, {})
        cells.update({(OTHER, name): units for name, units in extra.items() if name != TOTAL})
        shown, hidden[column] = protect(cells, threshold, extra.get(TOTAL))
        values[column] = {
            cell: measure([data[i] for i in ids]) if cell in shown else None
            for cell, ids in members_of.items()
        }
    hidden_others: dict[str, frozenset[str]] = {
        column: frozenset(name for k, name in hidden[column] if k == OTHER) for column in columns
    }
    for column, extra in others.items():
        if column in columns:
            continue  # a column without a breakdown: its figures are checked on their own
        cells = {(OTHER, name): units for name, units in extra.items() if name != TOTAL}
        _, gone = protect(cells, threshold, extra.get(TOTAL, frozenset()))
        hidden_others[column] = frozenset(name for _, name in gone)
    result: list[Breakdown] = []
    for k, (dimension, title, groups, pooled) in enumerate(dimensions):
        rows = tuple(
            GroupRow(
                g,
                people=values["people"][(k, g)],
                attendance_rate=values["attendance_rate"][(k, g)],
                satisfaction=values["satisfaction"][(k, g)],
                skill_delta=values["skill_delta"][(k, g)],
                response_rate=values["response_rate"][(k, g)],
                hidden=frozenset(c for c in columns if (k, g) in hidden[c]),
            )
            for g in sorted(groups, key=lambda g: (g in (POOLED, NOT_GIVEN), g))
        )
        result.append(Breakdown(dimension, title, rows, pooled))
    return Protected(result, hidden_others)


# -- comments ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_APOSTROPHES = "'\u2019-"  # O'Brien (either apostrophe), Anne-Marie: one word
_WORD = re.compile(rf"\w+(?:[{_APOSTROPHES}]\w+)*")
_PARTS = re.compile(rf"[_\s{_APOSTROPHES}]+")  # the parts of a word or a name
_NAMES_RUN = re.compile(r"\[name\](?:[\s,]+\[name\])+")


class Redactor:
    """Blanks emails, roster ids and the words of participants' names in free text.

    Name words are matched as written on the roster ("Park" is blanked, "park" is
    not, so everyday words survive), in capitals ("PARK"), and in any case when two
    words of one person's name follow each other ("dana whitfield"). A word counts
    when it, or a part of it between apostrophes, hyphens or underscores, matches
    ("O'Brien's", "Chen-led", "rajesh_iyer" as a pair). Ids match in any case.
    """

    def __init__(self, participants: Iterable[Participant]) -> None:
        self.names: set[str] = set()
        self.folded: set[str] = set()  # every name word, case-folded
        self.pairs: set[tuple[str, str]] = set()  # consecutive name words, case-folded
        self.ids: set[str] = set()
        for person in participants:
            self.ids.add(person.id.casefold())
            words = [w for w in _PARTS.split(person.name) if w]
            for word in _WORD.findall(person.name):
                if len(word) >= 2:
                    self.names.add(word)
            self.names.update(w for w in words if len(w) >= 3)
            folded = [w.casefold() for w in words]
            self.pairs.update(pairwise(folded))
            if person.email:
                self.names.add(person.email)
        self.folded = {n.casefold() for n in self.names}

    def _is_name(self, parts: Sequence[str]) -> bool:
        return any(
            part in self.names or (part.isupper() and part.casefold() in self.folded)
            for part in parts
        )

    def __call__(self, text: str) -> str:
        text = _EMAIL.sub("[email]", text)
        words = list(_WORD.finditer(text))
        blank: dict[int, str] = {}
        for k, match in enumerate(words):
            token = match[0]
            parts = [token, *(p for p in _PARTS.split(token) if p)]
            if self._is_name(parts):
                blank[k] = "[name]"
            elif any(part.casefold() in self.ids for part in parts):
                blank[k] = "[id]"
            folded = [p.casefold() for p in parts[1:]]
            if any(pair in self.pairs for pair in pairwise(folded)):
                blank[k] = "[name]"  # rajesh_iyer
            if k and not text[words[k - 1].end() : match.start()].strip():
                before = _PARTS.split(words[k - 1][0])[-1].casefold()
                if (before, _PARTS.split(token)[0].casefold()) in self.pairs:
                    blank[k - 1] = blank[k] = "[name]"  # dana whitfield
        out: list[str] = []
        last = 0
        for k, match in enumerate(words):
            if k in blank:
                out += [text[last : match.start()], blank[k]]
                last = match.end()
        out.append(text[last:])
        return _NAMES_RUN.sub("[name]", "".join(out))


def comments(
    by_kind: Mapping[str, Sequence[Response]],
    redact: Callable[[str], str],
    threshold: int,
    salt: str,
    field: str = "comments",
) -> tuple[list[Comment], dict[str, int]]:
    """Comments (or another free-text `field`, such as the follow-up's `changes`) per
    survey kind, redacted, in a stable shuffled order; and how many were held back
    because their survey had fewer than `threshold` responses."""
    shown: list[Comment] = []
    hidden: dict[str, int] = {}
    for kind in ordered_kinds(by_kind):
        rows = by_kind[kind]
        texts = [
            " ".join(text.split()) for r in rows if (text := getattr(r, field)) and text.strip()
        ]
        if not texts:
            continue
        if len(rows) < threshold:
            hidden[kind] = len(texts)
            continue
        redacted = [redact(t) for t in texts]
        redacted.sort(key=lambda t: hashlib.sha256(f"{salt}\0{t}".encode()).hexdigest())
        shown += [Comment(kind, t) for t in redacted]
    return shown, hidden
