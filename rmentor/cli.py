"""The `rmentor` command line. Each command: read options, call the library, print.

Errors in the user's files are `RmentorError`s; one wrapper turns them into a red
message on stderr and exit code 1. Anything else is a bug: said plainly, with the
traceback only under --debug.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__, console
from .errors import InvalidProgram, RmentorError, Severity
from .program import find_program

SETUP = "Set up"

app = typer.Typer(
    name="rmentor",
    help="Run a reverse-mentoring program from plain files.\n\n"
    "Juniors (mentors) teach seniors (mentees) digital tools and new ways of working. "
    "rmentor validates the program folder, pairs people, plans meetings, prints packets "
    "and evaluates the program against its goals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

BUG_EXIT = 70  # EX_SOFTWARE: not the user's fault


@dataclass
class Settings:
    """Options given before the command name, shared by every command."""

    program: Path | None = None
    quiet: bool = False
    debug: bool = False


_SETTINGS = Settings()


def _settings() -> Settings:
    return _SETTINGS


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
        except Exception as exc:  # a bug: never let it pass as a user's mistake
            if _is_framework(exc):
                raise
            console.bug(exc, debug=_settings().debug)
            raise typer.Exit(BUG_EXIT) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        console.say(f"rmentor {__version__}")
        raise typer.Exit()


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"`{text}` is not a date as YYYY-MM-DD") from None


ProgramOption = Annotated[
    Path | None,
    typer.Option(
        "--program",
        "-p",
        help="Program folder (default: the nearest folder upward with program.yaml).",
        file_okay=False,
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", help="Treat this date (YYYY-MM-DD) as today.", show_default=False),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def program_folder(option: Path | None) -> Path:
    """The program folder for a command: its own --program, the global one, or a search."""
    return find_program(Path.cwd(), option or _settings().program)


@app.callback()
def main_options(
    program: ProgramOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of bugs.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run a reverse-mentoring program from plain files."""
    global _SETTINGS
    _SETTINGS = Settings(program=program, quiet=quiet, debug=debug)


@app.command(rich_help_panel=SETUP)
@handles_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (must be new or empty).")],
    example: Annotated[
        bool, typer.Option("--example", help="Copy the worked sample program.")
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Program name (default: from the folder).")
    ] = None,
    today: TodayOption = None,
    quiet: QuietOption = False,
) -> None:
    """Create a new program folder: program.yaml, an empty roster, .gitignore."""
    from .scaffold import create_program

    written = create_program(
        directory, example=example, name=name, today=_date(today) or dt.date.today()
    )
    if not (quiet or _settings().quiet):
        what = "the sample program" if example else "a new program"
        console.success(f"Created {what} in {directory} ({len(written)} files).")
        console.say(f"Next: cd {directory} && rmentor validate")


@app.command(rich_help_panel=SETUP)
@handles_errors
def validate(
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    json_output: JsonOption = False,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check every file of the program and report all problems at once."""
    from .validate import validate_program

    problems, summary = validate_program(program_folder(program))
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if json_output:
        console.print_json(
            {
                "problems": [p.to_json() for p in problems],
                "summary": summary.to_json(),
                "ok": not failed,
            }
        )
    else:
        console.print_problems(problems)
        if not (quiet or _settings().quiet):
            console.say(
                f"{summary.participants} participants: {summary.mentors} mentors "
                f"({summary.capacity} places), {summary.mentees} mentees, "
                f"{summary.departments} departments, {len(summary.timezones)} time zones."
            )
            counts = (
                f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            )
            if failed:
                console.fail(f"validation failed: {counts}")
            else:
                console.success(f"The program is valid ({counts}).")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the `rmentor` console script."""
    app()
