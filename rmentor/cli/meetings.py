"""Commands that track a running program: `log` (the meeting log) and `status`.

Plain functions in the Typer style of `cli.py`, which registers them, e.g.
`app.command("log", rich_help_panel="Meetings")(handles_errors(log_command))`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..engines.status import Status
from ..errors import InvalidProgram, RmentorError, has_errors
from ..files.load import Program, open_program
from ..files.meetings import (
    MEETINGS_FILE,
    Meeting,
    append_meeting,
    check_meetings,
    check_minutes,
    load_meetings,
    parse_status,
    resolve_pair,
)
from ..files.output import program_lock
from ..files.roster import TopicIndex, split_list
from ..files.state import read_pairings
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


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"`{text}` is not a date as YYYY-MM-DD") from None


def _topic_ids(program: Program, given: list[str]) -> tuple[str, ...]:
    assert program.config is not None
    index = TopicIndex(program.config.topics)
    separator = program.config.roster.list_separator
    found: list[str] = []
    for text in given:
        whole = index.resolve(text)
        items = (text,) if whole else split_list(text, separator if separator in text else ",")
        for item in items:
            topic = index.resolve(item)
            if topic is None:
                raise RmentorError(f"unknown topic `{item}` ({index.hint(item)})")
            if topic not in found:
                found.append(topic)
    return tuple(found)


def _meetings(program: Program) -> list[Meeting]:
    """The meeting log, checked; raises InvalidProgram when it has errors."""
    assert program.config is not None
    meetings, problems = load_meetings(
        program.folder, program.config.topics, program.config.roster.list_separator
    )
    if has_errors(problems):
        raise InvalidProgram(problems)
    return meetings


def log_command(
    pair: Annotated[
        str,
        typer.Argument(
            help="The pair id (from `match`), or either person's id when they are in one "
            "active pair.",
            metavar="PAIR",
        ),
    ],
    date: Annotated[
        str,
        typer.Option("--date", "-d", help="Day of the meeting (YYYY-MM-DD).", show_default=False),
    ],
    status: Annotated[
        str,
        typer.Option("--status", "-s", help="held, cancelled or no-show.", show_default=False),
    ],
    minutes: Annotated[
        int | None,
        typer.Option("--minutes", "-m", help="How long the meeting lasted.", show_default=False),
    ] = None,
    topics: Annotated[
        list[str] | None,
        typer.Option(
            "--topics",
            "-t",
            help="Topics covered, by id or title; repeat the option or separate with `;`.",
            show_default=False,
        ),
    ] = None,
    notes: Annotated[
        str | None, typer.Option("--notes", "-n", help="A short note.", show_default=False)
    ] = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Record a meeting (held, cancelled or no-show) in meetings.csv."""
    day = _date(date)
    try:
        state_word = parse_status(status)
    except ValueError as exc:
        raise RmentorError(str(exc)) from None
    if minutes is not None:
        try:
            check_minutes(minutes)
        except ValueError as exc:
            raise RmentorError(f"--minutes: {exc}") from None
    folder = program_folder(program)
    loaded = open_program(folder)
    assert loaded.config is not None
    info = loaded.config.program
    if not info.start <= day <= info.end:
        raise RmentorError(
            f"{day} is outside the program ({info.start} to {info.end}); check --date"
        )
    names = {p.id: p.name for p in loaded.participants}
    topic_ids = _topic_ids(loaded, topics or [])
    with program_lock(folder):
        state = read_pairings(folder)
        chosen = resolve_pair(state, pair, names)
        if chosen.ended is not None and day > chosen.ended:
            raise RmentorError(f"pair `{chosen.id}` ended on {chosen.ended}, before {day}")
        earlier = [m for m in _meetings(loaded) if m.pair == chosen.id and m.date == day]
        meeting = append_meeting(
            folder,
            chosen.id,
            day,
            state_word,
            minutes,
            topic_ids,
            notes,
            list_separator=loaded.config.roster.list_separator,
        )
    for other in earlier:
        console.warn(
            f"{chosen.id} already had an entry on {day} "
            f"({MEETINGS_FILE} line {other.source.line}: {other.status})"
        )
    if not (quiet or settings().quiet):
        mentor = names.get(chosen.mentor, chosen.mentor)
        mentee = names.get(chosen.mentee, chosen.mentee)
        detail = f", {minutes} min" if minutes is not None else ""
        console.success(
            f"Logged {chosen.id} ({mentor} with {mentee}) on {day}: {state_word}{detail} "
            f"({MEETINGS_FILE} line {meeting.source.line})."
        )


def load_status(folder: Path, today: dt.date) -> Status:
    """Everything the dashboard needs, read from the program folder."""
    from ..engines.status import build_status
    from ..model.sessions import read_schedule

    loaded = open_program(folder)
    assert loaded.config is not None
    info = loaded.config.program
    state = read_pairings(folder)
    meetings = _meetings(loaded)
    problems = check_meetings(meetings, state, info.start, info.end)
    if has_errors(problems):
        raise InvalidProgram(problems)
    schedule = read_schedule(folder)
    return build_status(loaded.config, loaded.participants, state, schedule, meetings, today)


def status_command(
    today: TodayOption = None,
    json_output: JsonOption = False,
    program: ProgramOption = None,
) -> None:
    """The dashboard: phase, pairs, meetings held vs planned, pairs at risk, milestones."""
    status = load_status(program_folder(program), today_or(today))
    if json_output:
        console.print_json(status.to_json())
        return
    show_status(status)


def show_status(status: Status) -> None:
    """The dashboard as Rich tables (through `console`)."""
    console.print_heading(
        status.program, status.phase, f"as of {status.today}; {status.start} to {status.end}"
    )
    rate = status.attendance_rate
    console.print_key_values(
        "Summary",
        (
            ("pairs active", status.pairs_active),
            ("pairs withdrawn", status.pairs_withdrawn),
            ("pairs ended", status.pairs_ended),
            ("people withdrawn", status.people_withdrawn),
            ("sessions planned to date", status.planned),
            ("meetings held", status.held),
            ("cancelled / no-show", f"{status.cancelled} / {status.no_show}"),
            ("attendance rate", "n/a" if rate is None else f"{rate:.0%}"),
            ("pairs at risk", len(status.at_risk)),
        ),
    )
    if status.at_risk:
        console.print_table(
            "Pairs at risk",
            ("pair", "mentor", "mentee", "held / planned", "last meeting", "why"),
            (
                (
                    p.pair,
                    p.mentor_name,
                    p.mentee_name,
                    f"{p.held} / {p.planned}",
                    p.last_meeting or "never",
                    p.at_risk,
                )
                for p in status.at_risk
            ),
        )
    elif status.pairs_active and status.week is not None:
        console.success("No pair is at risk.")
    if status.milestones:
        console.print_table(
            "Next milestones",
            ("date", "time", "milestone", "for"),
            (
                (m.date, m.time.strftime("%H:%M") if m.time else "", m.name, m.audience)
                for m in status.milestones
            ),
        )
    for note in status.notes:
        console.say(note, style="dim")
