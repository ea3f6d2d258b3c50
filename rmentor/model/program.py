"""The loaded program: config, people, pairings, schedule, meetings, answers, and where each
came from.

`files.load.load(folder)` builds one `Program` per command; each step of a command
hands an updated copy (`dataclasses.replace`) to the next, so nothing is read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, SourceMap, has_errors
from .activity import Meeting, Response
from .config import ProgramConfig
from .pairings import PairingState
from .people import Participant
from .sessions import Schedule


@dataclass(frozen=True)
class Program:
    """A program folder as read: every file's content, and every problem found in it.

    A program.yaml section with errors is named in `broken` and holds its defaults
    meanwhile (all of them when program.yaml could not be read at all), so that the
    checks of every other section, the roster and the state still run.
    """

    folder: Path
    config: ProgramConfig
    where: SourceMap
    participants: tuple[Participant, ...] = ()
    pairings: PairingState = field(default_factory=PairingState)
    schedule: Schedule = field(default_factory=Schedule)
    meetings: tuple[Meeting, ...] = ()
    responses: tuple[Response, ...] = ()  # every survey export's answers, in config order
    history: frozenset[tuple[str, str]] = frozenset()  # (mentor, mentee) of earlier cohorts
    problems: tuple[Problem, ...] = ()
    broken: frozenset[str] = frozenset()  # program.yaml sections that had errors

    @property
    def ok(self) -> bool:
        """True when nothing in the folder is an error."""
        return not has_errors(self.problems)

    @property
    def header(self) -> str:
        """The line atop every document: "Organisation · Program"."""
        return f"{self.config.program.organization} · {self.config.program.name}"
