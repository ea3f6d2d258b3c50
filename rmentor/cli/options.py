"""What every command shares: global settings, options, and the error handler.

The panel modules (`setup`, `pairing`, `meetings`, `documents`) import from here;
only `app.py` owns the Typer app.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..errors import InvalidProgram, ProgramNotFound, RmentorError
from ..files.layout import PROGRAM_FILE, find_program
from ..text import parse_date as text_date
from . import console

BUG_EXIT = 70  # EX_SOFTWARE: not the user's fault


@dataclass
class Settings:
    """Options given before the command name, shared by every command."""

    program: Path | None = None
    quiet: bool = False
    debug: bool = False


_SETTINGS = Settings()


def settings() -> Settings:
    """The options given before the command name."""
    return _SETTINGS


def progress_bar(quiet: bool, json_output: bool = False) -> console.Progress:
    """A command's progress bar: off with its --quiet or the global one, and with --json."""
    return console.Progress(enabled=not (quiet or json_output or settings().quiet))


def set_settings(new: Settings) -> None:
    """Record the options given before the command name."""
    global _SETTINGS
    _SETTINGS = new


def _is_framework(exc: Exception) -> bool:
    # Typer's own signals (exit, abort, bad parameter) pass through untouched;
    # newer Typer vendors Click, so they are recognised by where they come from.
    return type(exc).__module__.split(".")[0] in ("typer", "click")


F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(function: F) -> F:
    """Map the user-error tree to exit 1 and anything unexpected to a bug report."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except InvalidProgram as exc:
            console.print_problems(exc.problems, stderr=True)
            console.fail(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except RmentorError as exc:
            console.fail(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # the disk, not rmentor: a full disk, a permission, a file
            from ..files.output import describe

            console.fail(describe(exc, verb="use"))
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug: never let it pass as a user's mistake
            if _is_framework(exc):
                raise
            console.bug(exc, debug=settings().debug)
            raise typer.Exit(BUG_EXIT) from None

    return wrapper  # type: ignore[return-value]


def show_version(value: bool) -> None:
    """--version: print it and stop."""
    if value:
        from .. import __version__

        # Plain stdout: Rich is not worth loading for one line (tests/cli/test_startup.py).
        sys.stdout.write(f"rmentor {__version__}\n")
        raise typer.Exit()


def parse_date(text: str, option: str = "--today") -> dt.date:
    """A date option (--today, --date) as YYYY-MM-DD; a bad one names the option."""
    try:
        return text_date(text)
    except ValueError as exc:
        advice = (
            "check the month (01-12) and the day"
            if "exists" in str(exc)
            else "write it like 2027-03-01"
        )
        raise typer.BadParameter(f"{exc}: {advice}", param_hint=f"'{option}'") from None


def check_date(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse a bad date while the options are read, before any work (exit 2)."""
    if value is not None:
        parse_date(value, param.opts[0] if param.opts else "--today")
    return value


ProgramOption = Annotated[
    Path | None,
    typer.Option(
        "--program",
        "-p",
        metavar="DIR",
        help="Program folder (default: the nearest folder upward with program.yaml).",
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        help="Treat this date (YYYY-MM-DD) as today.",
        show_default=False,
        callback=check_date,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def program_folder(option: Path | None) -> Path:
    """The program folder for a command: its own --program, the global one, or a search.

    A folder given with --program that is not a program folder is said plainly, with
    what to do: it does not exist, it is some other file, or it has no program.yaml.
    """
    given = option or settings().program
    if given is not None:
        _check_given_folder(given)
    return find_program(Path.cwd(), given)


def _check_given_folder(given: Path) -> None:
    if given.name == PROGRAM_FILE and given.is_file():
        return  # --program path/to/program.yaml: its folder is meant
    if not given.exists():
        raise ProgramNotFound(
            f"--program {given}: there is no such folder; give the folder that holds "
            f"{PROGRAM_FILE}, or run `rmentor init {given}` to start a program there"
        )
    if not given.is_dir():
        raise ProgramNotFound(
            f"--program {given}: this is a file, not a folder; give the folder that holds "
            f"{PROGRAM_FILE}"
        )
    if not (given / PROGRAM_FILE).exists():
        raise ProgramNotFound(
            f"--program {given}: this folder has no {PROGRAM_FILE}; give the folder that "
            "holds it, or start a program in a new folder with `rmentor init DIR`"
        )


DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the result; write nothing.")]


def today_or(text: str | None, option: str = "--today") -> dt.date:
    """--today (or another date option), or the real today."""
    return parse_date(text, option) if text is not None else dt.date.today()


FORMATS = ("md", "html", "pdf")


def refuse(value: str, allowed: tuple[str, ...], what: str, option: str) -> typer.BadParameter:
    """The usage error for an option's value that is not one of `allowed`: what it is
    not, the values it can be, and the nearest one when there is one."""
    from ..text import suggest

    hint = suggest(value, allowed)
    choices = f"{', '.join(allowed[:-1])} or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    return typer.BadParameter(
        f"`{value}` is not {what}: use {choices}" + (f" ({hint})" if hint else ""),
        param_hint=f"'{option}'",
    )


def check_format(value: str) -> str:
    """--format: md, html or pdf (any case); anything else is refused before any work."""
    fmt = value.strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise refuse(fmt, FORMATS, "a format rmentor writes", "--format")
    return fmt


SETUP = "Set up"


PAIRING = "Pairing"


MEETINGS = "Meetings"


DOCUMENTS = "Documents"


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="DIR",
        help="Output folder (default: out/ in the program folder).",
        file_okay=False,
        show_default=False,
    ),
]
