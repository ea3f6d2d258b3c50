"""The `mail` command: letters, invitations, updates and reminders as e-mail."""

from __future__ import annotations

from typing import Annotated

import typer

from ..text import count
from . import console
from .options import (
    DryRunOption,
    JsonOption,
    OutOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    program_folder,
    progress_bar,
    refuse,
    settings,
    today_or,
)

KINDS = ("welcome", "update", "reminder", "reserve", "manager", "survey")


def _kinds(values: list[str] | None) -> list[str]:
    chosen = values or list(KINDS)
    for value in chosen:
        if value not in KINDS:
            raise refuse(value, KINDS, "a kind of message", "--kind")
    return chosen


def mail(
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Only these kinds (repeat): welcome, update, reminder, reserve, manager, "
            "survey. Default: all.",
            show_default=False,
        ),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Also deliver every message written and not sent yet, through mail.smtp "
            "(the password from the environment variable mail.smtp.password_env).",
        ),
    ] = False,
    json_output: JsonOption = False,
    today: TodayOption = None,
    dry_run: DryRunOption = False,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write e-mail (out/mail/**/*.eml): welcome letters with calendar invitations,
    updates and cancellations after `schedule`, reminders, survey invitations, reserve
    letters and notes to mentors' managers; each message once (state/mail.toml)."""
    from .steps import run_mail

    kinds = _kinds(kind)
    with progress_bar(quiet, json_output) as bar:
        run = run_mail(
            program_folder(program),
            today=today_or(today),
            kinds=kinds,
            send=send,
            out=out,
            dry_run=dry_run,
            progress=bar,
        )
    if json_output:
        console.print_json(
            {
                "written": [
                    {"kind": r.kind, "person": r.person, "to": list(r.to), "file": r.file}
                    for r in run.written
                ],
                "notes": run.notes,
                "sent": None if run.sent is None else [r.file for r in run.sent],
                "not_sent": None if run.not_sent is None else [r.file for r in run.not_sent],
                "refused": run.refused,
                "stopped": run.stopped,
                "dry_run": dry_run,
            }
        )
        return
    for note in run.notes:
        console.warn(note)
    if quiet or settings().quiet:
        return
    by_kind: dict[str, int] = {}
    for record in run.written:
        by_kind[record.kind] = by_kind.get(record.kind, 0) + 1
    verb = "would be written" if dry_run else "written"
    if dry_run and run.written:
        console.print_table(
            "Messages that would be written",
            ("file", "to"),
            [(r.file, ", ".join(r.to)) for r in run.written],
        )
    elif run.written:
        rows = [(k, n) for k, n in sorted(by_kind.items())]
        console.print_table(f"Messages {verb}", ("kind", "messages"), rows)
    console.say(
        f"{count(len(run.written), 'message')} {verb}"
        + ("" if dry_run or not run.written else " to out/mail/")
        + (": nothing new to send." if not run.written else ".")
    )
    if not run.paired:
        console.say(
            "There are no pairs yet: `rmentor match`, then `rmentor schedule`, and `rmentor "
            "mail` writes the welcome letters with their calendar invitations."
        )
    if run.sent is not None:
        console.say(f"Sent: {count(len(run.sent), 'message')}.")
    for key, refusals in (run.refused or {}).items():
        for refusal in refusals:
            console.warn(f"refused ({key}): {refusal}")
    if run.stopped:
        console.fail(run.stopped)
        raise typer.Exit(1)
