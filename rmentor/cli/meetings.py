"""The "Meetings" panel: `schedule`, `log` (the meeting log) and `status` (the dashboard).

Plain functions; `app.py` registers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from ..files.layout import MEETINGS_FILE
from ..text import count
from . import console
from .options import (
    DryRunOption,
    JsonOption,
    OutOption,
    ProgramOption,
    QuietOption,
    TodayOption,
    check_date,
    program_folder,
    progress_bar,
    settings,
    today_or,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ..engines.status import Status
    from ..model.config import Milestone, ProgramConfig


def log_command(
    pair: Annotated[
        str | None,
        typer.Argument(
            help="The pair id (from `match`), or either person's id when they are in one "
            "active pair.",
            metavar="PAIR",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            "-s",
            metavar="STATUS",
            help="held, cancelled or no-show (required).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            metavar="YYYY-MM-DD",
            help="Day of the meeting (YYYY-MM-DD; default: today).",
            show_default=False,
            callback=check_date,
        ),
    ] = None,
    minutes: Annotated[
        int | None,
        typer.Option(
            "--minutes",
            "-m",
            metavar="MINUTES",
            help="How long the meeting lasted.",
            show_default=False,
        ),
    ] = None,
    topics: Annotated[
        list[str] | None,
        typer.Option(
            "--topics",
            "-t",
            metavar="TOPIC",
            help="Topics covered, by id or title; repeat the option or separate with `;`.",
            show_default=False,
        ),
    ] = None,
    notes: Annotated[
        str | None,
        typer.Option("--notes", "-n", metavar="TEXT", help="A short note.", show_default=False),
    ] = None,
    add: Annotated[
        bool, typer.Option("--add", help="A second meeting of the pair that day: keep both.")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the pair's earlier entry for that day.")
    ] = False,
    import_file: Annotated[
        str | None,
        typer.Option(
            "--import",
            help="A check-in form's export (.csv or .xlsx), read through meetings.checkin: "
            "append its sessions instead of one.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Record a meeting (held, cancelled or no-show) in meetings.csv, or import a
    check-in form's export with --import FILE."""
    from .steps import run_log

    if import_file is not None:
        given = [
            name
            for name, value in (
                ("PAIR", pair),
                ("--status", status),
                ("--date", date),
                ("--minutes", minutes),
                ("--topics", topics),
                ("--notes", notes),
                ("--add", add or None),
                ("--replace", replace or None),
            )
            if value is not None
        ]
        if given:
            raise typer.BadParameter(
                f"--import reads every session from its file: leave out {', '.join(given)}",
                param_hint="'--import'",
            )
        import_sessions(program_folder(program), import_file, quiet=quiet or settings().quiet)
        return
    if pair is None:
        raise typer.BadParameter(
            "give the pair (or a person's id), or --import FILE", param_hint="'PAIR'"
        )
    if status is None:
        raise typer.BadParameter(
            "give the session's status: held, cancelled or no-show", param_hint="'--status'"
        )
    if add and replace:
        raise typer.BadParameter("--add and --replace exclude each other")
    day = today_or(date, "--date")
    same_day: Literal["refuse", "add", "replace"] = (
        "add" if add else "replace" if replace else "refuse"
    )
    with progress_bar(quiet) as bar:
        run = run_log(
            program_folder(program),
            pair,
            day,
            status,
            minutes,
            topics or [],
            notes,
            same_day,
            dated=date is not None,
            progress=bar,
        )
    chosen, meeting = run.pair, run.meeting
    for other in run.earlier:
        console.warn(
            f"{chosen.id} already had an entry on {day} "
            f"({MEETINGS_FILE} line {other.source.line}: {other.status})"
        )
    if not (quiet or settings().quiet):
        mentor = run.names.get(chosen.mentor, chosen.mentor)
        mentee = run.names.get(chosen.mentee, chosen.mentee)
        detail = f", {minutes} min" if minutes is not None else ""
        console.success(
            f"Logged {chosen.id} ({mentor} with {mentee}) on {day}: {meeting.status}{detail} "
            f"({MEETINGS_FILE} line {meeting.source.line})."
        )


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"


