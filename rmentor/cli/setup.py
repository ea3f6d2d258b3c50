"""The "Set up" panel: `init` (a new program folder) and `validate` (every problem at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import Severity
from . import console
from .options import (
    JsonOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    program_folder,
    settings,
    today_or,
)


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
    from ..files.scaffold import create_program

    written = create_program(directory, example=example, name=name, today=today_or(today))
    if not (quiet or settings().quiet):
        what = "the sample program" if example else "a new program"
        console.success(f"Created {what} in {directory} ({len(written)} files).")
        if example:
            console.say(f"Next: cd {directory} && rmentor build   (then open out/index.html)")
        else:
            console.say(
                f"Next: add people to {directory}/participants.csv, edit program.yaml, "
                "then: rmentor validate"
            )


def validate(
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    json_output: JsonOption = False,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check every file of the program and report all problems at once."""
    from .steps import validate_program

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
        if not (quiet or settings().quiet):
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
