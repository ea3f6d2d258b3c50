"""load(folder) -> Program: each file of the folder read once, every problem collected.

`load` never raises for a problem in the user's files: it reads what it can, in the
order the files depend on each other (program.yaml → roster → state → meeting log →
survey exports → earlier cohorts' pairings), runs every check over the result
(`model.checks`), and returns one `Program` carrying all problems. `open_program` is
what commands call: it raises `InvalidProgram` with all problems when any is an error.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from ..errors import InvalidProgram, Location, Problem, SourceMap, error, has_errors
from ..model.checks import check_program
from ..model.config import ProgramConfig
from ..model.pairings import PairingState
from ..model.people import Participant
from ..model.program import Program
from ..model.sessions import Schedule
from .archive import read_history
from .layout import PROGRAM_FILE
from .meetings import load_meetings
from .program_yaml import blank_config, lenient_topics, load_config, load_yaml
from .reading import PROGRAM_BYTES, read_capped
from .roster import load_roster
from .state import read_pairings, read_schedule
from .surveys import load_surveys

T = TypeVar("T")


def _read_config(
    folder: Path,
) -> tuple[ProgramConfig, SourceMap, frozenset[str], list[Problem], dict[str, object]]:
    """program.yaml: the config (defaults for broken sections), where each value stands."""
    try:
        data = read_capped(folder / PROGRAM_FILE, PROGRAM_BYTES)
    except OSError as exc:
        problem = error(Location(PROGRAM_FILE, 1, 1), f"cannot read {PROGRAM_FILE}: {exc.strerror}")
        config, broken = blank_config()
        return config, SourceMap(PROGRAM_FILE), broken, [problem], {}
    raw, where, problems = load_yaml(data, PROGRAM_FILE)
    if raw is not None and not isinstance(raw, dict):
        problems.append(
            error(
                Location(PROGRAM_FILE, 1, 1),
                "program.yaml must be a mapping of sections (program:, goals:, …)",
            )
        )
    if not isinstance(raw, dict):
        config, broken = blank_config()
        return config, where, broken, problems, {}
    config, broken, found = load_config(raw, where)
    return config, where, broken, problems + found, raw


def _state(read: Callable[[], T], problems: list[Problem], empty: T) -> T:
    """A state file's content, or `empty` with its problems noted."""
    try:
        return read()
    except InvalidProgram as exc:
        problems += exc.problems
        return empty


def _named_files(
    folder: Path,
    config: ProgramConfig,
    where: SourceMap,
    problems: list[Problem],
    people: Sequence[Participant],
) -> frozenset[tuple[str, str]]:
    """Earlier cohorts' pairings (matching.history), read; compare folders, looked for.

    A purged cohort's pairings name people by pseudonyms; `read_history` matches them
    back through this roster's ids (`people`).
    """
    history: set[tuple[str, str]] = set()
    ids = [p.id for p in people]
    for i, name in enumerate(config.matching.history):
        path = folder / name
        if not path.is_file():  # a FIFO or a device would block or never end: not opened
            what = "is not a regular file" if path.exists() else "not found"
            problems.append(
                error(
                    where.at("matching", "history", i),
                    f"file `{name}` {what}",
                    "give an earlier cohort's state/pairings.toml, relative to this program folder",
                )
            )
            continue
        history |= _state(partial(read_history, folder, name, ids), problems, set())
    for i, name in enumerate(config.evaluation.compare):
        at = where.at("evaluation", "compare", i)
        path = folder / name
        if not (path / PROGRAM_FILE).is_file():
            problems.append(error(at, f"`{name}` is not a program folder (no program.yaml)"))
        elif path.resolve() == folder.resolve():
            problems.append(
                error(at, f"`{name}` is this program itself", "name an earlier program's folder")
            )
    return frozenset(history)


def read_program(folder: Path) -> Program:
    """Read every file of the program once; the problems of reading only (no checks)."""
    config, where, broken, problems, raw = _read_config(folder)
    people: list[Participant] = []
    if "roster" not in broken:  # else we cannot know which files to read, or how
        offices = {k: v.timezone for k, v in config.program.offices.items() if v.timezone}
        topics = lenient_topics(raw, where) if "topics" in broken else list(config.topics)
        zone = config.program.timezone if "program" not in broken else "UTC"
        people, found = load_roster(folder, config.roster, topics, where, zone, offices)
        problems += found
    pairings = _state(lambda: read_pairings(folder), problems, PairingState())
    schedule = _state(lambda: read_schedule(folder), problems, Schedule())
    program = Program(folder, config, where, tuple(people), pairings, schedule, broken=broken)
    if broken.isdisjoint({"program", "topics", "roster"}):
        meetings, found = load_meetings(folder, config.topics, config.roster.list_separator)
        problems += found
        program = replace(program, meetings=tuple(meetings))
    if broken.isdisjoint({"evaluation", "topics"}):
        responses, found = load_surveys(folder, config, participants=people, where=where)
        problems += found
        program = replace(program, responses=tuple(responses))
    history: frozenset[tuple[str, str]] = frozenset()
    if broken.isdisjoint({"matching", "evaluation"}):
        history = _named_files(folder, config, where, problems, people)
    return replace(program, history=history, problems=tuple(problems))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for the duration, then as it was.

    Reading a program of 10,000 people makes millions of objects that all live on
    (parsed TOML, sessions, answers) and next to no cyclic garbage, yet each object made
    counts towards the collector's next pass, and each pass walks the grown heap: at
    10,000 people those passes were a sixth of the reading (measured: 6.9 s with them,
    5.8 s without). Reference counting still frees everything else at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(folder: Path) -> Program:
    """Read the program and run every check; all problems in `Program.problems`."""
    with _no_cycle_collection():
        program = read_program(folder)
        return replace(program, problems=(*program.problems, *check_program(program)))


def open_program(folder: Path) -> Program:
    """`load`, for commands: raise `InvalidProgram` with every problem if any is an error."""
    program = load(folder)
    if has_errors(program.problems):
        raise InvalidProgram(program.problems)
    return program