def import_sessions(folder: Path, name: str, *, quiet: bool) -> None:
    """`log --import FILE`: the export's sessions appended; skipped rows shown as warnings."""
    from .steps import run_import

    with progress_bar(quiet) as bar:
        run = run_import(folder, name, bar)
    if run.problems:
        console.print_problems(run.problems, stderr=True)
    if not (quiet or settings().quiet):
        console.success(
            f"Imported {_sessions(len(run.meetings))} ({run.already} already logged, "
            f"{run.both} reported by both partners, {run.skipped} skipped)"
        )


def status_command(
    today: TodayOption = None,
    json_output: JsonOption = False,
    program: ProgramOption = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Only what needs acting on: pairs at risk, fit concerns."
        ),
    ] = False,
) -> None:
    """The dashboard: phase, pairs, meetings held vs planned, pairs at risk, milestones."""
    from .steps import load_status

    quiet = quiet or settings().quiet
    with progress_bar(quiet, json_output) as bar:
        status = load_status(program_folder(program), today_or(today), bar)
    if json_output:
        console.print_json(status.to_json())
        return
    show_status(status, quiet=quiet)


def show_status(status: Status, *, quiet: bool = False) -> None:
    """The dashboard as Rich tables (through `console`); `quiet`: only the pairs that
    need acting on (nothing when none does)."""
    if quiet:
        _show_concerns(status)
        return
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
    if not status.at_risk and status.pairs_active and status.week is not None:
        console.success("No pair is at risk.")
    _show_concerns(status)
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


def _show_concerns(status: Status) -> None:
    """The pairs at risk and the fit check's concerns, each with what to do."""
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
                for p in status.at_risk[:AT_RISK_SHOWN]
            ),
        )
        hidden = len(status.at_risk) - AT_RISK_SHOWN
        if hidden > 0:  # a terminal is read, not scrolled: the rest are in --json
            console.say(
                f"… and {count(hidden, 'more pair')} at risk: `rmentor status --json` "
                "lists them all, and the coordinator's packet names them."
            )
    if status.fit_concerns:
        from ..engines.status import FIT_NEXT_STEP

        console.print_table(
            "After the fit check: pairs to talk to",
            ("pair", "mentor", "mentee", "what the fit check said"),
            (
                (p.pair, p.mentor_name, p.mentee_name, p.fit_concern)
                for p in status.fit_concerns[:AT_RISK_SHOWN]
            ),
        )
        hidden = len(status.fit_concerns) - AT_RISK_SHOWN
        if hidden > 0:
            console.say(f"… and {count(hidden, 'more pair')}: `rmentor status --json` lists them.")
        console.say(f"Next: {FIT_NEXT_STEP}.")


def _milestone_json(config: ProgramConfig, milestone: Milestone) -> dict[str, object]:
    """A milestone in `schedule --json`: start and end with their offset (dates when
    it is all-day), and who attends."""
    from ..engines.schedule import milestone_span

    start, end = milestone_span(config, milestone)
    timed = milestone.time is not None
    return {
        "name": milestone.name,
        "kind": milestone.kind,
        "date": milestone.date.isoformat(),
        "start": start.isoformat() if timed else start.date().isoformat(),
        "end": end.isoformat() if timed else end.date().isoformat(),
        "audience": milestone.audience,
    }


AT_RISK_SHOWN = 40  # rows of the pairs-at-risk table in the terminal


def _pairs(count: int) -> str:
    return f"{count} pair" if count == 1 else f"{count} pairs"


