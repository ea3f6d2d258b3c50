"""Who may be seen: small groups pooled, cells that would identify people hidden, names
blanked in comments.

The report (`report.build_report`) shows breakdowns and comments only through here:

- Breakdowns: a group with fewer people than `evaluation.anonymity_threshold` is
  pooled into "Other groups" (with the smallest shown group while the pool is too
  small). Then each column's figures go through `protect`, across all breakdowns at
  once, counting the people with a value behind each figure (respondents for
  satisfaction): small cells are hidden, and so is any cell that subtraction from
  the total, from another breakdown's cell or from the hidden rest would reveal.
  Generations are labels ("Generation X"), never years.
- Comments: shown for a survey only when it had at least threshold responses;
  emails, roster ids and the words of participants' names are blanked; the order is
  a stable shuffle (a hash of the text), not the order people answered in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean
from typing import Any

from ..model.activity import Response
from ..model.people import Participant
from .evaluation import ordered_kinds

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


def _mean_of_lists(items: Sequence[Sequence[int]]) -> float | None:
    values = [v for item in items for v in item]
    return fmean(values) if values else None


def _share(items: Sequence[bool]) -> float | None:
    return sum(items) / len(items) if items else None


def _count(items: Sequence[object]) -> float:
    return float(len(items))


@dataclass(frozen=True)
class _PersonFigures:
    attendance: dict[str, tuple[int, int]]  # id -> (held, planned)
    satisfaction: dict[str, int]  # id -> latest satisfaction answer
    skills: dict[str, list[int]]  # id -> after - before per topic
    answered: dict[str, bool]  # active id -> answered the latest survey


Cell = tuple[int, str]  # (dimension's index, group)


def protect(cells: Mapping[Cell, frozenset[str]], threshold: int) -> tuple[set[Cell], set[Cell]]:
    """Which cells of one column may be shown: returns (shown, hidden non-empty).

    `cells` maps each (dimension, group) to the people with a value behind its figure;
    every dimension's groups partition the same people, and the program's total is
    shown. Rules, applied until none fires:

    1. a cell with fewer than `threshold` people is hidden;
    2. within a dimension, the hidden cells together (what the total minus the shown
       cells reveals) hold 0 or at least `threshold` people, else the smallest shown
       cell of that dimension is hidden too;
    3. two shown cells, or a shown cell and the total, whose people differ by 1 to
       threshold - 1 (one figure minus the other would describe those few) cannot
       both stay: the cell of the later dimension is hidden (the smaller if both
       are of one dimension), so the role table survives before the others.

    Differences of more than two figures at once are not searched for; with groups
    of at least `threshold` people they need several such near-coincidences.
    """
    everyone = frozenset().union(*cells.values()) if cells else frozenset()
    hidden = {c for c, ids in cells.items() if 0 < len(ids) < threshold}

    def order(cell: Cell) -> tuple[int, int, str]:
        return (len(cells[cell]), cell[0], cell[1])

    def later(cell: Cell) -> tuple[int, int, str]:
        return (cell[0], -len(cells[cell]), cell[1])

    while True:
        shown = sorted((c for c, ids in cells.items() if ids and c not in hidden), key=order)
        victim: Cell | None = None
        for dimension in sorted({c[0] for c in cells}):
            gone = [cells[c] for c in cells if c[0] == dimension and c in hidden]
            size = sum(len(ids) for ids in gone)
            if 0 < size < threshold and len(everyone) >= threshold:
                victim = next((c for c in shown if c[0] == dimension), None)
                if victim is not None:
                    break
        if victim is None:
            sizes = [(c, len(cells[c])) for c in shown]
            sizes.append(((-1, ""), len(everyone)))  # the total: always shown
            for i, (a, size_a) in enumerate(sizes):
                for b, size_b in sizes[i + 1 :]:
                    if abs(size_a - size_b) >= threshold:
                        continue  # the difference alone holds enough people
                    ids_a = cells[a] if a[0] >= 0 else everyone
                    ids_b = cells[b] if b[0] >= 0 else everyone
                    if 0 < len(ids_a ^ ids_b) < threshold:
                        # The later dimension gives way (role before department
                        # before generation); within one, the smaller cell.
                        victim = max((c for c in (a, b) if c[0] >= 0), key=later)
                        break
                if victim is not None:
                    break
        if victim is None:
            return set(shown), hidden
        hidden.add(victim)


def breakdowns(
    people: Sequence[Participant], figures: _PersonFigures, threshold: int
) -> list[Breakdown]:
    """Role, department and generation breakdowns, every figure anonymity-checked.

    Each column (people, attendance, satisfaction, skill gain, response) is checked
    across all dimensions at once by `protect`; a member whose own figure is
    undefined (attendance with nothing planned) counts as having no value.
    """
    dimensions: list[tuple[str, str, dict[str, list[str]], int]] = []
    for dimension, title in DIMENSIONS:
        members: dict[str, list[str]] = {}
        for person in people:
            members.setdefault(group_of(person, dimension), []).append(person.id)
        groups, pooled = _pool(members, threshold)
        if len(groups) >= 2:  # one group is the program itself
            dimensions.append((dimension, title, groups, pooled))
    columns: dict[str, tuple[Mapping[str, Any], Callable[[Sequence[Any]], float | None]]] = {
        "people": ({p.id: p.id for p in people}, _count),
        "attendance_rate": (figures.attendance, _attendance),
        "satisfaction": (figures.satisfaction, fmean),
        "skill_delta": (figures.skills, _mean_of_lists),
        "response_rate": (figures.answered, _share),
    }
    values: dict[str, dict[Cell, float | None]] = {}
    hidden: dict[str, set[Cell]] = {}
    for column, (data, measure) in columns.items():
        defined = {i for i, v in data.items() if measure([v]) is not None}
        cells = {
            (k, g): frozenset(i for i in ids if i in defined)
            for k, (_, _, groups, _) in enumerate(dimensions)
            for g, ids in groups.items()
        }
        shown, hidden[column] = protect(cells, threshold)
        values[column] = {
            cell: measure([data[i] for i in sorted(ids)]) if cell in shown else None
            for cell, ids in cells.items()
        }
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
    return result


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
) -> tuple[list[Comment], dict[str, int]]:
    """Comments per survey kind, redacted, in a stable shuffled order; and how many
    were held back because their survey had fewer than `threshold` responses."""
    shown: list[Comment] = []
    hidden: dict[str, int] = {}
    for kind in ordered_kinds(by_kind):
        rows = by_kind[kind]
        texts = [" ".join(r.comments.split()) for r in rows if r.comments and r.comments.strip()]
        if not texts:
            continue
        if len(rows) < threshold:
            hidden[kind] = len(texts)
            continue
        redacted = [redact(t) for t in texts]
        redacted.sort(key=lambda t: hashlib.sha256(f"{salt}\0{t}".encode()).hexdigest())
        shown += [Comment(kind, t) for t in redacted]
    return shown, hidden
