"""Who is paired with whom, since when, why, and who withdrew.

state/pairings.toml holds these records; `files.state` reads and writes it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from ..errors import NoPairs, RmentorError
from ..text import fold, suggest

Status = Literal["active", "withdrawn", "ended"]


@cache  # asked for again and again (`Pairing.id`); the same two ids give the same id
def pair_id(mentor: str, mentee: str) -> str:
    """A short, stable id for a pair, derived from the two ids (safe in file names)."""
    digest = hashlib.sha256(f"{mentor}\x00{mentee}".encode()).digest()
    return "p" + base64.b32encode(digest).decode("ascii")[:7].lower()


@dataclass(frozen=True)
class Pairing:
    """One pair, as stored: who, how good, why, and whether it still holds."""

    mentor: str
    mentee: str
    score: float
    since: dt.date
    breakdown: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    locked: bool = False
    status: Status = "active"
    ended: dt.date | None = None
    end_reason: str | None = None

    @property
    def id(self) -> str:
        """The pair's id."""
        return pair_id(self.mentor, self.mentee)

    @property
    def active(self) -> bool:
        """True while the pair meets."""
        return self.status == "active"


@dataclass(frozen=True)
class Withdrawal:
    """A participant who left the program: never paired again."""

    person: str
    date: dt.date
    reason: str | None = None


@dataclass(frozen=True)
class PairingState:
    """Everything in pairings.toml."""

    pairs: tuple[Pairing, ...] = ()
    withdrawn: tuple[Withdrawal, ...] = ()

    @property
    def active(self) -> list[Pairing]:
        """The pairs that hold now."""
        return [p for p in self.pairs if p.active]

    def withdrawn_ids(self) -> set[str]:
        """Ids of everyone who withdrew."""
        return {w.person for w in self.withdrawn}


def _pair_hint(text: str, pairs: PairingState) -> str | None:
    by_fold = {fold(p.id): p.id for p in pairs.pairs}
    if fold(text) in by_fold:
        return f"did you mean `{by_fold[fold(text)]}`?"
    mine = [p for p in pairs.pairs if fold(text) in (fold(p.mentor), fold(p.mentee))]
    if len(mine) == 1:
        return f"that is a person's id; their pair is `{mine[0].id}`"
    if mine:
        return f"that is a person's id; their pairs: {', '.join(p.id for p in mine)}"
    return suggest(text, by_fold.values()) or "pair ids are in state/pairings.toml"


def resolve_pair(state: PairingState, text: str, names: Mapping[str, str] | None = None) -> Pairing:
    """The pair that `text` names: a pair id, or a person with exactly one active pair.

    Raises `RmentorError` with the candidates when the name is unknown or ambiguous.
    """
    names = names or {}
    wanted = fold(text)
    for pair in state.pairs:
        if fold(pair.id) == wanted:
            return pair
    if not state.pairs:
        raise NoPairs
    involved = [p for p in state.pairs if wanted in (fold(p.mentor), fold(p.mentee))]
    active = [p for p in involved if p.active]
    if len(active) == 1:
        return active[0]

    def label(pair: Pairing) -> str:
        mentor = names.get(pair.mentor, pair.mentor)
        mentee = names.get(pair.mentee, pair.mentee)
        return f"{pair.id} ({mentor} with {mentee}, {pair.status})"

    if len(active) > 1:
        listed = "; ".join(label(p) for p in active)
        raise RmentorError(f"`{text}` has {len(active)} active pairs; name one: {listed}")
    if involved:
        listed = "; ".join(label(p) for p in involved)
        raise RmentorError(
            f"`{text}` has no active pair; to log a meeting of an ended pair use its id: {listed}"
        )
    person = next((k for k in names if fold(k) == wanted), None)
    if person is not None:
        raise RmentorError(
            f"`{text}` ({names[person]}) has no pair: `rmentor match` left them without a "
            f"partner (`rmentor explain {person}` says why)"
        )
    hint = suggest(text, [*(p.id for p in state.pairs), *names])
    raise RmentorError(
        f"unknown pair or participant `{text}`: give a pair id (`rmentor match` lists "
        "them; they are in state/pairings.toml) or a participant id from the roster"
        + (f" ({hint})" if hint else "")
    )
