"""The "Set up" panel: `init` (a new program folder), `validate` (every problem at once)
and `purge` (a finished program without its personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import RmentorError, Severity
from ..text import count
from . import console

if TYPE_CHECKING:  # purge's records: loaded only by `purge`, not by every `--help`
    from ..documents.render import Progress
    from ..files.archive import PurgePlan
    from ..model.archive import Archive
from .options import (
    JsonOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    program_folder,
    progress_bar,
    settings,
    today_or,
)


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to create (must be new or empty).", metavar="DIR")
    ],
    example: Annotated[
        bool, typer.Option("--example", help="Copy the worked sample program.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Program name (default: from the folder)."),
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

    quiet = quiet or settings().quiet
    with progress_bar(quiet, json_output) as bar, bar.working(console.READING):
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
        # No one read because of errors: "0 participants" would mislead, so say nothing.
        unread = errors > 0 and summary.participants == 0
        if not quiet and not unread:
            console.say(
                f"{count(summary.participants, 'participant')}: "
                f"{count(summary.mentors, 'mentor')} ({count(summary.capacity, 'place')}), "
                f"{count(summary.mentees, 'mentee')}, "
                f"{count(summary.departments, 'department')}, "
                f"{count(len(summary.timezones), 'time zone')}."
            )
        if not quiet:
            counts = f"{count(errors, 'error')}, {count(warnings, 'warning')}"
            if failed:
                console.fail(
                    f"validation failed: {counts}; fix {'it' if errors == 1 else 'each'} at "
                    "the file:line:column shown above, then run `rmentor validate` again"
                    if errors
                    else f"validation failed: {counts} (--strict makes warnings fail)"
                )
            else:
                console.success(f"The program is valid ({counts}).")
    if failed:
        raise typer.Exit(1)


# -- purge ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeRun:
    """What `rmentor purge` did, or would do (`dry_run`)."""

    name: str
    end: dt.date
    plan: PurgePlan
    archive: Archive
    dry_run: bool
    in_git: bool  # the folder is in a git repository, whose history keeps the old files


def _in_git(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def run_purge(
    folder: Path, *, today: dt.date, force: bool, dry_run: bool, progress: Progress | None = None
) -> PurgeRun:
    """`rmentor purge`: inside the program lock, load, evaluate, archive, and swap the files.

    Everything is computed before the first file moves; `files.archive.apply_purge`
    then changes the folder as one step. A dry run takes no lock and changes nothing.
    """
    import secrets

    from ..engines.purge import build_archive, check_finished
    from ..files.archive import apply_purge, program_files, purge_plan, recover
    from ..files.layout import ARCHIVE_FILE, program_lock
    from .steps import evaluate_program, read_program

    with program_lock(folder, enabled=not dry_run):
        recovered = None if dry_run else recover(folder)
        if recovered:  # said now: the run may still stop below
            console.warn(recovered)
        if (folder / ARCHIVE_FILE).is_file():
            raise RmentorError(
                f"this program was purged already ({ARCHIVE_FILE} is its archive); "
                "name its folder under a later program's evaluation.compare"
            )
        program = read_program(folder, progress)
        if not dry_run:
            check_finished(program, today, force=force)
        report = evaluate_program(program, today)
        # The salt only has to differ from every other archive's and be unguessable
        # before the fact; it is stored in the archive (see model/archive.py).
        archive = build_archive(program, report, today=today, salt=secrets.token_hex(16))
        plan = purge_plan(program.config, archive, program_files(folder))
        if not dry_run:
            apply_purge(folder, plan)
    info = program.config.program
    return PurgeRun(info.name, info.end, plan, archive, dry_run, _in_git(folder))


def _purge_json(run: PurgeRun) -> dict[str, object]:
    plan = run.plan
    return {
        "dry_run": run.dry_run,
        "removed": list(plan.removed),
        "rewritten": list(plan.rewritten),
        "written": [p for p in plan.writes if p not in plan.rewritten],
        "kept": list(plan.kept),
        "left_alone": list(plan.left_alone),
        "outside": list(plan.outside),
        "pairs": len(run.archive.pairs),
        "meetings": len(run.archive.meetings),
        "metrics": dict(run.archive.standing.metrics),
    }


def _listing(label: str, paths: Sequence[str]) -> None:
    if paths:
        console.say(f"{label} ({len(paths)}): {', '.join(paths)}")


def _show_purge(run: PurgeRun, today: dt.date) -> None:
    plan, standing = run.plan, run.archive.standing
    would = "would be " if run.dry_run else ""
    console.say(f"Purge of {run.name} (ended {run.end.isoformat()}):", style="bold")
    _listing(f"  {would}removed", plan.removed)
    _listing(f"  {would}rewritten without personal data", plan.rewritten)
    written = [p for p in plan.writes if p not in plan.rewritten]
    _listing(f"  {would}written", written)
    shown = sum(1 for v in standing.metrics.values() if v is not None)
    console.say(
        f"  kept: {shown} figures and {len(standing.goals)} goals as the report showed them, "
        f"{len(run.archive.pairs)} pairs and {len(run.archive.meetings)} meetings "
        "under pseudonyms"
    )
    _listing("  kept as they are", plan.kept)
    if plan.left_alone:
        console.warn(
            "not rmentor's files, left alone (check them for personal data yourself): "
            + ", ".join(plan.left_alone)
        )
    if plan.outside:
        console.warn(
            "outside the program folder, not touched (remove them yourself if they "
            "are no longer needed): " + ", ".join(plan.outside)
        )
    if run.dry_run:
        if today <= run.end:
            console.warn(
                f"the program runs until {run.end.isoformat()}: purge refuses before the "
                "day after, unless --force"
            )
        console.say("Dry run: nothing was changed.")
        return
    console.success("Purged: the folder now holds no personal data rmentor knows of.")
    if run.in_git:
        console.warn(
            "the removed files are still in this repository's history: rewrite it "
            "(e.g. git filter-repo) or archive the folder without .git if they must go"
        )


def purge(
    force: Annotated[
        bool, typer.Option("--force", help="Purge on or before the program's end date too.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed and rewritten.")
    ] = False,
    json_output: JsonOption = False,
    today: TodayOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Remove personal data from a finished program, keeping what later cohorts need.

    Kept: the report's figures (for a later evaluation.compare) and the pairs under
    salted pseudonyms (for a later matching.history). Removed: rosters, survey
    exports, notes, state, out/. See docs/purge.md.
    """
    day = today_or(today)
    with progress_bar(quiet, json_output) as bar:
        run = run_purge(
            program_folder(program), today=day, force=force, dry_run=dry_run, progress=bar
        )
    if json_output:
        console.print_json(_purge_json(run))
    elif not (quiet or settings().quiet):
        _show_purge(run, day)
