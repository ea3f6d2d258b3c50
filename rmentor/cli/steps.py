"""The pairing commands' work: load the program and its state, match, write.

Thin glue between files and the pure engine in `rmentor.matching`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..engines.matching.engine import MatchResult, Progress, match, withdraw
from ..errors import RmentorError
from ..files.load import Program, open_program
from ..files.output import program_lock
from ..files.state import PairingState, history_pairs, read_pairings, write_pairings


def _history(program: Program) -> set[tuple[str, str]]:
    assert program.config is not None
    return history_pairs(program.folder, program.config.matching.history)


def run_match(
    folder: Path,
    *,
    today: dt.date,
    rematch: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[Program, MatchResult]:
    """Match the program in `folder`; write state/pairings.toml unless `dry_run`."""
    program = open_program(folder)
    assert program.config is not None
    with program_lock(folder, enabled=not dry_run):
        previous = read_pairings(folder)
        result = match(
            program.config,
            program.participants,
            previous,
            today=today,
            rematch=rematch,
            history=_history(program),
            progress=progress,
        )
        if not dry_run:
            write_pairings(folder, result.state)
    return program, result


def run_withdraw(
    folder: Path, person: str, *, today: dt.date, reason: str | None, dry_run: bool = False
) -> tuple[Program, MatchResult]:
    """Record that `person` left, end their pairs, re-pair their partners."""
    program = open_program(folder)
    assert program.config is not None
    if person not in {p.id for p in program.participants}:
        raise RmentorError(f"`{person}` is not on the roster")
    with program_lock(folder, enabled=not dry_run):
        previous = read_pairings(folder)
        if person in previous.withdrawn_ids():
            raise RmentorError(f"`{person}` has already withdrawn")
        if not previous.pairs:
            raise RmentorError("there are no pairs yet; run `rmentor match` first")
        result = withdraw(
            program.config,
            program.participants,
            previous,
            person,
            today=today,
            reason=reason,
            history=_history(program),
        )
        if not dry_run:
            write_pairings(folder, result.state)
    return program, result


def load_pairings(folder: Path) -> tuple[Program, PairingState]:
    """The program and its committed pairings (for explain and later commands)."""
    program = open_program(folder)
    return program, read_pairings(folder)