def schedule(
    json_output: JsonOption = False,
    today: TodayOption = None,
    dry_run: DryRunOption = False,
    out: OutOption = None,
    program: ProgramOption = None,
    quiet: QuietOption = False,
) -> None:
    """Plan every pair's meetings; write state/schedule.toml and .ics calendars."""
    from ..files.layout import CALENDAR_DIR, out_folder
    from ..model.sessions import NO_COMMON_TIME
    from .steps import run_schedule

    with progress_bar(quiet, json_output) as bar:
        run = run_schedule(
            program_folder(program),
            today=today_or(today),
            out=out,
            dry_run=dry_run,
            progress=bar,
        )
    schedule = run.program.schedule
    sessions = schedule.sessions
    config = run.program.config
    # Dates with no time inside both people's hours: no session, a skip with the reason.
    unplaced: dict[str, list[str]] = {}
    for k in schedule.skipped:
        if k.reason == NO_COMMON_TIME:
            unplaced.setdefault(k.pair, []).append(k.date.isoformat())
    if json_output:
        console.print_json(
            {
                "sessions": [
                    {
                        "pair": s.pair,
                        "number": s.number,
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "theme": s.theme,
                        "kind": s.kind,
                        "topics": list(s.topics),
                        "status": s.status,
                        "sequence": s.sequence,
                    }
                    for s in sessions
                ],
                "milestones": [
                    _milestone_json(config, m)
                    for m in sorted(config.meetings.milestones, key=lambda m: (m.date, m.name))
                ],
                "fallback_pairs": [p.pair for p in schedule.plans if p.unplaced],
                "unplaced": [
                    {"pair": pair, "dates": dates, "reason": NO_COMMON_TIME}
                    for pair, dates in sorted(unplaced.items())
                ],
                "skipped": [
                    {"pair": k.pair, "date": k.date.isoformat(), "reason": k.reason}
                    for k in schedule.skipped
                ],
            }
        )
        return
    if quiet or settings().quiet:
        return
    names = {p.id: p.name for p in run.program.participants}
    active = {p.id for p in run.program.pairings.active}
    console.print_table(
        "Meeting slots",
        ("pair", "mentor", "mentee", "slot", "sessions"),
        (
            (
                p.pair,
                names.get(p.mentor, p.mentor),
                names.get(p.mentee, p.mentee),
                p.describe() + (" (no common time)" if p.slot.fallback else ""),
                str(sum(1 for s in p.sessions if s.status == "planned")),
            )
            for p in schedule.plans
            if p.pair in active
        ),
    )
    planned = [s for s in sessions if s.status == "planned"]
    moved = sum(1 for s in planned if s.moved_from is not None)
    fallback = [p.pair for p in schedule.plans if p.unplaced and p.pair in active]
    # Pairs that meet at more than one time: their clocks change on different dates.
    periods = [
        p.pair
        for p in schedule.plans
        if len({s for s in p.slots if not s.fallback}) > 1 and p.pair in active
    ]
    lost = sum(len(unplaced.get(pair, ())) for pair in fallback)
    console.say(
        f"{count(len(active), 'pair')}, {count(len(planned), 'session')} planned, "
        f"{moved:,} moved for holidays, "
        f"{len(schedule.skipped) - sum(map(len, unplaced.values())):,} skipped for holidays, "
        f"blackouts or milestones, {count(len(config.meetings.milestones), 'milestone')}."
    )
    if periods:
        console.say(
            f"Another time for some weeks, while only one of the two countries has changed "
            f"its clocks, for {_pairs(len(periods))}: {', '.join(periods)}."
        )
    if fallback:
        console.warn(
            f"no time inside both people's hours for {_pairs(len(fallback))}, on some or all "
            f"dates: {', '.join(fallback)} ({lost} dates left without a session; no session "
            "is placed outside anyone's hours: agree a time with each pair)"
        )
    where = out_folder(run.program.folder, out) / CALENDAR_DIR
    what = "would be written" if dry_run else "written"
    console.say(f"Calendars {what} to {where}: {count(len(run.calendars), 'file')}.")
    if not dry_run:
        console.say(
            "Next: `rmentor mail` writes the invitations, and the updates for anything "
            "that changed since the last run."
        )
