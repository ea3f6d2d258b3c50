"""The committed truth of a program: state/pairings.toml (written with tomli-w).

Sorted, rounded and free of timestamps (dates come from `--today`), so that the
file's diff in git shows exactly what changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from ..errors import InvalidProgram, Location, Problem, error
from .output import write_text_atomic

STATE_DIR = "state"
PAIRINGS_FILE = f"{STATE_DIR}/pairings.toml"
FORMAT_VERSION = 1
HEADER = (
    "# Written by `rmentor match` and `rmentor withdraw`; commit it with the program.\n"
    "# Each [pairs.ID] table is one pair. Edit with care: `rmentor validate` checks it.\n\n"
)

Status = Literal["active", "withdrawn", "ended"]


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

    def to_toml(self) -> dict[str, Any]:
        """The pair's table in pairings.toml."""
        table: dict[str, Any] = {
            "mentor": self.mentor,
            "mentee": self.mentee,
            "status": self.status,
            "locked": self.locked,
            "since": self.since,
            "score": round(self.score, 4),
        }
        if self.ended is not None:
            table["ended"] = self.ended
        if self.end_reason is not None:
            table["end_reason"] = self.end_reason
        table["reasons"] = list(self.reasons)
        table["breakdown"] = {k: round(v, 4) for k, v in sorted(self.breakdown.items())}
        return table


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

    def to_text(self) -> str:
        """The file's text: sorted tables, a header comment, LF endings."""
        document: dict[str, Any] = {"version": FORMAT_VERSION}
        document["pairs"] = {p.id: p.to_toml() for p in sorted(self.pairs, key=_order)}
        if self.withdrawn:
            document["withdrawn"] = {
                w.person: {"date": w.date, **({"reason": w.reason} if w.reason else {})}
                for w in sorted(self.withdrawn, key=lambda w: w.person)
            }
        return HEADER + tomli_w.dumps(document)


def _order(pair: Pairing) -> tuple[str, str, str]:
    return (pair.mentee, pair.mentor, pair.id)


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _problem(file: str, message: str, line: int = 1) -> Problem:
    return error(Location(file, line, 1), message)


def read_pairings(folder: Path, name: str = PAIRINGS_FILE) -> PairingState:
    """Read a pairings file; a missing file is an empty state. Raises InvalidProgram."""
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PairingState()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProgram([_problem(name, f"cannot read the pairings file: {exc}")]) from None
    return parse_pairings(text, name)


def parse_pairings(text: str, name: str) -> PairingState:
    """Parse pairings.toml text into a `PairingState`, reporting every bad table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_WHERE.search(str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (1, 1)
        message = _TOML_WHERE.sub("", str(exc)).strip()
        raise InvalidProgram([error(Location(name, line, col), f"TOML: {message}")]) from None
    problems: list[Problem] = []
    pairs: list[Pairing] = []
    lines = text.splitlines()

    def line_of(key: str) -> int:
        marker = f"[pairs.{key}]"
        quoted = f'[pairs."{key}"]'
        for number, line in enumerate(lines, start=1):
            if line.strip() in (marker, quoted):
                return number
        return 1

    for key, table in sorted((data.get("pairs") or {}).items()):
        try:
            pair = Pairing(
                mentor=str(table["mentor"]),
                mentee=str(table["mentee"]),
                score=float(table.get("score", 0.0)),
                since=_date(table["since"]),
                breakdown={str(k): float(v) for k, v in table.get("breakdown", {}).items()},
                reasons=tuple(str(r) for r in table.get("reasons", ())),
                locked=bool(table.get("locked", False)),
                status=_status(table.get("status", "active")),
                ended=_date(table["ended"]) if "ended" in table else None,
                end_reason=table.get("end_reason"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                _problem(name, f"pair `{key}` is incomplete or wrong: {exc}", line_of(key))
            )
            continue
        if pair.id != key:
            problems.append(
                _problem(
                    name,
                    f"pair `{key}` should have the id `{pair.id}` "
                    f"({pair.mentor} with {pair.mentee})",
                    line_of(key),
                )
            )
            continue
        pairs.append(pair)
    withdrawn = []
    for person, table in sorted((data.get("withdrawn") or {}).items()):
        try:
            withdrawn.append(Withdrawal(person, _date(table["date"]), table.get("reason")))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(_problem(name, f"withdrawal of `{person}` is wrong: {exc}"))
    if problems:
        raise InvalidProgram(problems)
    return PairingState(tuple(pairs), tuple(withdrawn))


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"`{value}` is not a date")


def _status(value: object) -> Status:
    if value in ("active", "withdrawn", "ended"):
        return value
    raise ValueError(f"status `{value}` is not active, withdrawn or ended")


def write_pairings(folder: Path, state: PairingState) -> bool:
    """Write state/pairings.toml atomically; False when nothing changed."""
    return write_text_atomic(folder / PAIRINGS_FILE, state.to_text())


def history_pairs(folder: Path, files: Iterable[str]) -> set[tuple[str, str]]:
    """(mentor, mentee) of every pair in earlier cohorts' pairings files."""
    found: set[tuple[str, str]] = set()
    for name in files:
        state = read_pairings(folder, name)
        found.update((p.mentor, p.mentee) for p in state.pairs)
    return found
