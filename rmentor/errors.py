"""The user-error tree, the `Problem` record every check returns, and where things stand.

A user's mistake never becomes a traceback: loaders and checks collect
`Problem`s, and the CLI turns an `RmentorError` into a red message and exit 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .text import show_invisible


class Severity(StrEnum):
    """How bad a problem is: errors stop every command, warnings only `--strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where something came from: a file (as the user would name it), a line, a column.

    Lines and columns count from 1; 0 means "the whole file" or "the whole line".
    For CSV and XLSX rosters the column is the field's position (1 = column A).
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the user's files, with where it is and, maybe, how to fix it."""

    location: Location
    severity: Severity
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        # Messages quote the user's files. A bidi override or a zero-width space quoted
        # as it is would reorder or hide the rest of the line in a terminal: show it as
        # `<U+202E>` instead, in the printed line and in --json alike.
        object.__setattr__(self, "message", show_invisible(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", show_invisible(self.hint))

    def sort_key(self) -> tuple[str, int, int, int, str]:
        """Total order: by file, line, column, errors before warnings, then message."""
        rank = 0 if self.severity is Severity.ERROR else 1
        loc = self.location
        return (loc.file, loc.line, loc.column, rank, self.message)

    def format(self) -> str:
        """The `file:line:col: severity: message (hint)` line the user reads."""
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_json(self) -> dict[str, object]:
        """The `validate --json` form (SPEC §2)."""
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


def error(location: Location, message: str, hint: str | None = None) -> Problem:
    """Shorthand for an error `Problem`."""
    return Problem(location, Severity.ERROR, message, hint)


def warning(location: Location, message: str, hint: str | None = None) -> Problem:
    """Shorthand for a warning `Problem`."""
    return Problem(location, Severity.WARNING, message, hint)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in their total order, duplicates removed."""
    return sorted(set(problems), key=Problem.sort_key)


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)


class RmentorError(Exception):
    """A problem the user can fix: printed in red, exit code 1, never a traceback."""

    exit_code = 1


class ProgramNotFound(RmentorError):
    """No program.yaml where the command looked."""


class NoPairs(RmentorError):
    """A command that needs pairs ran before `rmentor match`."""

    def __init__(self) -> None:
        super().__init__("there are no pairs yet; run `rmentor match` first")


class InvalidProgram(RmentorError):
    """The program's files have errors; carries every problem found in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted_problems(problems)
        errors = sum(1 for p in self.problems if p.severity is Severity.ERROR)
        noun = "error" if errors == 1 else "errors"
        super().__init__(
            f"the program has {errors} {noun}; nothing was written. Fix "
            f"{'it' if errors == 1 else 'each'} at the file:line:column shown above, "
            "then run the command again"
        )


class FolderNotEmpty(RmentorError):
    """`init` refuses to write into a folder that already holds files."""


# The path of a value in a YAML document: keys and list positions.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each value (and each mapping key) of a YAML document stands."""

    file: str
    values: Mapping[KeyPath, Location] = field(default_factory=dict)
    keys: Mapping[KeyPath, Location] = field(default_factory=dict)

    def at(self, *path: str | int) -> Location:
        """The location of the value at `path`, or of its nearest known parent."""
        for end in range(len(path), -1, -1):
            loc = self.values.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return Location(self.file, 1, 1)

    def key(self, *path: str | int) -> Location:
        """The location of the key that introduces `path` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.at(*path)
